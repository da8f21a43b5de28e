package store_test

import (
	"reflect"
	"strconv"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	t.Run("defaults", func(t *testing.T) {
		got, err := db.Settings.FindSettings(anon)
		if err != nil {
			t.Fatal(err)
		}
		want := &shrooms.Settings{Name: "Repair Café", PrimaryColor: shrooms.DefaultPrimaryColor,
			AccentColor: shrooms.DefaultAccentColor, SignupMode: shrooms.SignupInvite, Modules: shrooms.Modules,
			DefaultLanguage: "en"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("settings = %+v, want %+v", got, want)
		}
	})
	logo := image(t, p, p.admin)
	s := &shrooms.Settings{Name: " Repair Café Nord ", Description: "We fix things.", PostalAddress: "1 Rue Haute\nLyon",
		LogoID: logo, PrimaryColor: "#112233", AccentColor: "#445566", CustomCSS: "body { margin: 0 }",
		SignupMode: shrooms.SignupOpen, Modules: []string{"loans", "people"}, DefaultLanguage: "fr"}
	if err := db.Settings.UpdateSettings(as(p.admin), s); err != nil {
		t.Fatal(err)
	}
	t.Run("stored", func(t *testing.T) {
		got, err := db.Settings.FindSettings(anon)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) || got.Name != "Repair Café Nord" {
			t.Fatalf("settings = %+v, want %+v", got, s)
		}
		n, err := db.Nodes.FindNode(anon)
		if err != nil || n.Name != "Repair Café Nord" || !reflect.DeepEqual(n.Modules, []string{"loans", "people"}) {
			t.Fatalf("node = %+v, %v", n, err)
		}
	})
	t.Run("organisation actor", func(t *testing.T) {
		org, err := db.Actors.FindOrgActor(anon)
		if err != nil {
			t.Fatal(err)
		}
		if org.ID != p.org.ID || org.Name != "Repair Café Nord" || org.Summary != "We fix things." ||
			org.IconURL != testURL+"/media/"+strconv.FormatInt(logo, 10) {
			t.Fatalf("org actor = %+v", org)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(*shrooms.Settings)
		msg    string
	}{
		{"no name", func(s *shrooms.Settings) { s.Name = " " }, "name"},
		{"bad colour", func(s *shrooms.Settings) { s.PrimaryColor = "red" }, "primary_color"},
		{"unknown module", func(s *shrooms.Settings) { s.Modules = []string{"casino"} }, "casino"},
		{"unknown logo", func(s *shrooms.Settings) { s.LogoID = 999 }, "logo_id"},
		{"style end tag", func(s *shrooms.Settings) { s.CustomCSS = "</STYLE><script>" }, "custom_css"},
		{"bad mode", func(s *shrooms.Settings) { s.SignupMode = "maybe" }, "signup_mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := *s
			bad.Description = "changed"
			tc.change(&bad)
			wantCode(t, db.Settings.UpdateSettings(as(p.admin), &bad), shrooms.EINVALID, tc.msg)
			if got, _ := db.Settings.FindSettings(anon); !reflect.DeepEqual(got, s) {
				t.Fatalf("refused update changed the settings: %+v", got)
			}
		})
	}
	t.Run("every module off", func(t *testing.T) {
		off := *s
		off.Modules = []string{}
		if err := db.Settings.UpdateSettings(as(p.admin), &off); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Settings.FindSettings(anon); len(got.Modules) != 0 {
			t.Fatalf("modules = %v", got.Modules)
		}
	})
	t.Run("before the node exists", func(t *testing.T) {
		db, _ := openDB(t)
		_, err := db.Settings.FindSettings(anon)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

// newBareNode is a node without any admin, as the first start leaves it
// for the setup wizard.
func newBareNode(t *testing.T) *people {
	t.Helper()
	db, clock := openDB(t)
	return &people{db: db, clock: clock, org: initNode(t, db, false)}
}

func validSetup(handle string) *shrooms.Setup {
	return &shrooms.Setup{
		OrgHandle: handle,
		Settings:  shrooms.Settings{Name: "Tool Library", Description: "Borrow, don't buy.", Modules: []string{"inventory", "loans"}},
		Admin:     shrooms.User{Username: "root", Email: "root@example.org", Name: "Root", Role: shrooms.RoleMember},
		Password:  password,
	}
}

func TestCompleteSetup(t *testing.T) {
	t.Parallel()
	p := newBareNode(t)
	db := p.db
	if needs, err := db.Settings.NeedsSetup(anon); err != nil || !needs {
		t.Fatalf("NeedsSetup = %v, %v", needs, err)
	}
	admin, err := db.Settings.CompleteSetup(anon, validSetup("tools"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("admin", func(t *testing.T) {
		if admin.ID == 0 || admin.Role != shrooms.RoleAdmin || !admin.Active() || admin.EmailVerifiedAt.IsZero() {
			t.Fatalf("admin = %+v", admin)
		}
		if err := attempt(db, "root", password, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if needs, _ := db.Settings.NeedsSetup(anon); needs {
			t.Fatal("still needs setup")
		}
	})
	t.Run("organisation renamed", func(t *testing.T) {
		x := db.IRIs()
		org, err := db.Actors.FindOrgActor(anon)
		if err != nil {
			t.Fatal(err)
		}
		if org.ID != p.org.ID || org.Handle != "tools" || org.IRI != x.Actor("tools") || org.URL != x.Actor("tools") ||
			org.Inbox != x.Inbox("tools") || org.Outbox != x.Outbox("tools") || org.Followers != x.Followers("tools") ||
			org.Following != x.Following("tools") || org.KeyID != x.Key("tools") || org.SharedInbox != x.SharedInbox() ||
			org.Name != "Tool Library" || org.Summary != "Borrow, don't buy." {
			t.Fatalf("org = %+v", org)
		}
		if _, err := db.Actors.FindLocalActor(anon, "org"); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			t.Fatalf("old handle still answers: %v", err)
		}
		n, err := db.Nodes.FindNode(anon)
		if err != nil || n.OrgHandle != "tools" || n.Name != "Tool Library" {
			t.Fatalf("node = %+v, %v", n, err)
		}
		s, _ := db.Settings.FindSettings(anon)
		if !reflect.DeepEqual(s.Modules, []string{"inventory", "loans"}) || s.SignupMode != shrooms.SignupInvite {
			t.Fatalf("settings = %+v", s)
		}
	})
	t.Run("only once", func(t *testing.T) {
		_, err := db.Settings.CompleteSetup(anon, validSetup("tools"))
		wantCode(t, err, shrooms.ECONFLICT, "setup is already done")
	})
}

func TestCompleteSetupRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, p *people)
		change  func(s *shrooms.Setup)
		code    string
		msg     string
	}{
		{"after an outgoing follow", func(t *testing.T, p *people) {
			r := remoteActor(t, p.db, "partner.example", "org")
			if _, err := p.db.Follows.CreateFollow(sys, p.org.ID, r.ID); err != nil {
				t.Fatal(err)
			}
		}, nil, shrooms.ECONFLICT, "handle can no longer change"},
		{"after an incoming follow", func(t *testing.T, p *people) {
			r := remoteActor(t, p.db, "partner.example", "org")
			if _, err := p.db.Follows.ReceiveFollow(anon, "https://partner.example/f/1", r.IRI, p.org.IRI, ""); err != nil {
				t.Fatal(err)
			}
		}, nil, shrooms.ECONFLICT, "handle can no longer change"},
		{"after a post", func(t *testing.T, p *people) { insertPublicPost(t, p.db, p.org) },
			nil, shrooms.ECONFLICT, "handle can no longer change"},
		{"handle of a user", func(t *testing.T, p *people) { createUser(t, p.db, "tools", shrooms.RoleMember) },
			nil, shrooms.ECONFLICT, "org_handle"},
		{"handle of a deleted user", func(t *testing.T, p *people) {
			u := createUser(t, p.db, "tools", shrooms.RoleMember)
			if err := p.db.Users.DeleteUser(sys, u.ID); err != nil {
				t.Fatal(err)
			}
		}, nil, shrooms.ECONFLICT, "org_handle"},
		{"admin named like the organisation", nil, func(s *shrooms.Setup) { s.OrgHandle = ""; s.Admin.Username = "org" },
			shrooms.ECONFLICT, "admin username"},
		{"admin named like the new handle", nil, func(s *shrooms.Setup) { s.Admin.Username = "tools" },
			shrooms.ECONFLICT, "admin username"},
		{"bad handle", nil, func(s *shrooms.Setup) { s.OrgHandle = "Tool Library" }, shrooms.EINVALID, "org_handle"},
		{"bad settings", nil, func(s *shrooms.Setup) { s.Settings.AccentColor = "green" }, shrooms.EINVALID, "accent_color"},
		{"bad admin e-mail", nil, func(s *shrooms.Setup) { s.Admin.Email = "root" }, shrooms.EINVALID, "admin email"},
		{"short password", nil, func(s *shrooms.Setup) { s.Password = "short" }, shrooms.EINVALID, "admin password"},
		{"unknown logo", nil, func(s *shrooms.Setup) { s.Settings.LogoID = 42 }, shrooms.EINVALID, "logo_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newBareNode(t)
			if tc.prepare != nil {
				tc.prepare(t, p)
			}
			s := validSetup("tools")
			if tc.change != nil {
				tc.change(s)
			}
			_, err := p.db.Settings.CompleteSetup(anon, s)
			wantCode(t, err, tc.code, tc.msg)
			// Nothing of it was kept.
			if needs, _ := p.db.Settings.NeedsSetup(anon); !needs {
				t.Fatal("an admin was created")
			}
			org, err := p.db.Actors.FindOrgActor(anon)
			if err != nil || org.Handle != "org" || org.Name != "Repair Café" {
				t.Fatalf("org = %+v, %v", org, err)
			}
			if set, _ := p.db.Settings.FindSettings(anon); set.Name != "Repair Café" {
				t.Fatalf("settings changed: %+v", set)
			}
		})
	}
	for _, h := range []string{"", "org"} {
		t.Run("keeping the handle "+strconv.Quote(h)+" after a follow", func(t *testing.T) {
			p := newBareNode(t)
			r := remoteActor(t, p.db, "partner.example", "org")
			if _, err := p.db.Follows.CreateFollow(sys, p.org.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := p.db.Settings.CompleteSetup(anon, validSetup(h)); err != nil {
				t.Fatal(err)
			}
			if org, _ := p.db.Actors.FindOrgActor(anon); org.Handle != "org" || org.Name != "Tool Library" {
				t.Fatalf("org = %+v", org)
			}
		})
	}
	t.Run("when an admin exists", func(t *testing.T) {
		p := newPeople(t)
		_, err := p.db.Settings.CompleteSetup(anon, validSetup("tools"))
		wantCode(t, err, shrooms.ECONFLICT, "setup is already done")
	})
}

func TestInitNodeAdminIsActive(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	admin := &shrooms.User{Username: "ada", Email: "ada@example.org"}
	if _, err := db.Nodes.InitNode(anon, shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "org", Name: "Org"},
		Admin: admin, AdminPassword: password}); err != nil {
		t.Fatal(err)
	}
	u, err := db.Users.FindUserByUsername(anon, "ada")
	if err != nil || !u.Active() || !u.IsAdmin() || u.EmailVerifiedAt.IsZero() {
		t.Fatalf("admin = %+v, %v", u, err)
	}
	if needs, _ := db.Settings.NeedsSetup(anon); needs {
		t.Fatal("a node with an admin needs setup")
	}
}
