package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestCreateUserIsActiveAndVerified(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	u, err := p.db.Users.FindUserByID(sys, p.member.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != shrooms.StatusActive || !u.EmailVerifiedAt.Equal(t0) || u.Dashboard != nil || u.Language != "" {
		t.Fatalf("created user = %+v", u)
	}
	t.Run("asked to be suspended, still active", func(t *testing.T) {
		v := &shrooms.User{Username: "zed", Email: "zed@example.org", Role: shrooms.RoleMember, Status: shrooms.StatusSuspended}
		if err := p.db.Users.CreateUser(as(p.admin), v, password); err != nil {
			t.Fatal(err)
		}
		if got, _ := p.db.Users.FindUserByID(sys, v.ID); got.Status != shrooms.StatusActive {
			t.Fatalf("status = %s", got.Status)
		}
	})
}

func TestFindUsers(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	odd := createUser(t, db, "per_cent", shrooms.RoleMember)
	if _, err := db.Users.UpdateUser(sys, odd.ID, shrooms.UserUpdate{Name: ptr("100% Volunteer"), Status: ptr(shrooms.StatusSuspended)}); err != nil {
		t.Fatal(err)
	}
	names := func(us []*shrooms.User) []string {
		out := []string{}
		for _, u := range us {
			out = append(out, u.Username)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter shrooms.UserFilter
		want   []string
		total  int
	}{
		{"all, by username", shrooms.UserFilter{}, []string{"ada", "mia", "per_cent", "sam"}, 4},
		{"query on the e-mail", shrooms.UserFilter{Query: "MIA@example"}, []string{"mia"}, 1},
		{"query on the name", shrooms.UserFilter{Query: "sam name"}, []string{"sam"}, 1},
		{"percent sign is literal", shrooms.UserFilter{Query: "0%"}, []string{"per_cent"}, 1},
		{"underscore is literal", shrooms.UserFilter{Query: "r_c"}, []string{"per_cent"}, 1},
		{"role", shrooms.UserFilter{Role: shrooms.RoleStaff}, []string{"sam"}, 1},
		{"status", shrooms.UserFilter{Status: shrooms.StatusSuspended}, []string{"per_cent"}, 1},
		{"page", shrooms.UserFilter{Offset: 1, Limit: 2}, []string{"mia", "per_cent"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.Users.FindUsers(as(p.admin), tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(got), tc.want) || total != tc.total {
				t.Fatalf("got %v (total %d), want %v (total %d)", names(got), total, tc.want, tc.total)
			}
		})
	}
	t.Run("a page holds at most 100", func(t *testing.T) {
		raw := rawDB(t, db.Path())
		for i := range 120 {
			res, err := raw.Exec(`INSERT INTO actors (iri, kind, handle, host, local, inbox, key_id, public_key_pem, created_at, updated_at)
				VALUES (?, 'Person', ?, 'other.example', 0, 'https://other.example/inbox', 'k', 'k', 0, 0)`,
				fmt.Sprintf("https://other.example/u%d", i), fmt.Sprintf("u%d", i))
			if err != nil {
				t.Fatal(err)
			}
			actor, _ := res.LastInsertId()
			if _, err := raw.Exec(`INSERT INTO users (username, email, role, password_hash, actor_id, created_at, updated_at)
				VALUES (?, ?, 'member', 'x', ?, 0, 0)`, fmt.Sprintf("zz%03d", i), fmt.Sprintf("zz%d@example.org", i), actor); err != nil {
				t.Fatal(err)
			}
		}
		got, total, err := db.Users.FindUsers(as(p.admin), shrooms.UserFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 100 || total != 124 {
			t.Fatalf("got %d users, total %d; want 100 of 124", len(got), total)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	t.Run("own settings", func(t *testing.T) {
		u, err := db.Users.UpdateUser(as(p.member), p.member.ID, shrooms.UserUpdate{
			Name: ptr("  Mia Wallace "), Language: ptr("fr"), Dashboard: ptr([]string{"loans", "welcome"})})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := db.Users.FindUserByID(sys, p.member.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(u, stored) || stored.Name != "Mia Wallace" || stored.Language != "fr" ||
			!reflect.DeepEqual(stored.Dashboard, []string{"loans", "welcome"}) {
			t.Fatalf("returned %+v, stored %+v", u, stored)
		}
		a, err := db.Actors.FindActorByID(sys, stored.ActorID)
		if err != nil || a.Name != "Mia Wallace" {
			t.Fatalf("person actor name = %q, %v", a.Name, err)
		}
	})
	t.Run("empty dashboard and back to the default", func(t *testing.T) {
		u, err := db.Users.UpdateUser(as(p.member), p.member.ID, shrooms.UserUpdate{Dashboard: ptr([]string{})})
		if err != nil || u.Dashboard == nil || len(u.Dashboard) != 0 {
			t.Fatalf("empty dashboard: %#v, %v", u.Dashboard, err)
		}
		if stored, _ := db.Users.FindUserByID(sys, p.member.ID); stored.Dashboard == nil {
			t.Fatal("empty dashboard read back as the default")
		}
		if _, err := db.Users.UpdateUser(as(p.member), p.member.ID, shrooms.UserUpdate{Dashboard: ptr([]string(nil))}); err != nil {
			t.Fatal(err)
		}
		if stored, _ := db.Users.FindUserByID(sys, p.member.ID); stored.Dashboard != nil {
			t.Fatalf("dashboard = %#v, want nil (default)", stored.Dashboard)
		}
	})
	for _, tc := range []struct {
		name string
		upd  shrooms.UserUpdate
		msg  string
	}{
		{"long name", shrooms.UserUpdate{Name: ptr(string(make([]rune, 101)))}, "name"},
		{"unknown language", shrooms.UserUpdate{Language: ptr("de")}, "language"},
		{"unknown widget", shrooms.UserUpdate{Dashboard: ptr([]string{"weather"})}, "weather"},
		{"widget twice", shrooms.UserUpdate{Dashboard: ptr([]string{"loans", "loans"})}, "twice"},
		{"unknown role", shrooms.UserUpdate{Role: ptr(shrooms.Role("king"))}, "role"},
		{"unknown status", shrooms.UserUpdate{Status: ptr(shrooms.UserStatus("gone"))}, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := db.Users.FindUserByID(sys, p.staff.ID)
			_, err := db.Users.UpdateUser(as(p.admin), p.staff.ID, tc.upd)
			wantCode(t, err, shrooms.EINVALID, tc.msg)
			if after, _ := db.Users.FindUserByID(sys, p.staff.ID); !reflect.DeepEqual(before, after) {
				t.Fatalf("refused update changed the user: %+v", after)
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		_, err := db.Users.UpdateUser(as(p.admin), 999, shrooms.UserUpdate{Name: ptr("x")})
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
	t.Run("admin promotes", func(t *testing.T) {
		u, err := db.Users.UpdateUser(as(p.admin), p.staff.ID, shrooms.UserUpdate{Role: ptr(shrooms.RoleAdmin)})
		if err != nil || u.Role != shrooms.RoleAdmin {
			t.Fatalf("promote: %+v, %v", u, err)
		}
	})
}

func TestLastActiveAdmin(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	demote := shrooms.UserUpdate{Role: ptr(shrooms.RoleStaff)}
	suspend := shrooms.UserUpdate{Status: ptr(shrooms.StatusSuspended)}
	pending := shrooms.UserUpdate{Status: ptr(shrooms.StatusPending)}
	refused := func(t *testing.T) {
		t.Helper()
		for _, upd := range []shrooms.UserUpdate{demote, suspend, pending} {
			_, err := db.Users.UpdateUser(as(p.admin), p.admin.ID, upd)
			wantCode(t, err, shrooms.ECONFLICT, "last active admin")
			_, err = db.Users.UpdateUser(sys, p.admin.ID, upd)
			wantCode(t, err, shrooms.ECONFLICT, "last active admin")
		}
		wantCode(t, db.Users.DeleteUser(sys, p.admin.ID), shrooms.ECONFLICT, "last active admin")
		if u, _ := db.Users.FindUserByID(sys, p.admin.ID); !u.IsAdmin() || !u.Active() {
			t.Fatalf("admin changed: %+v", u)
		}
	}
	t.Run("alone", refused)

	other := createUser(t, db, "bea", shrooms.RoleAdmin)
	if _, err := db.Users.UpdateUser(sys, other.ID, suspend); err != nil {
		t.Fatal(err)
	}
	t.Run("a suspended admin does not count", refused)

	if _, err := db.Users.UpdateUser(sys, other.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusActive)}); err != nil {
		t.Fatal(err)
	}
	t.Run("with another active admin", func(t *testing.T) {
		if _, err := db.Users.UpdateUser(as(p.admin), p.admin.ID, demote); err != nil {
			t.Fatal(err)
		}
		// bea is the last one now.
		_, err := db.Users.UpdateUser(sys, other.ID, demote)
		wantCode(t, err, shrooms.ECONFLICT, "")
	})
}

func TestSuspensionEndsSessionsAndTokens(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	session := login(t, db, "mia")
	token, _, err := db.Users.CreateAPIToken(sys, p.member.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Users.UpdateUser(as(p.admin), p.member.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusSuspended)}); err != nil {
		t.Fatal(err)
	}
	_, err = db.Users.FindUserByAPIToken(anon, token)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "invalid token")
	_, _, err = db.Sessions.FindSession(anon, session)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")

	// Back to active: the token works again, the session is gone for good.
	if _, err := db.Users.UpdateUser(as(p.admin), p.member.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusActive)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Users.FindUserByAPIToken(anon, token); err != nil {
		t.Fatalf("token after reactivation: %v", err)
	}
	_, _, err = db.Sessions.FindSession(anon, session)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "please log in again")
}

func TestAPITokenList(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	_, a, err := db.Users.CreateAPIToken(as(p.member), p.member.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	p.clock.Add(time.Minute)
	secret, b, err := db.Users.CreateAPIToken(as(p.member), p.member.ID, "phone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Users.FindUserByAPIToken(anon, secret); err != nil {
		t.Fatal(err)
	}
	got, err := db.Users.FindAPITokens(as(p.member), p.member.ID)
	if err != nil {
		t.Fatal(err)
	}
	b.LastUsedAt = p.clock.Now()
	if !reflect.DeepEqual(got, []*shrooms.APIToken{a, b}) {
		t.Fatalf("tokens = %+v %+v", got[0], got[1])
	}
	t.Run("another user's token is not found", func(t *testing.T) {
		wantCode(t, db.Users.DeleteAPIToken(as(p.staff), p.staff.ID, a.ID), shrooms.ENOTFOUND, "")
	})
	t.Run("unknown user", func(t *testing.T) {
		_, err := db.Users.FindAPITokens(as(p.admin), 999)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
	t.Run("revoked", func(t *testing.T) {
		if err := db.Users.DeleteAPIToken(as(p.member), p.member.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.Users.FindUserByAPIToken(anon, secret)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "invalid token")
		wantCode(t, db.Users.DeleteAPIToken(as(p.member), p.member.ID, b.ID), shrooms.ENOTFOUND, "")
	})
}

// TestDeleteUser follows shrooms.UserDeletionPolicy.
func TestDeleteUser(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	victim := createUser(t, db, "vic", shrooms.RoleAdmin)
	session := login(t, db, "vic")
	token, _, err := db.Users.CreateAPIToken(sys, victim.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	img := &shrooms.Media{ContentType: "image/png", Data: []byte("png")}
	if err := db.Media.CreateMedia(as(victim), img); err != nil {
		t.Fatal(err)
	}
	if err := db.Profiles.UpdateProfile(as(victim), &shrooms.Profile{UserID: victim.ID, Name: "Vic", Bio: "hello",
		BioAudience: shrooms.AudiencePublic, AvatarID: img.ID,
		Addresses: []shrooms.Address{{Street: "1 Main St", City: "Lyon"}}}); err != nil {
		t.Fatal(err)
	}
	team := &shrooms.Group{Name: "Repairers", MemberIDs: []int64{victim.ID, p.member.ID}}
	if err := db.Groups.CreateGroup(sys, team); err != nil {
		t.Fatal(err)
	}
	_, inv, err := db.Accounts.CreateInvitation(as(victim), "friend@example.org", shrooms.RoleMember, nil)
	if err != nil {
		t.Fatal(err)
	}
	fan := remoteActor(t, db, "fan.example", "fan")
	iri := db.IRIs().Actor("vic")
	if _, err := db.Follows.ReceiveFollow(anon, "https://fan.example/follows/1", fan.IRI, iri, ""); err != nil {
		t.Fatal(err)
	}
	actor, err := db.Actors.FindActorByID(sys, victim.ActorID)
	if err != nil {
		t.Fatal(err)
	}

	if err := db.Users.DeleteUser(as(p.admin), victim.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("account gone", func(t *testing.T) {
		_, err := db.Users.FindUserByID(sys, victim.ID)
		wantCode(t, err, shrooms.ENOTFOUND, "")
		_, _, err = db.Sessions.FindSession(anon, session)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
		_, err = db.Users.FindUserByAPIToken(anon, token)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
		wantCode(t, db.Users.DeleteUser(sys, victim.ID), shrooms.ENOTFOUND, "")
	})
	t.Run("owned rows gone", func(t *testing.T) {
		for _, table := range []string{"sessions", "api_tokens", "email_tokens", "profiles", "addresses", "group_members"} {
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE user_id = ?`, victim.ID); n != 0 {
				t.Errorf("%s: %d rows of the deleted user", table, n)
			}
		}
		g, err := db.Groups.FindGroupByID(sys, team.ID)
		if err != nil || !reflect.DeepEqual(g.MemberIDs, []int64{p.member.ID}) {
			t.Fatalf("group = %+v, %v", g, err)
		}
	})
	t.Run("what they made passes to the organisation", func(t *testing.T) {
		m, err := db.Media.FindMedia(sys, img.ID)
		if err != nil || m.OwnerID != 0 {
			t.Fatalf("media = %+v, %v", m, err)
		}
		invs, err := db.Accounts.FindInvitations(sys)
		if err != nil || len(invs) != 1 || invs[0].ID != inv.ID || invs[0].InvitedBy != 0 {
			t.Fatalf("invitations = %+v, %v", invs, err)
		}
	})
	t.Run("actor no longer answers", func(t *testing.T) {
		for name, find := range map[string]func() (*shrooms.Actor, error){
			"by id":     func() (*shrooms.Actor, error) { return db.Actors.FindActorByID(sys, actor.ID) },
			"by iri":    func() (*shrooms.Actor, error) { return db.Actors.FindActorByIRI(sys, actor.IRI) },
			"by key":    func() (*shrooms.Actor, error) { return db.Actors.FindActorByKeyID(sys, actor.KeyID) },
			"by handle": func() (*shrooms.Actor, error) { return db.Actors.FindLocalActor(sys, "vic") },
		} {
			_, err := find()
			if shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
				t.Errorf("%s: %v, want ENOTFOUND", name, err)
			}
		}
		_, err := db.Follows.ReceiveFollow(anon, "https://fan.example/follows/2", fan.IRI, iri, "")
		wantCode(t, err, shrooms.ENOTFOUND, "")
		if fs, _, _ := db.Follows.FindFollows(sys, shrooms.FollowFilter{}); len(fs) != 0 {
			t.Fatalf("follows of the deleted actor remain: %d", len(fs))
		}
		var key, summary string
		if err := rawDB(t, db.Path()).QueryRow(`SELECT private_key_pem, summary FROM actors WHERE id = ?`, actor.ID).Scan(&key, &summary); err != nil {
			t.Fatal(err)
		}
		if key == actor.PrivateKeyPEM || summary != "" {
			t.Fatalf("deleted actor keeps its private key or summary")
		}
	})
	t.Run("the username is never given again", func(t *testing.T) {
		u := &shrooms.User{Username: "vic", Email: "new-vic@example.org", Role: shrooms.RoleMember}
		wantCode(t, db.Users.CreateUser(sys, u, password), shrooms.ECONFLICT, "username is taken")
	})
	t.Run("the e-mail address is free", func(t *testing.T) {
		u := &shrooms.User{Username: "victor", Email: "vic@example.org", Role: shrooms.RoleMember}
		if err := db.Users.CreateUser(sys, u, password); err != nil {
			t.Fatal(err)
		}
	})
}
