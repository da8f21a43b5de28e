package store_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// image stores a small PNG as u.
func image(t *testing.T, p *people, u *shrooms.User) int64 {
	t.Helper()
	m := &shrooms.Media{ContentType: "image/png", Width: 1, Height: 1, Data: []byte("\x89PNG fake")}
	if err := p.db.Media.CreateMedia(as(u), m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func TestProfileDefaults(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	got, err := p.db.Profiles.FindProfile(as(p.member), p.member.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := &shrooms.Profile{UserID: p.member.ID, Username: "mia", Name: "mia Name",
		BioAudience: shrooms.AudienceMembers, AvatarAudience: shrooms.AudienceMembers, ContactAudience: shrooms.AudienceMembers}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("profile = %+v, want %+v", got, want)
	}
}

func TestProfileVisibility(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	avatar := image(t, p, p.member)
	full := &shrooms.Profile{
		UserID: p.member.ID, Name: "Mia", Bio: "I fix radios.", AvatarID: avatar,
		ContactEmail: "mia.contact@example.org", Phone: "+33 1 23 45 67 89", Website: "https://mia.example",
		BioAudience: shrooms.AudiencePublic, AvatarAudience: shrooms.AudienceMembers, ContactAudience: shrooms.AudienceStaff,
		Addresses: []shrooms.Address{
			{Label: "Workshop", Street: "1 Rue Haute", City: "Lyon", Audience: shrooms.AudienceMembers},
			{Label: "Home", Street: "2 Rue Basse", City: "Lyon", Audience: shrooms.AudienceStaff},
		},
	}
	p.clock.Add(time.Minute)
	if err := db.Profiles.UpdateProfile(as(p.member), full); err != nil {
		t.Fatal(err)
	}
	if full.Username != "mia" || !full.UpdatedAt.Equal(p.clock.Now()) || full.Addresses[0].ID == 0 || full.Addresses[1].ID == 0 {
		t.Fatalf("UpdateProfile did not fill in the profile: %+v", full)
	}
	other := createUser(t, db, "oli", shrooms.RoleMember)

	for _, tc := range []struct {
		name         string
		viewer       *shrooms.User
		bio, contact bool
		avatar       bool
		addresses    int
	}{
		{"self", p.member, true, true, true, 2},
		{"admin", p.admin, true, true, true, 2},
		{"staff", p.staff, true, true, true, 2},
		{"another member", other, true, false, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Profiles.FindProfile(as(tc.viewer), p.member.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Mia" || (got.Bio != "") != tc.bio || (got.ContactEmail != "") != tc.contact ||
				(got.Phone != "") != tc.contact || (got.AvatarID != 0) != tc.avatar || len(got.Addresses) != tc.addresses {
				t.Fatalf("profile as seen by %s: %+v", tc.name, got)
			}
			if tc.addresses == 2 && !reflect.DeepEqual(got, full) {
				t.Fatalf("whole profile\n got %+v\nwant %+v", got, full)
			}
		})
	}
	t.Run("anonymous", func(t *testing.T) {
		_, err := db.Profiles.FindProfile(anon, p.member.ID)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	})
	t.Run("directory", func(t *testing.T) {
		got, total, err := db.Profiles.FindProfiles(as(other), shrooms.ProfileFilter{Query: "mi"})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(got) != 1 || got[0].UserID != p.member.ID || got[0].ContactEmail != "" ||
			got[0].Bio == "" || len(got[0].Addresses) != 1 {
			t.Fatalf("directory = %d %+v", total, got)
		}
		mine, _, err := db.Profiles.FindProfiles(as(p.member), shrooms.ProfileFilter{Query: "Mia"})
		if err != nil || len(mine) != 1 || !reflect.DeepEqual(mine[0], full) {
			t.Fatalf("own entry = %+v, %v", mine, err)
		}
	})
	t.Run("suspended members are hidden but from admins", func(t *testing.T) {
		if _, err := db.Users.UpdateUser(sys, p.member.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusSuspended)}); err != nil {
			t.Fatal(err)
		}
		_, err := db.Profiles.FindProfile(as(other), p.member.ID)
		wantCode(t, err, shrooms.ENOTFOUND, "")
		if _, err := db.Profiles.FindProfile(as(p.admin), p.member.ID); err != nil {
			t.Fatal(err)
		}
		all, total, err := db.Profiles.FindProfiles(as(p.admin), shrooms.ProfileFilter{})
		if err != nil || total != 3 || len(all) != 3 {
			t.Fatalf("directory of active members = %d, %v", total, err)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		_, err := db.Profiles.FindProfile(as(p.admin), 999)
		wantCode(t, err, shrooms.ENOTFOUND, "")
		_, err = db.Profiles.FindProfile(as(other), 999)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

func TestProfileUpdatesThePersonActor(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	avatar := image(t, p, p.member)
	actor := func() *shrooms.Actor {
		t.Helper()
		a, err := db.Actors.FindActorByID(sys, p.member.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	prof := &shrooms.Profile{UserID: p.member.ID, Name: "Mia W.", Bio: "Radios.", AvatarID: avatar,
		BioAudience: shrooms.AudiencePublic, AvatarAudience: shrooms.AudiencePublic}
	if err := db.Profiles.UpdateProfile(as(p.member), prof); err != nil {
		t.Fatal(err)
	}
	a := actor()
	if a.Name != "Mia W." || a.Summary != "Radios." || a.IconURL != testURL+"/media/"+strconv.FormatInt(avatar, 10) {
		t.Fatalf("public actor = name %q summary %q icon %q", a.Name, a.Summary, a.IconURL)
	}
	if u, _ := db.Users.FindUserByID(sys, p.member.ID); u.Name != "Mia W." {
		t.Fatalf("user name = %q", u.Name)
	}

	prof.BioAudience, prof.AvatarAudience, prof.Name = shrooms.AudiencePartners, shrooms.AudienceMembers, ""
	if err := db.Profiles.UpdateProfile(as(p.admin), prof); err != nil {
		t.Fatal(err)
	}
	if a := actor(); a.Name != "mia" || a.Summary != "" || a.IconURL != "" {
		t.Fatalf("private actor = name %q summary %q icon %q", a.Name, a.Summary, a.IconURL)
	}

	for _, tc := range []struct {
		name   string
		change func(*shrooms.Profile)
		msg    string
	}{
		{"unknown avatar", func(p *shrooms.Profile) { p.AvatarID = 999 }, "avatar_id"},
		{"bad website", func(p *shrooms.Profile) { p.Website = "ftp://mia.example" }, "website"},
		{"bad audience", func(p *shrooms.Profile) { p.BioAudience = "friends" }, "bio_audience"},
		{"address without street or city", func(p *shrooms.Profile) { p.Addresses = []shrooms.Address{{Label: "x"}} }, "address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := db.Profiles.FindProfile(sys, p.member.ID)
			bad := *prof
			bad.Bio = "changed"
			tc.change(&bad)
			wantCode(t, db.Profiles.UpdateProfile(as(p.member), &bad), shrooms.EINVALID, tc.msg)
			if after, _ := db.Profiles.FindProfile(sys, p.member.ID); !reflect.DeepEqual(before, after) {
				t.Fatalf("refused update changed the profile")
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		wantCode(t, db.Profiles.UpdateProfile(sys, &shrooms.Profile{UserID: 999}), shrooms.ENOTFOUND, "")
	})
	t.Run("addresses are replaced", func(t *testing.T) {
		prof.Addresses = []shrooms.Address{{City: "Lyon"}, {City: "Paris"}}
		if err := db.Profiles.UpdateProfile(as(p.member), prof); err != nil {
			t.Fatal(err)
		}
		prof.Addresses = []shrooms.Address{{City: "Nantes"}}
		if err := db.Profiles.UpdateProfile(as(p.member), prof); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Profiles.FindProfile(sys, p.member.ID)
		if len(got.Addresses) != 1 || got.Addresses[0].City != "Nantes" || got.Addresses[0].Audience != shrooms.AudienceStaff {
			t.Fatalf("addresses = %+v", got.Addresses)
		}
	})
}
