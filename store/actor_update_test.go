package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// actorUpdates returns the outbox's Updates of actor a by itself, oldest
// first, after checking their addressing: public, Cc its followers.
func actorUpdates(t *testing.T, db *store.Services, a *shrooms.Actor) []*shrooms.OutboxEntry {
	t.Helper()
	var out []*shrooms.OutboxEntry
	for _, e := range outbox(t, db) {
		act := e.Activity
		if act.Type != shrooms.ActivityUpdate || act.Item != nil || e.ActorID != a.ID {
			continue
		}
		if act.Actor != a.IRI || act.Object != a.IRI || act.ObjectType != string(a.Kind) || !act.IsPublic() ||
			len(act.CC) != 1 || act.CC[0] != a.Followers || act.IRI == "" {
			t.Fatalf("Update of actor %s: %+v", a.IRI, act)
		}
		out = append(out, e)
	}
	return out
}

// TestSettingsSendActorUpdate: the organisation's followers hear of a new
// name, description or logo, and of nothing else the settings hold.
func TestSettingsSendActorUpdate(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	s, err := db.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	step := func(name string, change func(s *shrooms.Settings), sends bool) {
		t.Helper()
		change(s)
		if err := db.Settings.UpdateSettings(as(p.admin), s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sends {
			want++
		}
		if got := len(actorUpdates(t, db, p.org)); got != want {
			t.Fatalf("%s: %d Updates of the organisation, want %d", name, got, want)
		}
	}
	step("same settings", func(*shrooms.Settings) {}, false)
	step("new name", func(s *shrooms.Settings) { s.Name = "Atelier Nord" }, true)
	step("same name again", func(s *shrooms.Settings) { s.Name = "Atelier Nord" }, false)
	step("colours, modules, CSS, signup", func(s *shrooms.Settings) {
		s.PrimaryColor, s.CustomCSS, s.SignupMode, s.Modules = "#102030", "p { margin: 0 }", shrooms.SignupOpen, []string{"loans"}
	}, false)
	step("postal address", func(s *shrooms.Settings) { s.PostalAddress = "2 rue Basse" }, false)
	step("description", func(s *shrooms.Settings) { s.Description = "We fix bikes." }, true)
	logo := image(t, p, p.admin)
	step("logo", func(s *shrooms.Settings) { s.LogoID = logo }, true)
	step("logo removed", func(s *shrooms.Settings) { s.LogoID = 0 }, true)

	// A refused save sends nothing.
	bad := *s
	bad.Name, bad.PrimaryColor = "Other", "brown"
	wantCode(t, db.Settings.UpdateSettings(as(p.admin), &bad), shrooms.EINVALID, "")
	if got := len(actorUpdates(t, db, p.org)); got != want {
		t.Fatalf("refused save: %d Updates, want %d", got, want)
	}
	if org, _ := db.Actors.FindOrgActor(sys); org.Name != "Atelier Nord" || org.Summary != "We fix bikes." {
		t.Fatalf("organisation actor = %+v", org)
	}
}

// TestProfileSendsActorUpdate: a member's followers hear of what the
// Person actor shows changing — name, public bio, public avatar — and of
// nothing a member-only field holds.
func TestProfileSendsActorUpdate(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	person, err := db.Actors.FindActorByID(sys, p.member.ActorID)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := db.Profiles.FindProfile(sys, p.member.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	step := func(name string, change func(*shrooms.Profile), sends bool) {
		t.Helper()
		change(prof)
		if err := db.Profiles.UpdateProfile(as(p.member), prof); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sends {
			want++
		}
		if got := len(actorUpdates(t, db, person)); got != want {
			t.Fatalf("%s: %d Updates of the person, want %d", name, got, want)
		}
	}
	step("same profile", func(*shrooms.Profile) {}, false)
	step("new name", func(p *shrooms.Profile) { p.Name = "Mia W." }, true)
	step("contact, phone, address", func(p *shrooms.Profile) {
		p.ContactEmail, p.Phone, p.Addresses = "mia@example.org", "+33 1 23 45 67 89", []shrooms.Address{{City: "Lyon"}}
	}, false)
	// A bio for members only never reaches the actor, so nothing leaves.
	step("members-only bio", func(p *shrooms.Profile) { p.Bio = "Radios, secretly." }, false)
	avatar := image(t, p, p.member)
	step("members-only avatar", func(p *shrooms.Profile) { p.AvatarID = avatar }, false)
	step("bio made public", func(p *shrooms.Profile) { p.BioAudience = shrooms.AudiencePublic }, true)
	step("avatar made public", func(p *shrooms.Profile) { p.AvatarAudience = shrooms.AudiencePublic }, true)
	step("public bio changed", func(p *shrooms.Profile) { p.Bio = "Radios and lamps." }, true)
	step("bio back to members", func(p *shrooms.Profile) { p.BioAudience = shrooms.AudienceMembers }, true)
	if a, _ := db.Actors.FindActorByID(sys, person.ID); a.Name != "Mia W." || a.Summary != "" || a.IconURL == "" {
		t.Fatalf("person actor = name %q summary %q icon %q", a.Name, a.Summary, a.IconURL)
	}

	// The account's display name is the actor's name too.
	if _, err := db.Users.UpdateUser(as(p.member), p.member.ID, shrooms.UserUpdate{Language: ptr("fr")}); err != nil {
		t.Fatal(err)
	}
	if got := len(actorUpdates(t, db, person)); got != want {
		t.Fatalf("language change: %d Updates, want %d", got, want)
	}
	if _, err := db.Users.UpdateUser(as(p.member), p.member.ID, shrooms.UserUpdate{Name: ptr("Mia Wong")}); err != nil {
		t.Fatal(err)
	}
	if got := len(actorUpdates(t, db, person)); got != want+1 {
		t.Fatalf("name change: %d Updates, want %d", got, want+1)
	}
	// Nobody else's actor was announced.
	if got := len(actorUpdates(t, db, p.org)); got != 0 {
		t.Fatalf("%d Updates of the organisation", got)
	}
}

// TestUpdateLocalActorSendsUpdate: a new follow-approval setting is in the
// actor document, so followers hear of it; the same values send nothing.
func TestUpdateLocalActorSendsUpdate(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	org := *p.org
	if err := p.db.Actors.UpdateLocalActor(sys, &org); err != nil {
		t.Fatal(err)
	}
	if got := len(actorUpdates(t, p.db, p.org)); got != 0 {
		t.Fatalf("unchanged actor: %d Updates", got)
	}
	org.ManuallyApprovesFollowers = !org.ManuallyApprovesFollowers
	if err := p.db.Actors.UpdateLocalActor(sys, &org); err != nil {
		t.Fatal(err)
	}
	if got := len(actorUpdates(t, p.db, p.org)); got != 1 {
		t.Fatalf("follow approval changed: %d Updates, want 1", got)
	}
	org.ID = 999
	wantCode(t, p.db.Actors.UpdateLocalActor(sys, &org), shrooms.ENOTFOUND, "")
}
