package store_test

import (
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// render is a MailRender as the handlers make them: the link's secret in
// the text, to the account's address (or to, for an invitation).
func render(subject, to string) shrooms.MailRender {
	return func(u *shrooms.User, secret string) (shrooms.Message, error) {
		if u != nil {
			to = u.Email
		}
		return shrooms.Message{To: to, Subject: subject, Text: "link: " + secret}, nil
	}
}

func findMail(t *testing.T, p *people, state shrooms.MailState) []*shrooms.Mail {
	t.Helper()
	ms, _, err := p.db.Mail.FindMail(as(p.admin), shrooms.MailFilter{State: state})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestSignUpWithATakenAddress: sign-up with an address that has an
// account answers as for a new one (no error), creates nothing, leaves
// the invitation unused, and queues a notice to the owner, at most
// MaxMailLinksPerHour an hour. A taken username is still said.
func TestSignUpWithATakenAddress(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	setSignupMode(t, db, shrooms.SignupOpen)
	secret, _ := invite(t, p, "ivy@example.org", shrooms.RoleMember)
	for i := 0; i < shrooms.MaxMailLinksPerHour+2; i++ {
		su := signUp("mia2", secret)
		su.Email = " MIA@example.org"
		su.Mail, su.TakenMail = render("verify", ""), render("taken", "")
		u, verify, err := db.Accounts.SignUp(anon, su)
		if err != nil || u != nil || verify != "" {
			t.Fatalf("sign-up %d with a taken address: %v, %q, %v", i, u, verify, err)
		}
	}
	if _, err := db.Users.FindUserByUsername(sys, "mia2"); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("mia2 exists: %v", err)
	}
	ms := findMail(t, p, shrooms.MailPending)
	if len(ms) != shrooms.MaxMailLinksPerHour {
		t.Fatalf("%d notices, want %d", len(ms), shrooms.MaxMailLinksPerHour)
	}
	if m := ms[0]; m.Kind != shrooms.MailSignupTaken || m.Message.To != "mia@example.org" || m.Message.Subject != "taken" {
		t.Fatalf("notice %+v", m)
	}
	// The invitation was not spent by the refused sign-ups.
	su := signUp("ivy", secret)
	if u, _, err := db.Accounts.SignUp(anon, su); err != nil || u.Status != shrooms.StatusActive {
		t.Fatalf("invited sign-up after them: %v %v", u, err)
	}
	_, _, err := db.Accounts.SignUp(anon, signUp("mia", ""))
	wantCode(t, err, shrooms.ECONFLICT, "username is taken")
}

// TestMailQueuedWithTheChange: the mail of a change is in the outbox
// exactly when the change is: a render that fails undoes the change.
func TestMailQueuedWithTheChange(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	_, secret, err := p.db.Accounts.RequestPasswordReset(anon, "mia@example.org", render("reset", ""))
	if err != nil {
		t.Fatal(err)
	}
	ms := findMail(t, p, "")
	if len(ms) != 1 || ms[0].Kind != shrooms.MailReset || ms[0].Message.Text != "link: "+secret ||
		ms[0].State != shrooms.MailPending || !strings.HasSuffix(ms[0].Message.ID, "@"+strings.Split(strings.TrimPrefix(testURL, "https://"), ":")[0]) {
		t.Fatalf("queued %+v", ms[0])
	}
	broken := func(*shrooms.User, string) (shrooms.Message, error) {
		return shrooms.Message{}, shrooms.Errorf(shrooms.EINTERNAL, "boom")
	}
	if _, _, err := p.db.Accounts.CreateInvitation(as(p.admin), "zoe@example.org", shrooms.RoleMember, broken); err == nil {
		t.Fatal("a failed render did not fail the invitation")
	}
	if invs, _ := p.db.Accounts.FindInvitations(as(p.admin)); len(invs) != 0 {
		t.Fatalf("the invitation exists without its mail: %+v", invs)
	}
	if _, _, err := p.db.Accounts.CreateInvitation(as(p.admin), "zoe@example.org", shrooms.RoleMember, render("invite", "zoe@example.org")); err != nil {
		t.Fatal(err)
	}
	if ms := findMail(t, p, ""); len(ms) != 2 || ms[0].Message.To != "zoe@example.org" || ms[0].Kind != shrooms.MailInvitation {
		t.Fatalf("outbox %+v", ms)
	}
}

// TestMailLeases: a claimed mail is not claimed again while its lease
// runs; one left sending by a crash is claimed again after it, with the
// same Message-ID; a sent mail is never claimed again; a dead one waits
// for an admin, who may retry or discard it.
func TestMailLeases(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db, ctx := p.db, sys
	if _, _, err := db.Accounts.RequestPasswordReset(anon, "mia@example.org", render("reset", "")); err != nil {
		t.Fatal(err)
	}
	now := p.clock.Now()
	first, err := db.Mail.ClaimMail(ctx, now, time.Minute, 10)
	if err != nil || len(first) != 1 || first[0].Attempts != 1 || first[0].State != shrooms.MailSending {
		t.Fatalf("claim: %+v %v", first, err)
	}
	if again, _ := db.Mail.ClaimMail(ctx, now.Add(30*time.Second), time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed twice during the lease: %+v", again)
	}
	// The worker "crashed": nothing marked it. After the lease it is due.
	again, err := db.Mail.ClaimMail(ctx, now.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(again) != 1 || again[0].ID != first[0].ID || again[0].Message.ID != first[0].Message.ID || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v %v", again, err)
	}
	if err := db.Mail.MarkMailSent(ctx, again[0].ID, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The sent mail's link is not kept in clear.
	if sent := findMail(t, p, shrooms.MailSent); len(sent) != 1 || sent[0].Message.Text != "" || sent[0].SentAt.IsZero() {
		t.Fatalf("sent: %+v", sent)
	}
	if later, _ := db.Mail.ClaimMail(ctx, now.Add(time.Hour), time.Minute, 10); len(later) != 0 {
		t.Fatalf("a sent mail was claimed: %+v", later)
	}
	wantCode(t, db.Mail.RetryMail(as(p.admin), again[0].ID, now), shrooms.ECONFLICT, "already sent")

	if _, _, err := db.Accounts.RequestPasswordReset(anon, "sam@example.org", render("reset", "")); err != nil {
		t.Fatal(err)
	}
	ms, _ := db.Mail.ClaimMail(ctx, now.Add(time.Hour), time.Minute, 10)
	if len(ms) != 1 {
		t.Fatalf("claim: %+v", ms)
	}
	if err := db.Mail.MarkMailFailed(ctx, ms[0].ID, now.Add(time.Hour), "550 no such user", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	dead := findMail(t, p, shrooms.MailDead)
	if len(dead) != 1 || dead[0].LastError != "550 no such user" {
		t.Fatalf("dead: %+v", dead)
	}
	if later, _ := db.Mail.ClaimMail(ctx, now.Add(48*time.Hour), time.Minute, 10); len(later) != 0 {
		t.Fatalf("a dead mail was claimed: %+v", later)
	}
	wantCode(t, db.Mail.RetryMail(as(p.member), dead[0].ID, now), shrooms.EFORBIDDEN, "")
	if _, _, err := db.Mail.FindMail(as(p.staff), shrooms.MailFilter{}); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
		t.Fatalf("staff read the mail queue: %v", err)
	}
	if err := db.Mail.RetryMail(as(p.admin), dead[0].ID, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.Mail.ClaimMail(ctx, now.Add(2*time.Hour), time.Minute, 10); len(ms) != 1 || ms[0].Attempts != 1 {
		t.Fatalf("retried: %+v", ms)
	}
	wantCode(t, db.Mail.DiscardMail(as(p.admin), dead[0].ID), shrooms.ECONFLICT, "being sent")
	if err := db.Mail.MarkMailFailed(ctx, dead[0].ID, now.Add(2*time.Hour), "timeout", now.Add(3*time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if err := db.Mail.DiscardMail(as(p.admin), dead[0].ID); err != nil {
		t.Fatal(err)
	}
	if ms := findMail(t, p, ""); len(ms) != 1 || ms[0].State != shrooms.MailSent {
		t.Fatalf("after discard: %+v", ms)
	}
	// Pruning forgets sent mail after the retention, never pending mail.
	if _, _, err := db.Accounts.RequestPasswordReset(anon, "ada@example.org", render("reset", "")); err != nil {
		t.Fatal(err)
	}
	res, err := db.Outbox.PruneQueues(sys, now.Add(3*time.Hour))
	if err != nil || res.Mail != 1 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	if ms := findMail(t, p, ""); len(ms) != 1 || ms[0].State != shrooms.MailPending {
		t.Fatalf("after prune: %+v", ms)
	}
}
