package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// mediaRefs is a node where Alice has a members-only avatar and staff
// keep a photo on a staff-only item: the images other people must not
// publish.
type mediaRefs struct {
	n                          *testNode
	bob                        *shrooms.User
	adminTok, aliceTok, bobTok string
	avatar, photo, thumb       int64 // Alice's avatar, the item's photo and thumbnail
	avatarPath, photoPath      string
	thumbPath                  string
	bobAvatar                  int64 // Bob's own public avatar
	bobAvatarPath              string
	bobProfile                 map[string]any
}

// uploadMedia posts an image to /api/v1/media and returns its id.
func (n *testNode) uploadMedia(token, use string) int64 {
	n.t.Helper()
	status, body := n.apiRaw("POST", "/api/v1/media?use="+use, token, "image/png", testPNG(n.t, 40, 40))
	if status != 201 {
		n.t.Fatalf("upload: %d %v", status, body)
	}
	return int64(body["id"].(float64))
}

func newMediaRefs(t *testing.T) *mediaRefs {
	t.Helper()
	n := startNode(t, newTestClock())
	r := &mediaRefs{n: n}
	_, r.adminTok = n.adminToken()
	_, r.aliceTok = n.apiUser("alice", shrooms.RoleMember)
	r.bob, r.bobTok = n.apiUser("bob", shrooms.RoleMember)
	_, samTok := n.apiUser("sam", shrooms.RoleStaff)

	r.avatar = n.uploadMedia(r.aliceTok, "avatar")
	if status, body := n.api("PUT", "/api/v1/me/profile", r.aliceTok, map[string]any{"name": "Alice", "avatar_id": r.avatar,
		"bio_audience": "members", "avatar_audience": "members", "contact_audience": "members"}); status != 200 {
		t.Fatalf("alice's profile: %d %v", status, body)
	}
	item := n.apiNewItem(samTok, map[string]any{"name": "Safe combination", "audience": "staff"})
	ct, data := apiMultipart(t, "file", "safe.png", testPNG(t, 400, 300))
	status, _, raw := n.apiSend("POST", fmt.Sprintf("/api/v1/items/%d/photos", item), samTok, ct, data)
	var photo map[string]any
	if status != 201 || json.Unmarshal(raw, &photo) != nil {
		t.Fatalf("item photo: %d %s", status, raw)
	}
	r.photo, r.thumb = int64(photo["media_id"].(float64)), int64(photo["thumb_id"].(float64))
	r.avatarPath, r.photoPath, r.thumbPath = mediaPath(r.avatar), mediaPath(r.photo), mediaPath(r.thumb)

	// Bob's own public avatar: his own uploads keep working.
	r.bobAvatar = n.uploadMedia(r.bobTok, "avatar")
	r.bobAvatarPath = mediaPath(r.bobAvatar)
	r.bobProfile = map[string]any{"name": "Bob", "bio": "Bikes.", "avatar_id": r.bobAvatar,
		"bio_audience": "public", "avatar_audience": "public", "contact_audience": "members"}
	if status, body := n.api("PUT", "/api/v1/me/profile", r.bobTok, r.bobProfile); status != 200 {
		t.Fatalf("bob's own avatar: %d %v", status, body)
	}
	if status, _, _ := n.get(r.bobAvatarPath, ""); status != 200 {
		t.Fatalf("bob's public avatar: %d", status)
	}
	// Before any attack, no stranger sees the others' images.
	r.wantHidden(t, "before")
	return r
}

func mediaPath(id int64) string { return "/media/" + strconv.FormatInt(id, 10) }

// wantHidden checks that anonymous visitors get none of the protected
// images.
func (r *mediaRefs) wantHidden(t *testing.T, when string) {
	t.Helper()
	for _, p := range []string{r.avatarPath, r.photoPath, r.thumbPath} {
		if status, _, _ := r.n.get(p, ""); status != http.StatusNotFound {
			t.Errorf("%s: anonymous GET %s = %d, want 404", when, p, status)
		}
	}
}

// actorIcon is the icon URL of a local actor's document, "" for none.
func (r *mediaRefs) actorIcon(t *testing.T, handle string) string {
	t.Helper()
	status, _, body := r.n.get("/actors/"+handle, "application/activity+json")
	var doc map[string]any
	if status != http.StatusOK || json.Unmarshal(body, &doc) != nil {
		t.Fatalf("actor %s: %d %s", handle, status, body)
	}
	icon, _ := doc["icon"].(map[string]any)
	u, _ := icon["url"].(string)
	return u
}

// rawNodeDB opens the node's database file beside the running node, to
// write what an older release let through.
func rawNodeDB(t *testing.T, n *testNode) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+n.m.DB.Path()+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// TestMediaReferenceAttackAPI is issue 11's attack: member Bob PUTs his
// profile with another member's members-only avatar, or a staff-only
// item's photo, as a public avatar. It is refused naming avatar_id, his
// profile is unchanged, anonymous visitors still get 404 and his actor
// does not publish the image.
func TestMediaReferenceAttackAPI(t *testing.T) {
	t.Parallel()
	r := newMediaRefs(t)
	n := r.n
	_, before := n.api("GET", "/api/v1/me/profile", r.bobTok, nil)
	for name, target := range map[string]int64{"alice's avatar": r.avatar, "item photo": r.photo, "item thumbnail": r.thumb} {
		t.Run(name, func(t *testing.T) {
			attack := map[string]any{}
			for k, v := range r.bobProfile {
				attack[k] = v
			}
			attack["avatar_id"], attack["avatar_audience"] = target, "public"
			status, body := n.api("PUT", "/api/v1/me/profile", r.bobTok, attack)
			apiWantError(t, "PUT "+name, status, body, 400, "avatar_id")
			if _, after := n.api("GET", "/api/v1/me/profile", r.bobTok, nil); !reflect.DeepEqual(after, before) {
				t.Errorf("bob's profile changed:\n got %v\nwant %v", after, before)
			}
			r.wantHidden(t, "after the attack")
			if icon := r.actorIcon(t, "bob"); icon != n.url()+r.bobAvatarPath {
				t.Errorf("bob's actor icon = %q, want his own avatar", icon)
			}
		})
	}
	// Admins are no exception: an admin's profile may not show a
	// member's image either.
	status, body := n.api("PUT", "/api/v1/me/profile", r.adminTok, map[string]any{"name": "Admin", "avatar_id": r.avatar,
		"bio_audience": "members", "avatar_audience": "public", "contact_audience": "members"})
	apiWantError(t, "admin takes alice's avatar", status, body, 400, "avatar_id")
	r.wantHidden(t, "after the admin's attempt")
	if icon := r.actorIcon(t, "admin"); icon != "" {
		t.Errorf("admin's actor icon = %q", icon)
	}
	// Re-saving one's own profile with its own avatar still works.
	if status, body := n.api("PUT", "/api/v1/me/profile", r.bobTok, r.bobProfile); status != 200 || body["avatar_id"] != float64(r.bobAvatar) {
		t.Fatalf("bob saves his own profile: %d %v", status, body)
	}
}

// TestMediaReferenceLogoAPI: the organisation's logo is public and is the
// Organization actor's icon, so an admin may point it only at an image
// they uploaded, never at a member's avatar or an item's photo.
func TestMediaReferenceLogoAPI(t *testing.T) {
	t.Parallel()
	r := newMediaRefs(t)
	n := r.n
	_, before := n.api("GET", "/api/v1/settings", r.adminTok, nil)
	for name, target := range map[string]int64{"alice's avatar": r.avatar, "item photo": r.photo, "bob's avatar": r.bobAvatar} {
		status, body := n.api("PATCH", "/api/v1/settings", r.adminTok, map[string]any{"logo_id": target})
		apiWantError(t, "logo from "+name, status, body, 400, "logo_id")
	}
	if _, after := n.api("GET", "/api/v1/settings", r.adminTok, nil); !reflect.DeepEqual(after, before) {
		t.Errorf("settings changed:\n got %v\nwant %v", after, before)
	}
	r.wantHidden(t, "after the logo attempts")
	if icon := r.actorIcon(t, "org"); icon != "" {
		t.Errorf("organisation icon = %q", icon)
	}

	// The admin's own upload becomes the public logo and icon, and stays
	// through later changes.
	logo := n.uploadMedia(r.adminTok, "logo")
	if status, body := n.api("PATCH", "/api/v1/settings", r.adminTok, map[string]any{"logo_id": logo}); status != 200 || body["logo_id"] != float64(logo) {
		t.Fatalf("own logo: %d %v", status, body)
	}
	if status, _, _ := n.get(mediaPath(logo), ""); status != 200 {
		t.Fatalf("anonymous GET of the logo: %d", status)
	}
	if icon := r.actorIcon(t, "org"); icon != n.url()+mediaPath(logo) {
		t.Fatalf("organisation icon = %q", icon)
	}
	// Another admin saves the settings: the logo, not theirs, is kept.
	_, otherTok := n.apiUser("ada", shrooms.RoleAdmin)
	if status, body := n.api("PATCH", "/api/v1/settings", otherTok, map[string]any{"description": "Still us.", "logo_id": logo}); status != 200 || body["logo_id"] != float64(logo) {
		t.Fatalf("another admin keeps the logo: %d %v", status, body)
	}
}

// TestMediaReferenceWebForms: the web forms take uploads only, and a
// reference stored before the rule (an older release's API took any id)
// publishes nothing: saving the profile form with a public avatar, or the
// settings form, leaves the image hidden and out of the actors.
func TestMediaReferenceWebForms(t *testing.T) {
	t.Parallel()
	r := newMediaRefs(t)
	n := r.n
	bob := loginAs(t, n, "bob", "a-long-enough-password")
	f := memberProfileForm()
	f.Set("avatar_id", strconv.FormatInt(r.avatar, 10))
	if p := bob.post("/profile/edit", f); p.Path != "/profile" {
		t.Fatalf("save ended on %s:\n%s", p.Path, p.Body)
	}
	if got := memberProfile(t, n, r.bob.ID); got.AvatarID != r.bobAvatar {
		t.Fatalf("a posted avatar_id changed the avatar: %+v", got)
	}

	raw := rawNodeDB(t, n)
	if _, err := raw.Exec(`UPDATE profiles SET avatar_id = ? WHERE user_id = ?`, r.avatar, r.bob.ID); err != nil {
		t.Fatal(err)
	}
	r.wantHidden(t, "a stored reference to alice's avatar")
	if p := bob.post("/profile/edit", f); p.Path != "/profile" {
		t.Fatalf("save ended on %s:\n%s", p.Path, p.Body)
	}
	r.wantHidden(t, "after bob saves a public avatar")
	if icon := r.actorIcon(t, "bob"); icon != "" {
		t.Errorf("bob's actor icon = %q", icon)
	}
	if p := bob.get("/profile"); p.Has(r.avatarPath) {
		t.Errorf("bob's profile shows alice's avatar:\n%s", p.Body)
	}
	if p := newWebClient(t, n).get("/actors/bob"); p.Has(r.avatarPath) {
		t.Errorf("bob's public page shows alice's avatar:\n%s", p.Body)
	}

	// The logo: a stored reference to a member's image is no logo.
	if _, err := raw.Exec(`INSERT INTO settings (key, value) VALUES ('logo_id', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(r.photo, 10)); err != nil {
		t.Fatal(err)
	}
	r.wantHidden(t, "a stored logo reference to the item photo")
	admin := loginAs(t, n, "admin", adminPassword)
	if p := admin.postMultipart("/admin/settings", settingsForm("Atelier", shrooms.Modules...), "", "", nil); p.Status != 200 {
		t.Fatalf("save settings: %d\n%s", p.Status, p.Body)
	}
	r.wantHidden(t, "after the admin saves the settings")
	if icon := r.actorIcon(t, "org"); icon != "" {
		t.Errorf("organisation icon = %q", icon)
	}
	if p := newWebClient(t, n).get("/login"); strings.Contains(p.Body, r.photoPath) {
		t.Errorf("pages show the item photo as the logo:\n%s", p.Body)
	}
}
