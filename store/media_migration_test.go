package store_test

import (
	"testing"

	"github.com/shrooms-org/shrooms/store"
)

// TestMediaMigrationDropsStolenIcons: migration 0010 takes out of the
// actors the icons that an earlier release published for images their
// records did not own, and keeps the rightful ones.
func TestMediaMigrationDropsStolenIcons(t *testing.T) {
	t.Parallel()
	r := newRefs(t)
	if err := r.db.Profiles.UpdateProfile(as(r.oli), profileWith(r.oli, r.oliImg)); err != nil {
		t.Fatal(err)
	}
	s, _ := r.db.Settings.FindSettings(sys)
	s.LogoID = r.adminImg
	if err := r.db.Settings.UpdateSettings(as(r.admin), s); err != nil {
		t.Fatal(err)
	}
	// Mia's actor published Oli's image, as an older release let her.
	r.exec(t, `UPDATE profiles SET avatar_id = ?, avatar_audience = 'public' WHERE user_id = ?`, r.oliImg, r.member.ID)
	r.exec(t, `UPDATE actors SET icon_url = ? WHERE id = ?`, testURL+"/media/"+itoa(r.oliImg), r.member.ActorID)
	path := r.db.Path()
	rerun := func(t *testing.T) {
		t.Helper()
		r.exec(t, `DELETE FROM schema_migrations WHERE version = 10`)
		db, err := store.Open(path, store.Options{PublicURL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	icon := func(actorID int64) string {
		a, err := r.db.Actors.FindActorByID(sys, actorID)
		if err != nil {
			t.Fatal(err)
		}
		return a.IconURL
	}
	rerun(t)
	if got := icon(r.member.ActorID); got != "" {
		t.Errorf("Mia's icon = %q", got)
	}
	if got := icon(r.oli.ActorID); got != testURL+"/media/"+itoa(r.oliImg) {
		t.Errorf("Oli's own icon = %q", got)
	}
	if got := icon(r.org.ID); got != testURL+"/media/"+itoa(r.adminImg) {
		t.Errorf("organisation's own icon = %q", got)
	}
	// The logo now points at a member's avatar.
	r.exec(t, `UPDATE settings SET value = ? WHERE key = 'logo_id'`, itoa(r.miaAvatar))
	r.exec(t, `UPDATE actors SET icon_url = ? WHERE id = ?`, testURL+"/media/"+itoa(r.miaAvatar), r.org.ID)
	rerun(t)
	if got := icon(r.org.ID); got != "" {
		t.Errorf("organisation icon = %q", got)
	}
}
