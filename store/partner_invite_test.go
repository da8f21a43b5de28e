package store_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestPartnerInviteRights(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	want := []string{shrooms.EUNAUTHORIZED, shrooms.EFORBIDDEN, shrooms.EFORBIDDEN, "", ""}
	for k, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx(p)
			inv, token, err := p.db.Partners.CreatePartnerInvite(ctx, 0, "for "+c.name)
			wantCode(t, err, want[k], "")
			_, ferr := p.db.Partners.FindPartnerInvites(ctx)
			wantCode(t, ferr, want[k], "")
			if err != nil {
				return
			}
			raw, derr := base64.RawURLEncoding.DecodeString(token)
			if derr != nil || len(raw) != 32 {
				t.Fatalf("token %q: %d bytes, %v", token, len(raw), derr)
			}
			if !inv.ExpiresAt.Equal(t0.Add(shrooms.DefaultInviteTTL)) || !inv.CreatedAt.Equal(t0) || inv.ID == 0 {
				t.Fatalf("invite = %+v", inv)
			}
			if c.name == "admin" && inv.CreatedBy != p.admin.ID || c.name == "system" && inv.CreatedBy != 0 {
				t.Fatalf("created by %d", inv.CreatedBy)
			}
			wantCode(t, p.db.Partners.RevokePartnerInvite(as(p.member), inv.ID), shrooms.EFORBIDDEN, "")
		})
	}
	invs, err := p.db.Partners.FindPartnerInvites(sys)
	if err != nil || len(invs) != 2 || invs[0].Note != "for system" || invs[1].Note != "for admin" {
		t.Fatalf("invites %+v, %v", invs, err)
	}
	var hashes int
	if err := rawDB(t, p.db.Path()).QueryRow(`SELECT COUNT(*) FROM partner_invites WHERE length(token_hash) = 64`).Scan(&hashes); err != nil || hashes != 2 {
		t.Fatalf("stored hashes %d, %v", hashes, err)
	}
}

func TestPartnerInviteShapes(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		note string
		msg  string
	}{
		{"too short", 30 * time.Second, "", "ttl:"},
		{"negative", -time.Hour, "", "ttl:"},
		{"too long", shrooms.MaxInviteTTL + time.Hour, "", "ttl:"},
		{"long note", time.Hour, strings.Repeat("é", 201), "note:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := p.db.Partners.CreatePartnerInvite(sys, tc.ttl, tc.note)
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
	if invs, _ := p.db.Partners.FindPartnerInvites(sys); len(invs) != 0 {
		t.Fatalf("bad input stored invites: %+v", invs)
	}
	inv, _, err := p.db.Partners.CreatePartnerInvite(sys, shrooms.MaxInviteTTL, strings.Repeat("é", 200))
	if err != nil || !inv.ExpiresAt.Equal(t0.Add(shrooms.MaxInviteTTL)) {
		t.Fatalf("invite %+v, %v", inv, err)
	}
	t.Run("revoke", func(t *testing.T) {
		if err := p.db.Partners.RevokePartnerInvite(sys, inv.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, p.db.Partners.RevokePartnerInvite(sys, inv.ID), shrooms.ECONFLICT, "revoked")
		wantCode(t, p.db.Partners.RevokePartnerInvite(sys, 999), shrooms.ENOTFOUND, "")
		invs, _ := p.db.Partners.FindPartnerInvites(sys)
		if len(invs) != 1 || !invs[0].RevokedAt.Equal(t0) || invs[0].Valid(t0) {
			t.Fatalf("invites %+v", invs)
		}
	})
}
