package store_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestGroups(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	ctx := as(p.admin)
	repair := &shrooms.Group{Name: " Repairers ", Description: "Fix things", MemberIDs: []int64{p.member.ID, p.staff.ID, p.member.ID}}
	if err := db.Groups.CreateGroup(ctx, repair); err != nil {
		t.Fatal(err)
	}
	if repair.ID == 0 || repair.Name != "Repairers" || !reflect.DeepEqual(repair.MemberIDs, []int64{p.staff.ID, p.member.ID}) {
		t.Fatalf("created %+v", repair)
	}
	desk := &shrooms.Group{Name: "Desk"}
	if err := db.Groups.CreateGroup(ctx, desk); err != nil {
		t.Fatal(err)
	}
	t.Run("listed by name with members", func(t *testing.T) {
		got, err := db.Groups.FindGroups(as(p.member))
		if err != nil {
			t.Fatal(err)
		}
		want := []*shrooms.Group{{ID: desk.ID, Name: "Desk", MemberIDs: []int64{}}, repair}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("groups = %+v %+v", got[0], got[1])
		}
		g, err := db.Groups.FindGroupByID(as(p.member), repair.ID)
		if err != nil || !reflect.DeepEqual(g, repair) {
			t.Fatalf("FindGroupByID = %+v, %v", g, err)
		}
	})
	for _, tc := range []struct {
		name string
		err  func() error
		code string
		msg  string
	}{
		{"taken name in another case", func() error { return db.Groups.CreateGroup(ctx, &shrooms.Group{Name: "desk"}) }, shrooms.ECONFLICT, "name"},
		{"rename to a taken name", func() error { return db.Groups.UpdateGroup(ctx, &shrooms.Group{ID: desk.ID, Name: "REPAIRERS"}) }, shrooms.ECONFLICT, "name"},
		{"empty name", func() error { return db.Groups.CreateGroup(ctx, &shrooms.Group{Name: "  "}) }, shrooms.EINVALID, "name"},
		{"unknown member", func() error {
			return db.Groups.CreateGroup(ctx, &shrooms.Group{Name: "Ghosts", MemberIDs: []int64{999}})
		}, shrooms.ENOTFOUND, ""},
		{"update unknown", func() error { return db.Groups.UpdateGroup(ctx, &shrooms.Group{ID: 999, Name: "x"}) }, shrooms.ENOTFOUND, ""},
		{"delete unknown", func() error { return db.Groups.DeleteGroup(ctx, 999) }, shrooms.ENOTFOUND, ""},
		{"members of unknown", func() error { return db.Groups.SetGroupMembers(ctx, 999, nil) }, shrooms.ENOTFOUND, ""},
		{"unknown new member", func() error { return db.Groups.SetGroupMembers(ctx, desk.ID, []int64{p.member.ID, 999}) }, shrooms.ENOTFOUND, ""},
		{"find unknown", func() error { _, err := db.Groups.FindGroupByID(ctx, 999); return err }, shrooms.ENOTFOUND, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.err(), tc.code, tc.msg)
		})
	}
	t.Run("refusals changed nothing", func(t *testing.T) {
		got, _ := db.Groups.FindGroups(ctx)
		if len(got) != 2 || len(got[0].MemberIDs) != 0 {
			t.Fatalf("groups = %+v", got)
		}
	})
	t.Run("update keeps the members", func(t *testing.T) {
		upd := &shrooms.Group{ID: repair.ID, Name: "Fixers", Description: "Fix more"}
		if err := db.Groups.UpdateGroup(ctx, upd); err != nil {
			t.Fatal(err)
		}
		g, _ := db.Groups.FindGroupByID(ctx, repair.ID)
		if g.Name != "Fixers" || g.Description != "Fix more" || len(g.MemberIDs) != 2 || !reflect.DeepEqual(upd, g) {
			t.Fatalf("group = %+v, returned %+v", g, upd)
		}
	})
	t.Run("set members", func(t *testing.T) {
		if err := db.Groups.SetGroupMembers(ctx, desk.ID, []int64{p.admin.ID}); err != nil {
			t.Fatal(err)
		}
		if err := db.Groups.SetGroupMembers(ctx, repair.ID, nil); err != nil {
			t.Fatal(err)
		}
		if g, _ := db.Groups.FindGroupByID(ctx, desk.ID); !reflect.DeepEqual(g.MemberIDs, []int64{p.admin.ID}) {
			t.Fatalf("desk members = %v", g.MemberIDs)
		}
		if g, _ := db.Groups.FindGroupByID(ctx, repair.ID); len(g.MemberIDs) != 0 {
			t.Fatalf("repairers members = %v", g.MemberIDs)
		}
	})
	t.Run("delete takes the group's grants along", func(t *testing.T) {
		grants := append(shrooms.DefaultGrants(), shrooms.Grant{Module: "stock", GroupID: desk.ID, Access: shrooms.AccessReadWrite})
		if err := db.Groups.SetGrants(ctx, grants); err != nil {
			t.Fatal(err)
		}
		if err := db.Groups.DeleteGroup(ctx, desk.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Groups.FindGrants(ctx)
		if len(got) != len(shrooms.DefaultGrants()) {
			t.Fatalf("%d grants left, want %d", len(got), len(shrooms.DefaultGrants()))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM group_members WHERE group_id = ?`, desk.ID); n != 0 {
			t.Fatalf("%d memberships left", n)
		}
	})
}

func TestGrants(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	ctx := as(p.admin)
	strip := func(gs []shrooms.Grant) []shrooms.Grant {
		out := []shrooms.Grant{}
		for _, g := range gs {
			g.ID = 0
			out = append(out, g)
		}
		return out
	}
	t.Run("a new node has the default grants", func(t *testing.T) {
		got, err := db.Groups.FindGrants(as(p.member))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(strip(got), shrooms.DefaultGrants()) {
			t.Fatalf("grants = %+v", got)
		}
	})
	team := &shrooms.Group{Name: "Team"}
	if err := db.Groups.CreateGroup(ctx, team); err != nil {
		t.Fatal(err)
	}
	valid := []shrooms.Grant{
		{Module: "loans", Role: shrooms.RoleMember, Access: shrooms.AccessRead},
		{Module: "stock", GroupID: team.ID, Access: shrooms.AccessReadWrite},
	}
	for _, tc := range []struct {
		name string
		bad  shrooms.Grant
		msg  string
	}{
		{"unknown module", shrooms.Grant{Module: "casino", Role: shrooms.RoleStaff}, "grant 3 (casino)"},
		{"both subjects", shrooms.Grant{Module: "pages", Role: shrooms.RoleStaff, GroupID: team.ID}, "grant 3"},
		{"no subject", shrooms.Grant{Module: "pages"}, "exactly one"},
		{"admin role", shrooms.Grant{Module: "pages", Role: shrooms.RoleAdmin}, "admins"},
		{"unknown role", shrooms.Grant{Module: "pages", Role: "king"}, "role"},
		{"unknown group", shrooms.Grant{Module: "pages", GroupID: 999}, "group 999"},
		{"bad access", shrooms.Grant{Module: "pages", Role: shrooms.RoleStaff, Access: 4}, "access"},
		{"twice", shrooms.Grant{Module: "loans", Role: shrooms.RoleMember, Access: shrooms.AccessReadWrite}, "already granted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := db.Groups.FindGrants(ctx)
			err := db.Groups.SetGrants(ctx, append(append([]shrooms.Grant{}, valid...), tc.bad))
			wantCode(t, err, shrooms.EINVALID, tc.msg)
			if after, _ := db.Groups.FindGrants(ctx); !reflect.DeepEqual(before, after) {
				t.Fatal("refused grants changed the grants")
			}
		})
	}
	t.Run("replaced", func(t *testing.T) {
		gs := append([]shrooms.Grant{}, valid...)
		if err := db.Groups.SetGrants(ctx, gs); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Groups.FindGrants(ctx)
		if !reflect.DeepEqual(got, gs) || gs[0].ID == 0 {
			t.Fatalf("grants = %+v, want %+v", got, gs)
		}
	})
}

func TestMedia(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	for _, tc := range []struct {
		name string
		m    shrooms.Media
		code string
		msg  string
	}{
		{"too large", shrooms.Media{ContentType: "image/png", Data: bytes.Repeat([]byte("x"), shrooms.MaxMediaBytes+1)}, shrooms.ETOOLARGE, "2 MB"},
		{"gif", shrooms.Media{ContentType: "image/gif", Data: []byte("GIF89a")}, shrooms.EINVALID, "content_type"},
		{"empty", shrooms.Media{ContentType: "image/png"}, shrooms.EINVALID, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, db.Media.CreateMedia(as(p.member), &tc.m), tc.code, tc.msg)
		})
	}
	t.Run("largest accepted", func(t *testing.T) {
		m := &shrooms.Media{ContentType: "image/jpeg", Width: 640, Height: 480, Data: bytes.Repeat([]byte("j"), shrooms.MaxMediaBytes), OwnerID: p.admin.ID}
		if err := db.Media.CreateMedia(as(p.member), m); err != nil {
			t.Fatal(err)
		}
		got, err := db.Media.FindMedia(as(p.member), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID == 0 || got.OwnerID != p.member.ID || !reflect.DeepEqual(got, m) {
			t.Fatalf("stored %+v (owner %d)", got.ContentType, got.OwnerID)
		}
	})
	t.Run("the organisation's", func(t *testing.T) {
		m := &shrooms.Media{ContentType: "image/png", Data: []byte("png")}
		if err := db.Media.CreateMedia(sys, m); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Media.FindMedia(sys, m.ID); got.OwnerID != 0 {
			t.Fatalf("owner = %d", got.OwnerID)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := db.Media.FindMedia(anon, 999)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

// TestMediaVisibility: an image is seen by whoever may see what points at
// it.
func TestMediaVisibility(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	upload := func(ctx context.Context) int64 {
		m := &shrooms.Media{ContentType: "image/png", Data: []byte("png")}
		if err := db.Media.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	sees := func(ctx context.Context, id int64) bool {
		_, err := db.Media.FindMedia(ctx, id)
		if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	loose := upload(as(p.member))
	if !sees(as(p.member), loose) || !sees(as(p.admin), loose) || sees(as(p.staff), loose) || sees(anon, loose) {
		t.Error("an image nothing points at is seen beyond its uploader and admins")
	}

	avatar := upload(as(p.member))
	prof, err := db.Profiles.FindProfile(as(p.member), p.member.ID)
	if err != nil {
		t.Fatal(err)
	}
	prof.AvatarID, prof.AvatarAudience = avatar, shrooms.AudienceStaff
	if err := db.Profiles.UpdateProfile(as(p.member), prof); err != nil {
		t.Fatal(err)
	}
	if !sees(as(p.staff), avatar) || sees(anon, avatar) {
		t.Error("a staff-only avatar: staff must see it, anonymous visitors not")
	}
	prof.AvatarAudience = shrooms.AudiencePublic
	if err := db.Profiles.UpdateProfile(as(p.member), prof); err != nil {
		t.Fatal(err)
	}
	if !sees(anon, avatar) {
		t.Error("a public avatar is hidden from anonymous visitors")
	}

	logo := upload(sys)
	s, err := db.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	if sees(anon, logo) {
		t.Error("an unused organisation image is public")
	}
	s.LogoID = logo
	if err := db.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	if !sees(anon, logo) {
		t.Error("the logo is hidden")
	}
}
