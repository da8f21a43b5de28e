package e2e

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

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
	p, err := n.m.DB.Profiles.FindProfile(systemCtx, id)
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
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "bea", shrooms.RoleMember, memberPassword)

	admin := loginAs(t, n, "admin", adminPassword)
	p := admin.get("/dashboard")
	if p.Status != http.StatusOK {
		t.Fatalf("admin dashboard: %d\n%s", p.Status, p.Body)
	}
	want := []string{"welcome", "loans", "events", "tasks", "dues", "low-stock", "follow-requests"}
	if got := memberWidgets(p); !reflect.DeepEqual(got, want) {
		t.Fatalf("admin widgets = %v, want %v", got, want)
	}
	for _, s := range []string{"Hello, Admin!", "My loans", "You have no loan or request.",
		"Follow requests", "No follow request is waiting.", `href="/admin/federation"`, `href="/profile"`} {
		if !p.Has(s) {
			t.Errorf("admin dashboard lacks %q", s)
		}
	}
	if strings.Contains(p.Body, "dashboard.") {
		t.Errorf("dashboard shows an untranslated key:\n%s", p.Body)
	}

	bea := loginAs(t, n, "bea", memberPassword)
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
	s, err := n.m.DB.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	s.Modules = []string{"people", "events"}
	if err := n.m.DB.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	if got, want := memberWidgets(bea.get("/dashboard")), []string{"welcome", "events"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("member widgets with two modules = %v, want %v", got, want)
	}
}

// The admin's follow-requests widget counts the organisation's pending
// follow requests.
func TestMemberDashboardFollowRequests(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock, manualApproval)
	a.mustCLI("admin", "follow", b.acct())
	drain(t, a, b)
	p := loginAs(t, b, "admin", adminPassword).get("/dashboard")
	if !p.Has("1 organisation asks to follow yours.") {
		t.Fatalf("follow-requests widget does not count the request:\n%s", p.Body)
	}
}

func TestMemberDashboardArrange(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	u := createUser(t, n, "bea", shrooms.RoleMember, memberPassword)
	w := loginAs(t, n, "bea", memberPassword)

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
	if got := memberWidgets(loginAs(t, n, "bea", memberPassword).get("/dashboard")); !reflect.DeepEqual(got, want[:4]) {
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
	t.Parallel()
	n := startNode(t, newTestClock())
	u := createUser(t, n, "bea", shrooms.RoleMember, memberPassword)
	w := loginAs(t, n, "bea", memberPassword)
	sys := shrooms.NewSystemContext(context.Background())
	s, err := n.m.DB.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	all := s.Modules
	s.Modules = []string{"people", "events", "dues"}
	if err := n.m.DB.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	if p := w.get("/dashboard/arrange"); p.Has("show-loans") {
		t.Fatal("loans offered while the module is off")
	}
	w.post("/dashboard/arrange", url.Values{"order": {"dues", "welcome", "events"}, "show": {"dues", "welcome"}})
	s.Modules = all
	if err := n.m.DB.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	got := memberWidgets(w.get("/dashboard"))
	if want := []string{"dues", "welcome", "loans", "tasks"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("widgets with the modules back = %v, want %v (stored %v)", got, want, memberUser(t, n, u.ID).Dashboard)
	}
}

func TestMemberDashboardFrench(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "bea", shrooms.RoleMember, memberPassword)
	w := newWebClient(t, n)
	w.lang = "fr"
	w.login("bea", memberPassword)
	p := w.get("/dashboard")
	for _, s := range []string{`lang="fr"`, "Mon tableau de bord", "Bienvenue", "Bonjour Bea !", "Mes prêts", "Mes cotisations",
		"Vous n’avez ni prêt ni demande."} {
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
