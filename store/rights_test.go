package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Expected outcomes in rights tables.
const (
	pass   = ""
	unauth = shrooms.EUNAUTHORIZED
	forbid = shrooms.EFORBIDDEN
	nf     = shrooms.ENOTFOUND
)

// TestRights tries every checked method as each caller: anonymous,
// member, staff, admin and system. Each op prepares what it needs as the
// system, then acts as the caller.
func TestRights(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	var seq atomic.Int64
	next := func() int64 { return seq.Add(1) }
	pendingFollow := func(t *testing.T) int64 {
		// An incoming follow request of a new remote actor.
		r := remoteActor(t, db, fmt.Sprintf("p%d.example", next()), "org")
		if err := db.Actors.UpdateLocalActor(sys, &shrooms.Actor{ID: p.org.ID, Name: p.org.Name, ManuallyApprovesFollowers: true}); err != nil {
			t.Fatal(err)
		}
		f, err := db.Follows.ReceiveFollow(anon, db.IRIs().NewActivity(), r.IRI, p.org.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	group := func(t *testing.T) int64 {
		g := &shrooms.Group{Name: fmt.Sprintf("team %d", next())}
		if err := db.Groups.CreateGroup(sys, g); err != nil {
			t.Fatal(err)
		}
		return g.ID
	}

	for _, tc := range []struct {
		name string
		op   func(t *testing.T, ctx context.Context) error
		want [5]string // anonymous, member, staff, admin, system
	}{
		{"CreateUser", func(t *testing.T, ctx context.Context) error {
			n := next()
			return db.Users.CreateUser(ctx, &shrooms.User{Username: fmt.Sprintf("new%d", n), Email: fmt.Sprintf("new%d@example.org", n), Role: shrooms.RoleMember}, password)
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"FindUsers", func(t *testing.T, ctx context.Context) error {
			_, _, err := db.Users.FindUsers(ctx, shrooms.UserFilter{})
			return err
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"UpdateUser other's name", func(t *testing.T, ctx context.Context) error {
			_, err := db.Users.UpdateUser(ctx, p.staff.ID, shrooms.UserUpdate{Name: ptr("Sam")})
			return err
		}, [5]string{unauth, nf, pass, pass, pass}},
		{"UpdateUser own name", func(t *testing.T, ctx context.Context) error {
			_, err := db.Users.UpdateUser(ctx, p.member.ID, shrooms.UserUpdate{Name: ptr("Mia")})
			return err
		}, [5]string{unauth, pass, nf, pass, pass}},
		{"UpdateUser own role", func(t *testing.T, ctx context.Context) error {
			_, err := db.Users.UpdateUser(ctx, p.member.ID, shrooms.UserUpdate{Role: ptr(shrooms.RoleMember)})
			return err
		}, [5]string{unauth, forbid, nf, pass, pass}},
		{"UpdateUser own status", func(t *testing.T, ctx context.Context) error {
			_, err := db.Users.UpdateUser(ctx, p.member.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusActive)})
			return err
		}, [5]string{unauth, forbid, nf, pass, pass}},
		{"DeleteUser", func(t *testing.T, ctx context.Context) error {
			victim := createUser(t, db, fmt.Sprintf("victim%d", next()), shrooms.RoleMember)
			return db.Users.DeleteUser(ctx, victim.ID)
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"CreateAPIToken for the member", func(t *testing.T, ctx context.Context) error {
			_, _, err := db.Users.CreateAPIToken(ctx, p.member.ID, "t")
			return err
		}, [5]string{unauth, pass, nf, pass, pass}},
		{"FindAPITokens of the member", func(t *testing.T, ctx context.Context) error {
			_, err := db.Users.FindAPITokens(ctx, p.member.ID)
			return err
		}, [5]string{unauth, pass, nf, pass, pass}},
		{"DeleteAPIToken of the member", func(t *testing.T, ctx context.Context) error {
			_, tok, err := db.Users.CreateAPIToken(sys, p.member.ID, "t")
			if err != nil {
				t.Fatal(err)
			}
			return db.Users.DeleteAPIToken(ctx, p.member.ID, tok.ID)
		}, [5]string{unauth, pass, nf, pass, pass}},
		{"DeleteAPITokens of the member", func(t *testing.T, ctx context.Context) error {
			_, err := db.Users.DeleteAPITokens(ctx, p.member.ID)
			return err
		}, [5]string{unauth, pass, nf, pass, pass}},
		{"CreateInvitation", func(t *testing.T, ctx context.Context) error {
			_, _, err := db.Accounts.CreateInvitation(ctx, fmt.Sprintf("inv%d@example.org", next()), shrooms.RoleMember, nil)
			return err
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"FindInvitations", func(t *testing.T, ctx context.Context) error {
			_, err := db.Accounts.FindInvitations(ctx)
			return err
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"DeleteInvitation", func(t *testing.T, ctx context.Context) error {
			_, inv, err := db.Accounts.CreateInvitation(sys, fmt.Sprintf("inv%d@example.org", next()), shrooms.RoleMember, nil)
			if err != nil {
				t.Fatal(err)
			}
			return db.Accounts.DeleteInvitation(ctx, inv.ID)
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"FindSettings", func(t *testing.T, ctx context.Context) error {
			_, err := db.Settings.FindSettings(ctx)
			return err
		}, [5]string{pass, pass, pass, pass, pass}},
		{"UpdateSettings", func(t *testing.T, ctx context.Context) error {
			s, err := db.Settings.FindSettings(sys)
			if err != nil {
				t.Fatal(err)
			}
			return db.Settings.UpdateSettings(ctx, s)
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"CreateMedia", func(t *testing.T, ctx context.Context) error {
			return db.Media.CreateMedia(ctx, &shrooms.Media{ContentType: "image/png", Data: []byte("png")})
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"FindMedia", func(t *testing.T, ctx context.Context) error {
			m := &shrooms.Media{ContentType: "image/png", Data: []byte("png")}
			if err := db.Media.CreateMedia(sys, m); err != nil {
				t.Fatal(err)
			}
			_, err := db.Media.FindMedia(ctx, m.ID) // nothing points at it yet
			return err
		}, [5]string{shrooms.ENOTFOUND, shrooms.ENOTFOUND, shrooms.ENOTFOUND, pass, pass}},
		{"FindProfile of the member", func(t *testing.T, ctx context.Context) error {
			_, err := db.Profiles.FindProfile(ctx, p.member.ID)
			return err
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"FindProfile of the admin", func(t *testing.T, ctx context.Context) error {
			_, err := db.Profiles.FindProfile(ctx, p.admin.ID)
			return err
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"FindProfiles", func(t *testing.T, ctx context.Context) error {
			_, _, err := db.Profiles.FindProfiles(ctx, shrooms.ProfileFilter{})
			return err
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"UpdateProfile of the member", func(t *testing.T, ctx context.Context) error {
			return db.Profiles.UpdateProfile(ctx, &shrooms.Profile{UserID: p.member.ID, Name: "Mia"})
		}, [5]string{unauth, pass, nf, pass, pass}},
		{"FindGroups", func(t *testing.T, ctx context.Context) error {
			_, err := db.Groups.FindGroups(ctx)
			return err
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"FindGroupByID", func(t *testing.T, ctx context.Context) error {
			_, err := db.Groups.FindGroupByID(ctx, group(t))
			return err
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"CreateGroup", func(t *testing.T, ctx context.Context) error {
			return db.Groups.CreateGroup(ctx, &shrooms.Group{Name: fmt.Sprintf("g%d", next())})
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"UpdateGroup", func(t *testing.T, ctx context.Context) error {
			return db.Groups.UpdateGroup(ctx, &shrooms.Group{ID: group(t), Name: fmt.Sprintf("g%d", next())})
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"DeleteGroup", func(t *testing.T, ctx context.Context) error {
			return db.Groups.DeleteGroup(ctx, group(t))
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"SetGroupMembers", func(t *testing.T, ctx context.Context) error {
			return db.Groups.SetGroupMembers(ctx, group(t), []int64{p.member.ID})
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"FindGrants", func(t *testing.T, ctx context.Context) error {
			_, err := db.Groups.FindGrants(ctx)
			return err
		}, [5]string{unauth, pass, pass, pass, pass}},
		{"SetGrants", func(t *testing.T, ctx context.Context) error {
			return db.Groups.SetGrants(ctx, shrooms.DefaultGrants())
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"CreateFollow", func(t *testing.T, ctx context.Context) error {
			_, err := db.Follows.CreateFollow(ctx, p.org.ID, remoteActor(t, db, fmt.Sprintf("f%d.example", next()), "org").ID)
			return err
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"Unfollow", func(t *testing.T, ctx context.Context) error {
			r := remoteActor(t, db, fmt.Sprintf("u%d.example", next()), "org")
			if _, err := db.Follows.CreateFollow(sys, p.org.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			return db.Follows.Unfollow(ctx, p.org.ID, r.ID)
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"ApproveFollowRequest", func(t *testing.T, ctx context.Context) error {
			_, err := db.Follows.ApproveFollowRequest(ctx, pendingFollow(t))
			return err
		}, [5]string{unauth, forbid, forbid, pass, pass}},
		{"RejectFollowRequest", func(t *testing.T, ctx context.Context) error {
			_, err := db.Follows.RejectFollowRequest(ctx, pendingFollow(t))
			return err
		}, [5]string{unauth, forbid, forbid, pass, pass}},
	} {
		for i, c := range callers {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				err := tc.op(t, c.ctx(p))
				if tc.want[i] == pass {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				wantCode(t, err, tc.want[i], "")
			})
		}
	}
}

// A user the context carries who is no longer active holds no rights,
// whatever their role: the session lookup should have refused them, and
// the rules do not trust it to have.
func TestRightsOfInactiveUsers(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	for _, st := range []shrooms.UserStatus{shrooms.StatusSuspended, shrooms.StatusPending} {
		t.Run(string(st), func(t *testing.T) {
			admin := *p.admin
			admin.Status = st
			_, _, err := p.db.Users.FindUsers(as(&admin), shrooms.UserFilter{})
			wantCode(t, err, forbid, "")
			_, err = p.db.Groups.FindGroups(as(&admin))
			wantCode(t, err, unauth, "")
			err = p.db.Media.CreateMedia(as(&admin), &shrooms.Media{ContentType: "image/png", Data: []byte("png")})
			wantCode(t, err, unauth, "")
			member := *p.member
			member.Status = st
			_, err = p.db.Users.FindAPITokens(as(&member), member.ID)
			wantCode(t, err, nf, "")
		})
	}
}

// A module that is off does not exist for anyone but the system, admins
// included; turning it back on restores access.
func TestModuleOff(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	setModules(t, p.db, "inventory", "loans")
	for i, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := p.db.Profiles.FindProfiles(c.ctx(p), shrooms.ProfileFilter{})
			if i == len(callers)-1 {
				if err != nil {
					t.Fatalf("system refused: %v", err)
				}
				return
			}
			wantCode(t, err, nf, "module people is off")
		})
	}
	t.Run("another member's profile", func(t *testing.T) {
		_, err := p.db.Profiles.FindProfile(as(p.member), p.staff.ID)
		wantCode(t, err, nf, "")
	})
	t.Run("own profile and admins keep access to profiles", func(t *testing.T) {
		if _, err := p.db.Profiles.FindProfile(as(p.member), p.member.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := p.db.Profiles.FindProfile(as(p.admin), p.member.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("back on", func(t *testing.T) {
		setModules(t, p.db, "people")
		if _, _, err := p.db.Profiles.FindProfiles(as(p.member), shrooms.ProfileFilter{}); err != nil {
			t.Fatal(err)
		}
	})
}

// Grants decide module access: without the member role's grant a member
// may not read the directory, with a grant to one of their groups they
// may.
func TestGrantsDecideModuleAccess(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	other := createUser(t, db, "oli", shrooms.RoleMember)
	team := &shrooms.Group{Name: "Welcome desk", MemberIDs: []int64{p.member.ID}}
	if err := db.Groups.CreateGroup(sys, team); err != nil {
		t.Fatal(err)
	}
	var grants []shrooms.Grant
	for _, g := range shrooms.DefaultGrants() {
		if g.Module == "people" && g.Role == shrooms.RoleMember {
			continue
		}
		grants = append(grants, g)
	}
	if err := db.Groups.SetGrants(sys, grants); err != nil {
		t.Fatal(err)
	}
	find := func(u *shrooms.User) error {
		_, _, err := db.Profiles.FindProfiles(as(u), shrooms.ProfileFilter{})
		return err
	}
	t.Run("no grant", func(t *testing.T) {
		wantCode(t, find(p.member), forbid, "")
		wantCode(t, find(other), forbid, "")
		if err := find(p.staff); err != nil {
			t.Fatalf("staff: %v", err)
		}
	})
	if err := db.Groups.SetGrants(sys, append(grants, shrooms.Grant{Module: "people", GroupID: team.ID, Access: shrooms.AccessRead})); err != nil {
		t.Fatal(err)
	}
	t.Run("grant to the member's group", func(t *testing.T) {
		if err := find(p.member); err != nil {
			t.Fatalf("member of the group: %v", err)
		}
		wantCode(t, find(other), forbid, "")
	})
}
