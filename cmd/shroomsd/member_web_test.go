package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

const memberPassword = "mushroom-picker-42"

// memberCreate makes an active, verified account as the node's operator
// would, and returns it.
func memberCreate(t *testing.T, n *testNode, username string, role shrooms.Role) *shrooms.User {
	t.Helper()
	u := &shrooms.User{Username: username, Email: username + "@example.org", Name: strings.ToUpper(username[:1]) + username[1:], Role: role}
	if err := n.m.DB.CreateUser(shrooms.NewSystemContext(context.Background()), u, memberPassword); err != nil {
		t.Fatal(err)
	}
	return u
}

// memberLogin returns a web client logged in as username.
func memberLogin(t *testing.T, n *testNode, username string) *webClient {
	t.Helper()
	w := newWebClient(t, n)
	if username == "admin" {
		w.login(username, "correct-horse-battery") // startNode's admin
	} else {
		w.login(username, memberPassword)
	}
	return w
}

// memberUpload posts a multipart form, as a browser sends a form with a
// file, with the CSRF token. file may be nil for an empty file input.
func memberUpload(w *webClient, path string, form url.Values, field, filename string, file []byte) page {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if form.Get("csrf") == "" {
		form.Set("csrf", w.csrf())
	}
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := fw.Write(file); err != nil {
		w.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		w.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, w.n.url()+path, &body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.do(req)
}

// memberJPEG is a real photo-sized JPEG.
func memberJPEG(t *testing.T, width, height int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// memberWidgets lists the dashboard's widgets in page order.
func memberWidgets(p page) []string {
	var out []string
	rest := p.Body
	for {
		i := strings.Index(rest, `id="widget-`)
		if i < 0 {
			return out
		}
		rest = rest[i+len(`id="widget-`):]
		id := rest[:strings.IndexByte(rest, '"')]
		if !strings.HasSuffix(id, "-title") {
			out = append(out, id)
		}
	}
}

// memberProfile reads a profile whole, as the system.
func memberProfile(t *testing.T, n *testNode, id int64) *shrooms.Profile {
	t.Helper()
	p, err := n.m.DB.FindProfile(shrooms.NewSystemContext(context.Background()), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// memberProfileForm is a complete profile form; tests change what they
// need.
func memberProfileForm() url.Values {
	return url.Values{
		"name": {"Alice Martin"}, "bio": {"I fix lamps."}, "bio_audience": {"public"},
		"avatar_audience": {"public"}, "contact_email": {"alice@mail.example"}, "phone": {"+33 6 12 34 56 78"},
		"website": {"https://alice.example"}, "contact_audience": {"members"},
		"address_count":      {"3"},
		"address-0-label":    {"Home"},
		"address-0-street":   {"1 rue des Staff"},
		"address-0-city":     {"Lyon"},
		"address-0-audience": {"staff"},
		"address-1-label":    {"Workshop"},
		"address-1-street":   {"2 rue des Membres"},
		"address-1-city":     {"Lyon"},
		"address-1-audience": {"members"},
		"address-2-audience": {"staff"}, // the empty row
	}
}

func TestMemberDashboardWidgets(t *testing.T) {
	n := startNode(t, newTestClock())
	memberCreate(t, n, "bea", shrooms.RoleMember)

	admin := memberLogin(t, n, "admin")
	p := admin.get("/dashboard")
	if p.Status != http.StatusOK {
		t.Fatalf("admin dashboard: %d\n%s", p.Status, p.Body)
	}
	want := []string{"welcome", "loans", "events", "tasks", "dues", "low-stock", "follow-requests"}
	if got := memberWidgets(p); !reflect.DeepEqual(got, want) {
		t.Fatalf("admin widgets = %v, want %v", got, want)
	}
	for _, s := range []string{"Hello, Admin!", "My loans", "Nothing yet — this fills when the Loans module is used.",
		"Follow requests", "No follow request is waiting.", `href="/admin/federation"`, `href="/profile"`} {
		if !p.Has(s) {
			t.Errorf("admin dashboard lacks %q", s)
		}
	}
	if strings.Contains(p.Body, "dashboard.") {
		t.Errorf("dashboard shows an untranslated key:\n%s", p.Body)
	}

	bea := memberLogin(t, n, "bea")
	p = bea.get("/dashboard")
	if got, want := memberWidgets(p), []string{"welcome", "loans", "events", "tasks", "dues"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("member widgets = %v, want %v", got, want)
	}
	if p.Has("/admin/federation") || p.Has("Follow requests") {
		t.Fatal("a member sees the follow-requests widget")
	}

	// Anonymous visitors log in first.
	if p := newWebClient(t, n).get("/dashboard"); !strings.HasPrefix(p.Path, "/login") {
		t.Fatalf("anonymous dashboard ended on %s", p.Path)
	}

	// Widgets of a module that is off are not shown.
	sys := shrooms.NewSystemContext(context.Background())
	s, err := n.m.DB.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	s.Modules = []string{"people", "events"}
	if err := n.m.DB.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	if got, want := memberWidgets(bea.get("/dashboard")), []string{"welcome", "events"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("member widgets with two modules = %v, want %v", got, want)
	}
}

// The admin's follow-requests widget counts the organisation's pending
// follow requests.
func TestMemberDashboardFollowRequests(t *testing.T) {
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock, manualApproval)
	a.mustCLI("admin", "follow", b.acct())
	drain(t, a, b)
	p := memberLogin(t, b, "admin").get("/dashboard")
	if !p.Has("1 organisation asks to follow yours.") {
		t.Fatalf("follow-requests widget does not count the request:\n%s", p.Body)
	}
}

func TestMemberDashboardArrange(t *testing.T) {
	n := startNode(t, newTestClock())
	u := memberCreate(t, n, "bea", shrooms.RoleMember)
	w := memberLogin(t, n, "bea")

	p := w.get("/dashboard/arrange")
	if p.Status != http.StatusOK || !p.Has(`name="move" value="up:dues"`) || !p.Has(`<label class="form-check-label" for="show-events">`) {
		t.Fatalf("arrange page: %d\n%s", p.Status, p.Body)
	}
	if p.Has("show-follow-requests") || p.Has("show-low-stock") {
		t.Fatal("a member may arrange widgets they cannot see")
	}

	// A move shows the form again with the widget moved and its button
	// focused; nothing is saved yet.
	order := []string{"welcome", "loans", "events", "tasks", "dues"}
	form := url.Values{"order": order, "show": order, "move": {"up:dues"}}
	p = w.post("/dashboard/arrange", form)
	if p.Status != http.StatusOK || !p.Has("“My dues” moved up.") {
		t.Fatalf("move: %d\n%s", p.Status, p.Body)
	}
	if strings.Index(p.Body, `value="dues"`) > strings.Index(p.Body, `value="tasks"`) {
		t.Fatal("dues did not move above tasks")
	}
	if !p.Has(`value="up:dues" class="btn btn-outline-secondary" aria-label="Move “My dues” up" autofocus`) {
		t.Fatalf("the moved widget's button is not focused:\n%s", p.Body)
	}
	if got := memberUser(t, n, u.ID).Dashboard; got != nil {
		t.Fatalf("a move saved the layout: %v", got)
	}

	// Save: dues before tasks, events hidden.
	p = w.post("/dashboard/arrange", url.Values{"order": {"welcome", "loans", "events", "dues", "tasks"},
		"show": {"welcome", "loans", "dues", "tasks"}})
	if p.Path != "/dashboard" || !p.Has("Your dashboard is saved.") {
		t.Fatalf("save ended on %s:\n%s", p.Path, p.Body)
	}
	if got, want := memberWidgets(p), []string{"welcome", "loans", "dues", "tasks"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("widgets after save = %v, want %v", got, want)
	}
	// Widgets the form could not offer stay in the layout, so that they
	// come back when the member may see them.
	want := []string{"welcome", "loans", "dues", "tasks", "low-stock", "follow-requests"}
	if got := memberUser(t, n, u.ID).Dashboard; !reflect.DeepEqual(got, want) {
		t.Fatalf("stored layout = %v, want %v", got, want)
	}
	// It persists: a new session shows the same.
	if got := memberWidgets(memberLogin(t, n, "bea").get("/dashboard")); !reflect.DeepEqual(got, want[:4]) {
		t.Fatalf("widgets in a new session = %v", got)
	}
	// The arrange page shows the saved order, hidden widgets last.
	p = w.get("/dashboard/arrange")
	if strings.Index(p.Body, `value="tasks"`) > strings.Index(p.Body, `value="events"`) ||
		strings.Contains(p.Body, `value="events" id="show-events" checked`) {
		t.Fatalf("arrange page after save:\n%s", p.Body)
	}

	// A bad move or widget is refused, and nothing changes.
	for _, f := range []url.Values{
		{"order": order, "move": {"up:welcome"}},
		{"order": order, "move": {"sideways:loans"}},
		{"order": {"welcome", "nonsense"}},
		{"order": order, "show": {"loans", "loans"}},
	} {
		if p := w.post("/dashboard/arrange", f); p.Status != http.StatusBadRequest || !p.Has(`role="alert"`) {
			t.Errorf("%v: %d\n%s", f, p.Status, p.Body)
		}
	}
	if got := memberUser(t, n, u.ID).Dashboard; !reflect.DeepEqual(got, want) {
		t.Fatalf("layout after refused forms = %v", got)
	}

	// Hiding everything is not the default.
	p = w.post("/dashboard/arrange", url.Values{"order": order})
	if len(memberWidgets(p)) != 0 || !p.Has("You have hidden every widget") {
		t.Fatalf("everything hidden:\n%s", p.Body)
	}

	// Reset goes back to the default layout (nil in the store).
	p = w.post("/dashboard/arrange", url.Values{"order": order, "reset": {"1"}})
	if got := memberWidgets(p); !reflect.DeepEqual(got, order) || !p.Has("Your dashboard is back to the default.") {
		t.Fatalf("after reset: %v\n%s", got, p.Body)
	}
	if got := memberUser(t, n, u.ID).Dashboard; got != nil {
		t.Fatalf("layout after reset = %#v, want nil", got)
	}
}

// A widget whose module is off is not offered, and saving keeps it in the
// layout for when the module is back.
func TestMemberDashboardArrangeModuleOff(t *testing.T) {
	n := startNode(t, newTestClock())
	u := memberCreate(t, n, "bea", shrooms.RoleMember)
	w := memberLogin(t, n, "bea")
	sys := shrooms.NewSystemContext(context.Background())
	s, err := n.m.DB.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	all := s.Modules
	s.Modules = []string{"people", "events", "dues"}
	if err := n.m.DB.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	if p := w.get("/dashboard/arrange"); p.Has("show-loans") {
		t.Fatal("loans offered while the module is off")
	}
	w.post("/dashboard/arrange", url.Values{"order": {"dues", "welcome", "events"}, "show": {"dues", "welcome"}})
	s.Modules = all
	if err := n.m.DB.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	got := memberWidgets(w.get("/dashboard"))
	if want := []string{"dues", "welcome", "loans", "tasks"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("widgets with the modules back = %v, want %v (stored %v)", got, want, memberUser(t, n, u.ID).Dashboard)
	}
}

func TestMemberDashboardFrench(t *testing.T) {
	n := startNode(t, newTestClock())
	memberCreate(t, n, "bea", shrooms.RoleMember)
	w := newWebClient(t, n)
	w.lang = "fr"
	w.login("bea", memberPassword)
	p := w.get("/dashboard")
	for _, s := range []string{`lang="fr"`, "Mon tableau de bord", "Bienvenue", "Bonjour Bea !", "Mes prêts", "Mes cotisations",
		"Rien pour l’instant : ce bloc se remplira quand le module Prêts sera utilisé."} {
		if !p.Has(s) {
			t.Errorf("French dashboard lacks %q", s)
		}
	}
	if p := w.get("/dashboard/arrange"); !p.Has("Monter « Mes prêts »") {
		t.Errorf("French arrange page:\n%s", p.Body)
	}
	if p := w.get("/profile/edit"); !p.Has("Qui voit votre photo ?") || !p.Has("Tout le monde") {
		t.Errorf("French profile form:\n%s", p.Body)
	}
}

// memberUser reads an account back from the store.
func memberUser(t *testing.T, n *testNode, id int64) *shrooms.User {
	t.Helper()
	u, err := n.m.DB.FindUserByID(shrooms.NewSystemContext(context.Background()), id)
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
	n := startNode(t, newTestClock())
	alice := memberCreate(t, n, "alice", shrooms.RoleMember)
	w := memberLogin(t, n, "alice")

	if p := w.get("/profile/edit"); p.Status != http.StatusOK || !p.Has("also published on the fediverse") {
		t.Fatalf("profile form: %d\n%s", p.Status, p.Body)
	}
	p := memberUpload(w, "/profile/edit", memberProfileForm(), "avatar", "photo.jpg", memberJPEG(t, 600, 400))
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
	if p := memberUpload(w, "/profile/edit", f, "avatar", "", nil); p.Path != "/profile" {
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
	if p := memberUpload(w, "/profile/edit", f, "avatar", "", nil); p.Path != "/profile" {
		t.Fatalf("third save ended on %s:\n%s", p.Path, p.Body)
	}
	if got := memberProfile(t, n, alice.ID); got.AvatarID != 0 || len(got.Addresses) != 1 || got.Addresses[0].Label != "Workshop" {
		t.Fatalf("after removing: %+v", got)
	}
}

func TestMemberProfileInvalid(t *testing.T) {
	n := startNode(t, newTestClock())
	alice := memberCreate(t, n, "alice", shrooms.RoleMember)
	w := memberLogin(t, n, "alice")
	if p := memberUpload(w, "/profile/edit", memberProfileForm(), "avatar", "a.jpg", memberJPEG(t, 40, 40)); p.Path != "/profile" {
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
			p := memberUpload(w, "/profile/edit", f, "avatar", "b.jpg", memberJPEG(t, 40, 40))
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
			if _, err := n.m.DB.FindMedia(sys, before.AvatarID+1); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
				t.Fatalf("a refused form stored its image: %v", err)
			}
		})
	}

	// A file that is no image is refused next to the avatar input.
	p := memberUpload(w, "/profile/edit", memberProfileForm(), "avatar", "c.jpg", []byte("not an image"))
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
	n := startNode(t, newTestClock())
	alice := memberCreate(t, n, "alice", shrooms.RoleMember)
	bob := memberCreate(t, n, "bob", shrooms.RoleMember)
	memberCreate(t, n, "sam", shrooms.RoleStaff)
	a := memberLogin(t, n, "alice")
	f := memberProfileForm()
	f.Set("bio_audience", "staff")
	if p := a.post("/profile/edit", f); p.Path != "/profile" {
		t.Fatalf("save ended on %s:\n%s", p.Path, p.Body)
	}

	// Another member sees what members may see: the contact details and
	// the members' address, not the staff's address nor a staff-only bio.
	b := memberLogin(t, n, "bob")
	p := b.get("/people/alice")
	if p.Status != http.StatusOK || !p.Has("6 12 34 56 78") || !p.Has("2 rue des Membres") {
		t.Fatalf("member view: %d\n%s", p.Status, p.Body)
	}
	if p.Has("1 rue des Staff") || p.Has("I fix lamps.") || p.Has("Visible to:") {
		t.Fatalf("member view shows staff-only details:\n%s", p.Body)
	}
	// Staff see the staff address and bio.
	p = memberLogin(t, n, "sam").get("/people/alice")
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
	n := startNode(t, newTestClock())
	memberCreate(t, n, "alice", shrooms.RoleMember)
	w := memberLogin(t, n, "alice")
	if p := w.get("/people"); p.Status != http.StatusOK {
		t.Fatalf("/people with the module on: %d", p.Status)
	}
	sys := shrooms.NewSystemContext(context.Background())
	s, err := n.m.DB.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	s.Modules = []string{"inventory"}
	if err := n.m.DB.UpdateSettings(sys, s); err != nil {
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
