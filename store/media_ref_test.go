package store_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// refs is a node whose images belong to different people: Mia's avatar
// (members only), Oli's loose upload, an admin's and another admin's
// uploads, an organisation image, and a photo and thumbnail of a
// staff-only item.
type refs struct {
	*inv
	oli, ada2                             *shrooms.User
	miaAvatar, oliImg, adminImg, ada2Img  int64
	orgImg, photo, thumb, staffItem, miaX int64
}

func newRefs(t *testing.T) *refs {
	t.Helper()
	r := &refs{inv: newInv(t)}
	r.oli = createUser(t, r.db, "oli", shrooms.RoleMember)
	r.ada2 = createUser(t, r.db, "ada2", shrooms.RoleAdmin)
	up := func(ctx context.Context) int64 {
		m := &shrooms.Media{ContentType: "image/png", Width: 1, Height: 1, Data: []byte("png")}
		if err := r.db.Media.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	r.miaAvatar, r.miaX, r.oliImg = up(as(r.member)), up(as(r.member)), up(as(r.oli))
	r.adminImg, r.ada2Img, r.orgImg = up(as(r.admin)), up(as(r.ada2)), up(sys)
	if err := r.db.Profiles.UpdateProfile(as(r.member), &shrooms.Profile{UserID: r.member.ID, Name: "Mia", AvatarID: r.miaAvatar,
		BioAudience: shrooms.AudienceMembers, AvatarAudience: shrooms.AudienceMembers, ContactAudience: shrooms.AudienceMembers}); err != nil {
		t.Fatal(err)
	}
	it := r.item(t, &shrooms.Item{Name: "Safe", Audience: shrooms.AudienceStaff})
	p, tb := img("safe")
	if _, err := r.db.Items.AddItemPhoto(as(r.staff), it.ID, p, tb); err != nil {
		t.Fatal(err)
	}
	r.staffItem, r.photo, r.thumb = it.ID, p.ID, tb.ID
	return r
}

// sees reports whether ctx may fetch image id.
func (r *refs) sees(t *testing.T, ctx context.Context, id int64) bool {
	t.Helper()
	_, err := r.db.Media.FindMedia(ctx, id)
	if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

// profile is a valid profile of u with a public avatar.
func profileWith(u *shrooms.User, avatar int64) *shrooms.Profile {
	return &shrooms.Profile{UserID: u.ID, Name: u.Name, AvatarID: avatar, BioAudience: shrooms.AudienceMembers,
		AvatarAudience: shrooms.AudiencePublic, ContactAudience: shrooms.AudienceMembers}
}

// TestMediaReferenceRule: a record points only at an image its rightful
// owner uploaded (an avatar: the member; the logo: the admin setting it,
// the organisation for the system and the setup wizard), or keeps the one
// it points at; anything else is EINVALID naming the field and changes
// nothing, whoever asks.
func TestMediaReferenceRule(t *testing.T) {
	t.Parallel()
	r := newRefs(t)
	ok := ""
	for _, tc := range []struct {
		name  string
		ctx   func() context.Context
		user  func() *shrooms.User // whose profile; nil: the logo
		image func() int64
		want  string // "" accepted, else the field named by EINVALID
	}{
		{"member, another member's image", func() context.Context { return as(r.oli) }, func() *shrooms.User { return r.oli }, func() int64 { return r.miaAvatar }, "avatar_id"},
		{"member, a staff-only item's photo", func() context.Context { return as(r.oli) }, func() *shrooms.User { return r.oli }, func() int64 { return r.photo }, "avatar_id"},
		{"member, a staff-only item's thumbnail", func() context.Context { return as(r.oli) }, func() *shrooms.User { return r.oli }, func() int64 { return r.thumb }, "avatar_id"},
		{"member, the organisation's image", func() context.Context { return as(r.oli) }, func() *shrooms.User { return r.oli }, func() int64 { return r.orgImg }, "avatar_id"},
		{"member, no such image", func() context.Context { return as(r.oli) }, func() *shrooms.User { return r.oli }, func() int64 { return 999 }, "avatar_id"},
		{"staff, the photo they uploaded", func() context.Context { return as(r.staff) }, func() *shrooms.User { return r.staff }, func() int64 { return r.photo }, ok},
		{"admin, a member's image on their own profile", func() context.Context { return as(r.admin) }, func() *shrooms.User { return r.admin }, func() int64 { return r.miaAvatar }, "avatar_id"},
		{"admin, their own upload on a member's profile", func() context.Context { return as(r.admin) }, func() *shrooms.User { return r.oli }, func() int64 { return r.adminImg }, "avatar_id"},
		{"admin, the member's own upload on their profile", func() context.Context { return as(r.admin) }, func() *shrooms.User { return r.oli }, func() int64 { return r.oliImg }, ok},
		{"system, the organisation's image", func() context.Context { return sys }, func() *shrooms.User { return r.oli }, func() int64 { return r.orgImg }, "avatar_id"},
		{"member, own upload", func() context.Context { return as(r.member) }, func() *shrooms.User { return r.member }, func() int64 { return r.miaX }, ok},
		{"logo: admin, own upload", func() context.Context { return as(r.admin) }, nil, func() int64 { return r.adminImg }, ok},
		{"logo: admin, a member's avatar", func() context.Context { return as(r.admin) }, nil, func() int64 { return r.miaAvatar }, "logo_id"},
		{"logo: admin, a staff-only item's photo", func() context.Context { return as(r.admin) }, nil, func() int64 { return r.thumb }, "logo_id"},
		{"logo: admin, another admin's upload", func() context.Context { return as(r.admin) }, nil, func() int64 { return r.ada2Img }, "logo_id"},
		{"logo: admin, an organisation image", func() context.Context { return as(r.admin) }, nil, func() int64 { return r.orgImg }, "logo_id"},
		{"logo: admin, no such image", func() context.Context { return as(r.admin) }, nil, func() int64 { return 999 }, "logo_id"},
		{"logo: system, an organisation image", func() context.Context { return sys }, nil, func() int64 { return r.orgImg }, ok},
		{"logo: system, a member's avatar", func() context.Context { return sys }, nil, func() int64 { return r.miaAvatar }, "logo_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.image()
			publicBefore := r.sees(t, anon, id)
			var err error
			var before, after any
			if tc.user != nil {
				u := tc.user()
				before, _ = r.db.Profiles.FindProfile(sys, u.ID)
				err = r.db.Profiles.UpdateProfile(tc.ctx(), profileWith(u, id))
				after, _ = r.db.Profiles.FindProfile(sys, u.ID)
			} else {
				s, _ := r.db.Settings.FindSettings(sys)
				before = *s
				s.LogoID = id
				err = r.db.Settings.UpdateSettings(tc.ctx(), s)
				s, _ = r.db.Settings.FindSettings(sys)
				after = *s
			}
			if tc.want == ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantCode(t, err, shrooms.EINVALID, tc.want)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("a refused reference changed the record:\n got %+v\nwant %+v", after, before)
			}
			if !publicBefore && r.sees(t, anon, id) {
				t.Errorf("image %d became public", id)
			}
		})
	}

	t.Run("setup wizard", func(t *testing.T) {
		p := newBareNode(t)
		early := createUser(t, p.db, "early", shrooms.RoleMember)
		m := &shrooms.Media{ContentType: "image/png", Data: []byte("png")}
		if err := p.db.Media.CreateMedia(as(early), m); err != nil {
			t.Fatal(err)
		}
		s := validSetup("tools")
		s.Settings.LogoID = m.ID
		_, err := p.db.Settings.CompleteSetup(anon, s)
		wantCode(t, err, shrooms.EINVALID, "logo_id")
		logo := &shrooms.Media{ContentType: "image/png", Data: []byte("logo")}
		if err := p.db.Media.CreateMedia(sys, logo); err != nil {
			t.Fatal(err)
		}
		s = validSetup("tools")
		s.Settings.LogoID = logo.ID
		if _, err := p.db.Settings.CompleteSetup(anon, s); err != nil {
			t.Fatalf("setup with the wizard's own upload: %v", err)
		}
	})

	t.Run("item photos take no image id", func(t *testing.T) {
		before := count(t, r.db, `SELECT COUNT(*) FROM item_photos`)
		it := r.item(t, &shrooms.Item{Name: "Lamp", OwnerID: r.owner.ID, Audience: shrooms.AudiencePublic})
		_, err := r.db.Items.AddItemPhoto(as(r.owner), it.ID, &shrooms.Media{ID: r.miaAvatar}, &shrooms.Media{ID: r.thumb})
		wantCode(t, err, shrooms.EINVALID, "image")
		if n := count(t, r.db, `SELECT COUNT(*) FROM item_photos`); n != before || r.sees(t, anon, r.miaAvatar) || r.sees(t, anon, r.thumb) {
			t.Fatalf("photos %d → %d, or an image became public", before, n)
		}
	})
}

// TestMediaStoredReferences: references an older release let through (any
// id) count for nothing: the image stays hidden, the record reads as
// having no image, the actor publishes no icon, and saving the record
// unchanged keeps it so.
func TestMediaStoredReferences(t *testing.T) {
	t.Parallel()
	r := newRefs(t)
	// Oli's public profile points at Mia's members-only avatar; the logo
	// at the staff-only photo.
	if err := r.db.Profiles.UpdateProfile(as(r.oli), profileWith(r.oli, r.oliImg)); err != nil {
		t.Fatal(err)
	}
	r.exec(t, `UPDATE profiles SET avatar_id = ? WHERE user_id = ?`, r.miaAvatar, r.oli.ID)
	r.exec(t, `INSERT INTO settings (key, value) VALUES ('logo_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		strconv.FormatInt(r.photo, 10))
	for _, id := range []int64{r.miaAvatar, r.photo} {
		if r.sees(t, anon, id) {
			t.Errorf("image %d is public", id)
		}
	}
	if !r.sees(t, as(r.staff), r.miaAvatar) || r.sees(t, as(r.oli), r.photo) {
		t.Error("the rightful audiences changed: staff see Mia's members-only avatar, Oli not the staff-only photo")
	}
	for _, viewer := range []context.Context{as(r.oli), as(r.member), sys} {
		if p, err := r.db.Profiles.FindProfile(viewer, r.oli.ID); err != nil || p.AvatarID != 0 {
			t.Errorf("Oli's profile reads with avatar %v, %v", p, err)
		}
	}
	if s, _ := r.db.Settings.FindSettings(anon); s.LogoID != 0 {
		t.Errorf("settings read with logo %d", s.LogoID)
	}

	// Saving with the same reference is allowed, and publishes nothing.
	keep := profileWith(r.oli, r.miaAvatar)
	if err := r.db.Profiles.UpdateProfile(as(r.oli), keep); err != nil {
		t.Fatalf("unchanged avatar: %v", err)
	}
	s, _ := r.db.Settings.FindSettings(sys)
	s.LogoID, s.Description = r.photo, "unchanged logo"
	if err := r.db.Settings.UpdateSettings(as(r.admin), s); err != nil {
		t.Fatalf("unchanged logo: %v", err)
	}
	for _, id := range []int64{r.miaAvatar, r.photo} {
		if r.sees(t, anon, id) {
			t.Errorf("image %d is public after the saves", id)
		}
	}
	if a, _ := r.db.Actors.FindActorByID(sys, r.oli.ActorID); a.IconURL != "" {
		t.Errorf("Oli's actor icon = %q", a.IconURL)
	}
	if org, _ := r.db.Actors.FindOrgActor(sys); org.IconURL != "" {
		t.Errorf("organisation icon = %q", org.IconURL)
	}

	// A logo an admin uploaded stays the logo when another admin saves,
	// and the organisation's own image too.
	for _, logo := range []int64{r.ada2Img, r.orgImg} {
		r.exec(t, `UPDATE settings SET value = ? WHERE key = 'logo_id'`, strconv.FormatInt(logo, 10))
		s, _ := r.db.Settings.FindSettings(sys)
		if s.LogoID != logo {
			t.Fatalf("logo %d reads as %d", logo, s.LogoID)
		}
		if err := r.db.Settings.UpdateSettings(as(r.admin), s); err != nil {
			t.Fatal(err)
		}
		if !r.sees(t, anon, logo) {
			t.Errorf("logo %d is hidden", logo)
		}
		if org, _ := r.db.Actors.FindOrgActor(sys); org.IconURL != testURL+"/media/"+itoa(logo) {
			t.Errorf("organisation icon = %q", org.IconURL)
		}
	}
}
