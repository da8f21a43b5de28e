package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// memberUser reads an account back from the store.
func memberUser(t *testing.T, n *testNode, id int64) *shrooms.User {
	t.Helper()
	u, err := n.m.DB.Users.FindUserByID(shrooms.NewSystemContext(context.Background()), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// memberActor fetches a Person actor document as the fediverse does.
func memberActor(t *testing.T, n *testNode, username string) (map[string]any, string) {
	t.Helper()
	status, _, body := n.get("/actors/"+username, "application/activity+json")
	if status != http.StatusOK {
		t.Fatalf("actor %s: %d %s", username, status, body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, string(body)
}

func TestMemberProfileEdit(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	alice := createUser(t, n, "alice", shrooms.RoleMember, memberPassword)
	w := loginAs(t, n, "alice", memberPassword)

	if p := w.get("/profile/edit"); p.Status != http.StatusOK || !p.Has("also published on the fediverse") {
		t.Fatalf("profile form: %d\n%s", p.Status, p.Body)
	}
	p := w.postMultipart("/profile/edit", memberProfileForm(), "avatar", "photo.jpg", testJPEG(t, 600, 400))
	if p.Path != "/profile" || !p.Has("Your profile is saved.") {
		t.Fatalf("save ended on %s (%d):\n%s", p.Path, p.Status, p.Body)
	}
	for _, s := range []string{"Alice Martin", "I fix lamps.", "6 12 34 56 78", "1 rue des Staff", "Visible to: Staff only", "@alice@" + n.host()} {
		if !p.Has(s) {
			t.Errorf("own profile lacks %q", s)
		}
	}
	prof := memberProfile(t, n, alice.ID)
	if prof.AvatarID == 0 || prof.Name != "Alice Martin" || prof.Website != "https://alice.example" || len(prof.Addresses) != 2 ||
		prof.Addresses[0].Audience != shrooms.AudienceStaff || prof.Addresses[1].Street != "2 rue des Membres" {
		t.Fatalf("stored profile: %+v", prof)
	}

	// The avatar is served scaled down to the avatar size.
	res, err := http.Get(n.url() + "/media/" + strconv.FormatInt(prof.AvatarID, 10))
	if err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() > 256 || b.Dy() > 256 || b.Dx() != 256 {
		t.Fatalf("avatar is %dx%d %s, want 256 wide at most 256 high", b.Dx(), b.Dy(), format)
	}

	// The Person actor carries the public part.
	doc, raw := memberActor(t, n, "alice")
	icon, _ := doc["icon"].(map[string]any)
	if doc["name"] != "Alice Martin" || doc["summary"] != "I fix lamps." || icon == nil ||
		icon["type"] != "Image" || icon["url"] != fmt.Sprintf("%s/media/%d", n.url(), prof.AvatarID) {
		t.Fatalf("actor after a public profile: %s", raw)
	}
	if strings.Contains(raw, "12 34 56") || strings.Contains(raw, "rue des") {
		t.Fatalf("actor shows members-only details: %s", raw)
	}
	if p := newWebClient(t, n).get("/actors/alice"); !p.Has(fmt.Sprintf(`src="%s/media/%d"`, n.url(), prof.AvatarID)) {
		t.Fatalf("public actor page without the avatar:\n%s", p.Body)
	}

	// Saving without a file keeps the avatar; a members-only bio and
	// avatar leave the actor.
	f := memberProfileForm()
	f.Set("bio", "Members-only secrets.")
	f.Set("bio_audience", "members")
	f.Set("avatar_audience", "members")
	if p := w.postMultipart("/profile/edit", f, "avatar", "", nil); p.Path != "/profile" {
		t.Fatalf("second save ended on %s:\n%s", p.Path, p.Body)
	}
	if got := memberProfile(t, n, alice.ID); got.AvatarID != prof.AvatarID || got.Bio != "Members-only secrets." {
		t.Fatalf("after a save without a file: %+v", got)
	}
	doc, raw = memberActor(t, n, "alice")
	if strings.Contains(raw, "Members-only secrets") || doc["summary"] != nil || doc["icon"] != nil || doc["name"] != "Alice Martin" {
		t.Fatalf("actor with a members-only bio and avatar: %s", raw)
	}

	// Remove the avatar and the first address.
	f.Set("remove_avatar", "1")
	f.Set("address-0-remove", "1")
	if p := w.postMultipart("/profile/edit", f, "avatar", "", nil); p.Path != "/profile" {
		t.Fatalf("third save ended on %s:\n%s", p.Path, p.Body)
	}
	if got := memberProfile(t, n, alice.ID); got.AvatarID != 0 || len(got.Addresses) != 1 || got.Addresses[0].Label != "Workshop" {
		t.Fatalf("after removing: %+v", got)
	}
}

func TestMemberProfileInvalid(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	alice := createUser(t, n, "alice", shrooms.RoleMember, memberPassword)
	w := loginAs(t, n, "alice", memberPassword)
	if p := w.postMultipart("/profile/edit", memberProfileForm(), "avatar", "a.jpg", testJPEG(t, 40, 40)); p.Path != "/profile" {
		t.Fatalf("first save ended on %s:\n%s", p.Path, p.Body)
	}
	before := memberProfile(t, n, alice.ID)
	sys := shrooms.NewSystemContext(context.Background())

	for _, tc := range []struct {
		name, field, value, msg string
	}{
		{"website", "website", "ftp://files.example", "Please enter a web address starting with http:// or https://."},
		{"contact email", "contact_email", "not-an-address", "Please enter a valid e-mail address"},
		{"address", "address-2-label", "Only a label", "Please give this address at least a street or a city"},
		{"audience", "bio_audience", "everybody", "Please choose who sees what you write about yourself."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := memberProfileForm()
			f.Set("name", "Changed Name")
			f.Set(tc.field, tc.value)
			p := w.postMultipart("/profile/edit", f, "avatar", "b.jpg", testJPEG(t, 40, 40))
			if p.Status != http.StatusBadRequest || !p.Has(tc.msg) || !p.Has(`role="alert"`) || !p.Has(`aria-invalid="true"`) && tc.field != "address-2-label" {
				t.Fatalf("status %d:\n%s", p.Status, p.Body)
			}
			// The values stay in the form.
			if !p.Has(`value="Changed Name"`) || tc.field != "bio_audience" && !p.Has(`value="`+tc.value+`"`) {
				t.Fatalf("form lost the values:\n%s", p.Body)
			}
			// Nothing changed, and the image was not stored.
			if got := memberProfile(t, n, alice.ID); !reflect.DeepEqual(got, before) {
				t.Fatalf("profile changed:\n got %+v\nwant %+v", got, before)
			}
			if _, err := n.m.DB.Media.FindMedia(sys, before.AvatarID+1); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
				t.Fatalf("a refused form stored its image: %v", err)
			}
		})
	}

	// A file that is no image is refused next to the avatar input.
	p := w.postMultipart("/profile/edit", memberProfileForm(), "avatar", "c.jpg", []byte("not an image"))
	if p.Status != http.StatusBadRequest || !p.Has(`id="avatar-error"`) {
		t.Fatalf("bad image: %d\n%s", p.Status, p.Body)
	}

	// French errors.
	w.lang = "fr"
	f := memberProfileForm()
	f.Set("website", "javascript:alert(1)")
	if p := w.post("/profile/edit", f); p.Status != http.StatusBadRequest || !p.Has("Saisissez une adresse web qui commence par http:// ou https://.") {
		t.Fatalf("French error: %d\n%s", p.Status, p.Body)
	}
}

func TestMemberProfileVisibility(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	alice := createUser(t, n, "alice", shrooms.RoleMember, memberPassword)
	bob := createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	a := loginAs(t, n, "alice", memberPassword)
	f := memberProfileForm()
	f.Set("bio_audience", "staff")
	if p := a.post("/profile/edit", f); p.Path != "/profile" {
		t.Fatalf("save ended on %s:\n%s", p.Path, p.Body)
	}

	// Another member sees what members may see: the contact details and
	// the members' address, not the staff's address nor a staff-only bio.
	b := loginAs(t, n, "bob", memberPassword)
	p := b.get("/people/alice")
	if p.Status != http.StatusOK || !p.Has("6 12 34 56 78") || !p.Has("2 rue des Membres") {
		t.Fatalf("member view: %d\n%s", p.Status, p.Body)
	}
	if p.Has("1 rue des Staff") || p.Has("I fix lamps.") || p.Has("Visible to:") {
		t.Fatalf("member view shows staff-only details:\n%s", p.Body)
	}
	// Staff see the staff address and bio.
	p = loginAs(t, n, "sam", memberPassword).get("/people/alice")
	if !p.Has("1 rue des Staff") || !p.Has("I fix lamps.") {
		t.Fatalf("staff view:\n%s", p.Body)
	}
	// The member sees their own page whole, with a link to edit it.
	if p := a.get("/people/alice"); !p.Has("1 rue des Staff") || !p.Has(`href="/profile/edit"`) {
		t.Fatalf("own view:\n%s", p.Body)
	}

	// Anonymous visitors cannot open the directory; the public actor page
	// and document (what partners and the fediverse get) show no
	// members-only detail.
	anon := newWebClient(t, n)
	for _, path := range []string{"/people", "/people/alice"} {
		if p := anon.get(path); !strings.HasPrefix(p.Path, "/login") {
			t.Fatalf("anonymous %s ended on %s", path, p.Path)
		}
	}
	if p := anon.get("/actors/alice"); p.Status != http.StatusOK || p.Has("12 34 56") || p.Has("rue des") || p.Has("I fix lamps.") {
		t.Fatalf("public actor page: %d\n%s", p.Status, p.Body)
	}
	if _, raw := memberActor(t, n, "alice"); strings.Contains(raw, "12 34 56") || strings.Contains(raw, "I fix lamps") {
		t.Fatalf("actor document shows private details: %s", raw)
	}

	// The directory lists members, and searches.
	p = b.get("/people")
	if !p.Has(`href="/people/alice"`) || !p.Has("@bob") || !p.Has("4 members.") {
		t.Fatalf("directory:\n%s", p.Body)
	}
	p = b.get("/people?q=" + url.QueryEscape("Martin"))
	if !p.Has(`href="/people/alice"`) || p.Has(`href="/people/bob"`) || !p.Has("1 member found for “Martin”.") {
		t.Fatalf("search:\n%s", p.Body)
	}
	if p := b.get("/people/nobody"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown member: %d", p.Status)
	}

	// There is no way to edit someone else's profile: the form edits one's
	// own, whatever it is sent.
	before := memberProfile(t, n, bob.ID)
	f = memberProfileForm()
	f.Set("user_id", strconv.FormatInt(bob.ID, 10))
	f.Set("username", "bob")
	f.Set("name", "Hijacked")
	a.post("/profile/edit", f)
	if got := memberProfile(t, n, bob.ID); !reflect.DeepEqual(got, before) {
		t.Fatalf("bob's profile changed: %+v", got)
	}
	if got := memberProfile(t, n, alice.ID); got.Name != "Hijacked" {
		t.Fatalf("alice's own name = %q", got.Name)
	}
	for _, path := range []string{"/people/bob/edit", "/profile/bob/edit"} {
		if p := a.post(path, f); p.Status != http.StatusNotFound && p.Status != http.StatusMethodNotAllowed {
			t.Fatalf("POST %s: %d", path, p.Status)
		}
	}
	if got := memberProfile(t, n, bob.ID); !reflect.DeepEqual(got, before) {
		t.Fatalf("bob's profile changed: %+v", got)
	}
}

func TestMemberPeopleModuleOff(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "alice", shrooms.RoleMember, memberPassword)
	w := loginAs(t, n, "alice", memberPassword)
	if p := w.get("/people"); p.Status != http.StatusOK {
		t.Fatalf("/people with the module on: %d", p.Status)
	}
	sys := shrooms.NewSystemContext(context.Background())
	s, err := n.m.DB.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	s.Modules = []string{"inventory"}
	if err := n.m.DB.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/people", "/people/alice", "/people/admin"} {
		if p := w.get(path); p.Status != http.StatusNotFound {
			t.Errorf("%s with the module off: %d", path, p.Status)
		}
	}
	if p := newWebClient(t, n).get("/people"); p.Status != http.StatusNotFound {
		t.Errorf("anonymous /people with the module off: %d", p.Status)
	}
	// The member's own profile does not belong to the module.
	if p := w.get("/profile"); p.Status != http.StatusOK {
		t.Fatalf("/profile with the people module off: %d", p.Status)
	}
	if p := w.get("/dashboard"); p.Has(`href="/people"`) {
		t.Fatal("the menu still links to the directory")
	}
}
