package e2e

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// The admin pages, through the browser's forms: users, invitations,
// groups, permissions, settings and follow requests.

func wantStatus(t *testing.T, what string, p page, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d on %s, want %d:\n%s", what, p.Status, p.Path, status, p.Body)
	}
}

func userPath(u *shrooms.User) string { return "/admin/users/" + strconv.FormatInt(u.ID, 10) }

// TestAdminUsers: the admin lists and searches users, changes a member's
// role, suspends them (which ends their session), lifts the suspension and
// deletes the account, whose actor and username are gone for good.
func TestAdminUsers(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	bob := createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
	createUser(t, n, "carol", shrooms.RoleStaff, memberPassword)
	w := loginAs(t, n, "admin", adminPassword)

	p := w.get("/admin")
	wantStatus(t, "overview", p, 200)
	if !p.Has(`id="count-users">3 accounts`) || !p.Has(`href="/admin/federation"`) {
		t.Fatalf("overview lacks the counts or links:\n%s", p.Body)
	}
	p = w.get("/admin/users")
	wantStatus(t, "users", p, 200)
	for _, s := range []string{">admin<", ">bob<", ">carol<", "3 accounts found", `action="/admin/invitations"`} {
		if !p.Has(s) {
			t.Errorf("users list lacks %q", s)
		}
	}
	p = w.get("/admin/users?q=bo")
	if !p.Has(">bob<") || p.Has(">carol<") || !p.Has("1 account found") {
		t.Fatalf("search bo:\n%s", p.Body)
	}
	p = w.get("/admin/users?role=staff")
	if !p.Has(">carol<") || p.Has(">bob<") {
		t.Fatalf("filter staff:\n%s", p.Body)
	}
	wantStatus(t, "bad role filter", w.get("/admin/users?role=king"), 400)
	wantStatus(t, "bad page", w.get("/admin/users?page=zero"), 400)

	p = w.get(userPath(bob))
	wantStatus(t, "user page", p, 200)
	if !p.Has("bob@example.org") || !p.Has(`id="user-role">Member`) {
		t.Fatalf("user page:\n%s", p.Body)
	}
	p = w.post(userPath(bob)+"/role", url.Values{"role": {"staff"}})
	if p.Status != 200 || p.Path != userPath(bob) || !p.Has(`id="user-role">Staff`) || !p.Has("The role was changed.") {
		t.Fatalf("role change ended on %s %d:\n%s", p.Path, p.Status, p.Body)
	}
	if got := findUser(t, n, "bob").Role; got != shrooms.RoleStaff {
		t.Fatalf("bob's role = %s", got)
	}
	wantStatus(t, "unknown role", w.post(userPath(bob)+"/role", url.Values{"role": {"king"}}), 400)
	if got := findUser(t, n, "bob").Role; got != shrooms.RoleStaff {
		t.Fatalf("bob's role after a bad form = %s", got)
	}

	// Suspending ends bob's session at once.
	bobWeb := newWebClient(t, n)
	bobWeb.login("bob", memberPassword)
	p = w.post(userPath(bob)+"/suspend", nil)
	if p.Status != 200 || !p.Has(`id="user-status">Suspended`) {
		t.Fatalf("suspend: %d\n%s", p.Status, p.Body)
	}
	if p = bobWeb.get("/dashboard"); !strings.HasPrefix(p.Path, "/login") {
		t.Fatalf("suspended bob still reaches %s", p.Path)
	}
	if p = bobWeb.post("/login", url.Values{"login": {"bob"}, "password": {memberPassword}}); strings.HasPrefix(p.Path, "/dashboard") {
		t.Fatal("suspended bob could log in")
	}
	p = w.post(userPath(bob)+"/unsuspend", nil)
	if p.Status != 200 || !p.Has(`id="user-status">Active`) {
		t.Fatalf("unsuspend: %d\n%s", p.Status, p.Body)
	}
	bobWeb.login("bob", memberPassword)

	// Deleting: the confirmation page shows the policy, in English and in
	// French, from the catalog.
	p = w.get(userPath(bob) + "/delete")
	wantStatus(t, "delete page", p, 200)
	if !strings.Contains(html.UnescapeString(p.Body), shrooms.UserDeletionPolicy) {
		t.Fatalf("delete page does not show the deletion policy:\n%s", p.Body)
	}
	w.lang = "fr"
	w.post("/language", url.Values{"lang": {"fr"}, "next": {"/"}})
	if p = w.get(userPath(bob) + "/delete"); !strings.Contains(html.UnescapeString(p.Body), "passent à l'organisation") {
		t.Fatalf("French delete page:\n%s", p.Body)
	}
	w.post("/language", url.Values{"lang": {"en"}, "next": {"/"}})
	w.lang = "en"
	actorIRI := n.url() + "/actors/bob"
	if status, _, _ := n.get("/actors/bob", "application/activity+json"); status != 200 {
		t.Fatalf("bob's actor before deletion: %d", status)
	}
	p = w.post(userPath(bob)+"/delete", nil)
	if p.Status != 200 || p.Path != "/admin/users" || !p.Has("The account was deleted.") || p.Has(">bob<") {
		t.Fatalf("delete ended on %s %d:\n%s", p.Path, p.Status, p.Body)
	}
	if status, _, _ := n.get("/actors/bob", "application/activity+json"); status != 404 && status != 410 {
		t.Fatalf("deleted bob's actor %s answers %d", actorIRI, status)
	}
	if p = bobWeb.get("/dashboard"); !strings.HasPrefix(p.Path, "/login") {
		t.Fatalf("deleted bob still reaches %s", p.Path)
	}
	again := &shrooms.User{Username: "bob", Email: "bob2@example.org", Role: shrooms.RoleMember}
	if err := n.m.DB.Users.CreateUser(systemCtx, again, memberPassword); shrooms.ErrorCode(err) != shrooms.ECONFLICT {
		t.Fatalf("re-creating bob: %v, want a conflict", err)
	}
	wantStatus(t, "deleted user page", w.get(userPath(bob)), 404)
}

// TestAdminLastAdmin: the only admin cannot demote, suspend or delete
// themselves; each attempt is a 409 with a clear message and changes
// nothing. With a second admin, demoting oneself works.
func TestAdminLastAdmin(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	w := loginAs(t, n, "admin", adminPassword)
	me := findUser(t, n, "admin")
	for _, tc := range []struct {
		name, path string
		form       url.Values
		msg        string
	}{
		{"demote", userPath(me) + "/role", url.Values{"role": {"member"}}, "cannot lose the admin role nor be suspended"},
		{"suspend", userPath(me) + "/suspend", nil, "cannot lose the admin role nor be suspended"},
		{"delete", userPath(me) + "/delete", nil, "The last active admin cannot be deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := w.post(tc.path, tc.form)
			if p.Status != http.StatusConflict || !p.Has(tc.msg) || !p.Has(`role="alert"`) {
				t.Fatalf("%d, want 409 with %q:\n%s", p.Status, tc.msg, p.Body)
			}
			if u := findUser(t, n, "admin"); u.Role != shrooms.RoleAdmin || u.Status != shrooms.StatusActive {
				t.Fatalf("admin is now %s/%s", u.Role, u.Status)
			}
		})
	}
	wantStatus(t, "still an admin", w.get("/admin"), 200)

	createUser(t, n, "second", shrooms.RoleAdmin, memberPassword)
	p := w.post(userPath(me)+"/role", url.Values{"role": {"member"}})
	if p.Status != 200 || p.Path != "/" {
		t.Fatalf("demoting oneself beside another admin ended on %s %d", p.Path, p.Status)
	}
	wantStatus(t, "former admin", w.get("/admin"), 403)
}

// adminRoutes lists every admin page and form, for the access tests.
func adminRoutes(userID int64) (gets, posts []string) {
	u := "/admin/users/" + strconv.FormatInt(userID, 10)
	gets = []string{"/admin", "/admin/users", u, u + "/delete", "/admin/groups", "/admin/groups/1",
		"/admin/permissions", "/admin/settings", "/admin/federation"}
	posts = []string{u + "/role", u + "/suspend", u + "/unsuspend", u + "/delete", "/admin/invitations",
		"/admin/invitations/1/delete", "/admin/groups", "/admin/groups/1", "/admin/groups/1/delete",
		"/admin/permissions", "/admin/settings", "/admin/following", "/admin/following/1/delete",
		"/admin/follow-requests/1/approve", "/admin/follow-requests/1/reject"}
	return gets, posts
}

// TestAdminPagesForbidden: a member gets 403 on every admin page and
// form, and changes nothing; an anonymous visitor is sent to log in.
func TestAdminPagesForbidden(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	bob := createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
	before, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	member := newWebClient(t, n)
	member.login("bob", memberPassword)
	if p := member.get("/dashboard"); p.Has(`href="/admin"`) {
		t.Error("a member's menu links to the admin pages")
	}
	gets, posts := adminRoutes(bob.ID)
	// A fresh form each time: post fills in the client's CSRF token.
	form := func() url.Values {
		return url.Values{"role": {"admin"}, "name": {"Taken over"}, "email": {"x@example.org"}, "address": {"org@example.org"}, "signup_mode": {"open"}}
	}
	for _, path := range gets {
		wantStatus(t, "member GET "+path, member.get(path), 403)
	}
	for _, path := range posts {
		wantStatus(t, "member POST "+path, member.post(path, form()), 403)
	}
	if u := findUser(t, n, "bob"); u.Role != shrooms.RoleMember || u.Status != shrooms.StatusActive {
		t.Fatalf("bob is now %s/%s", u.Role, u.Status)
	}
	if after, _ := n.m.DB.Settings.FindSettings(systemCtx); after.Name != before.Name || after.SignupMode != before.SignupMode {
		t.Fatalf("settings changed by a member: %+v", after)
	}
	anon := newWebClient(t, n)
	for _, path := range gets {
		if p := anon.get(path); !strings.HasPrefix(p.Path, "/login?next=") {
			t.Errorf("anonymous GET %s ended on %s %d", path, p.Path, p.Status)
		}
	}
	for _, path := range posts {
		if p := anon.post(path, form()); !strings.HasPrefix(p.Path, "/login") {
			t.Errorf("anonymous POST %s ended on %s %d", path, p.Path, p.Status)
		}
	}
}

var groupLink = regexp.MustCompile(`href="/admin/groups/(\d+)"`)

// TestAdminGroups: create a group, rename it and choose its members with
// the checkboxes, refuse bad names, delete it.
func TestAdminGroups(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	bob := createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
	carol := createUser(t, n, "carol", shrooms.RoleMember, memberPassword)
	w := loginAs(t, n, "admin", adminPassword)

	p := w.post("/admin/groups", url.Values{"name": {"Repairers"}, "description": {"Fix things"}})
	if p.Status != 200 || !strings.HasPrefix(p.Path, "/admin/groups/") || !p.Has(`name="members"`) {
		t.Fatalf("create group ended on %s %d:\n%s", p.Path, p.Status, p.Body)
	}
	gpath := p.Path
	gid, _ := strconv.ParseInt(strings.TrimPrefix(gpath, "/admin/groups/"), 10, 64)
	wantStatus(t, "duplicate name", w.post("/admin/groups", url.Values{"name": {"repairers"}}), 409)
	wantStatus(t, "empty name", w.post("/admin/groups", url.Values{"name": {"  "}}), 400)

	p = w.post(gpath, url.Values{"name": {"Menders"}, "description": {"Mend things"},
		"members": {strconv.FormatInt(bob.ID, 10), strconv.FormatInt(carol.ID, 10)}})
	if p.Status != 200 || p.Path != gpath || !p.Has("Menders") {
		t.Fatalf("save group: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	g, err := n.m.DB.Groups.FindGroupByID(systemCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "Menders" || g.Description != "Mend things" || len(g.MemberIDs) != 2 {
		t.Fatalf("group after save: %+v", g)
	}
	if !regexp.MustCompile(`value="` + strconv.FormatInt(bob.ID, 10) + `" id="member-\d+" checked`).MatchString(p.Body) {
		t.Fatalf("bob is not ticked:\n%s", p.Body)
	}
	// Unticking carol removes her; a bad member refuses the form whole.
	w.post(gpath, url.Values{"name": {"Menders"}, "members": {strconv.FormatInt(bob.ID, 10)}})
	wantStatus(t, "bad member", w.post(gpath, url.Values{"name": {"Renamed"}, "members": {"x"}}), 400)
	if g, _ = n.m.DB.Groups.FindGroupByID(systemCtx, gid); g.Name != "Menders" || len(g.MemberIDs) != 1 || g.MemberIDs[0] != bob.ID {
		t.Fatalf("group after unticking and a bad form: %+v", g)
	}
	if p = w.get("/admin/groups"); !p.Has("Menders") || !groupLink.MatchString(p.Body) || !p.Has("1 member") {
		t.Fatalf("groups list:\n%s", p.Body)
	}
	p = w.post(gpath+"/delete", nil)
	if p.Status != 200 || p.Path != "/admin/groups" || p.Has("Menders") {
		t.Fatalf("delete group: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	wantStatus(t, "deleted group", w.get(gpath), 404)
}

// permForm is the whole permissions matrix: staff write, members read,
// groups nothing, except what set says.
func permForm(groupIDs []int64, set map[string]string) url.Values {
	f := url.Values{}
	for _, m := range shrooms.Modules {
		f.Set(m+".role-staff", "write")
		f.Set(m+".role-member", "read")
		for _, id := range groupIDs {
			f.Set(m+".group-"+strconv.FormatInt(id, 10), "none")
		}
	}
	for k, v := range set {
		f.Set(k, v)
	}
	return f
}

// TestAdminPermissions: the matrix shows the grants; saving it changes
// what members may do; a bad value changes nothing.
func TestAdminPermissions(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	bob := createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
	g := &shrooms.Group{Name: "Volunteers"}
	if err := n.m.DB.Groups.CreateGroup(systemCtx, g); err != nil {
		t.Fatal(err)
	}
	w := loginAs(t, n, "admin", adminPassword)
	member := newWebClient(t, n)
	member.login("bob", memberPassword)
	wantStatus(t, "people before", member.get("/people"), 200)

	p := w.get("/admin/permissions")
	wantStatus(t, "permissions", p, 200)
	for _, s := range []string{`name="people.role-member"`, `name="people.group-` + strconv.FormatInt(g.ID, 10) + `"`, "Volunteers", "Admins always have every right."} {
		if !p.Has(s) {
			t.Errorf("matrix lacks %q", s)
		}
	}
	groupCell := "people.group-" + strconv.FormatInt(g.ID, 10)
	p = w.post("/admin/permissions", permForm([]int64{g.ID}, map[string]string{"people.role-member": "none"}))
	if p.Status != 200 || !p.Has("The permissions were saved.") {
		t.Fatalf("save: %d\n%s", p.Status, p.Body)
	}
	if p = member.get("/people"); p.Status != 403 && p.Status != 404 {
		t.Fatalf("member without access to people gets %d", p.Status)
	}
	if member.get("/dashboard").Has(`href="/people"`) {
		t.Error("the menu offers People to a member without access to it")
	}
	// A group grant gives it back to the group's members.
	if err := n.m.DB.Groups.SetGroupMembers(systemCtx, g.ID, []int64{bob.ID}); err != nil {
		t.Fatal(err)
	}
	w.post("/admin/permissions", permForm([]int64{g.ID}, map[string]string{"people.role-member": "none", groupCell: "read"}))
	wantStatus(t, "people through the group", member.get("/people"), 200)
	if !member.get("/dashboard").Has(`href="/people"`) {
		t.Error("the menu hides People from a member whose group may read it")
	}
	p = w.get("/admin/permissions")
	if !regexp.MustCompile(`name="` + regexp.QuoteMeta(groupCell) + `">\s*<option value="none" >[^<]*</option>\s*<option value="read" selected>`).MatchString(p.Body) {
		t.Fatalf("the group's read grant is not selected:\n%s", p.Body)
	}
	before, _ := n.m.DB.Groups.FindGrants(systemCtx)
	wantStatus(t, "bad access", w.post("/admin/permissions", permForm(nil, map[string]string{"loans.role-staff": "root"})), 400)
	if after, _ := n.m.DB.Groups.FindGrants(systemCtx); len(after) != len(before) {
		t.Fatalf("grants changed by a bad form: %d → %d", len(before), len(after))
	}
}

// settingsForm is the whole settings form with these modules on.
func settingsForm(name string, modules ...string) url.Values {
	return url.Values{"name": {name}, "description": {"We fix things"}, "postal_address": {"1 rue des Champignons\n75000 Paris"},
		"primary_color": {"#7a4a24"}, "primary_color_text": {"#7a4a24"}, "accent_color": {"#3f6b2a"}, "accent_color_text": {"#3f6b2a"},
		"custom_css": {".x { color: red }"}, "signup_mode": {"invite"}, "default_language": {"fr"}, "modules": modules}
}

// TestAdminSettings: the name shows in every page's title, a logo is
// uploaded, kept and removed, a bad colour changes nothing, and a module
// turned off disappears from the menu and its pages.
func TestAdminSettings(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	w := loginAs(t, n, "admin", adminPassword)
	p := w.get("/admin/settings")
	wantStatus(t, "settings", p, 200)
	if !p.Has(`type="color"`) || !p.Has(`name="modules" value="people"`) {
		t.Fatalf("settings form:\n%s", p.Body)
	}
	if !w.get("/dashboard").Has(`href="/people"`) {
		t.Fatal("the menu has no People link while the module is on")
	}

	p = w.postMultipart("/admin/settings", settingsForm("Atelier Vélo", shrooms.Modules...), "logo", "logo.png", testPNG(t, 40, 30))
	if p.Status != 200 || !p.Has("The settings were saved.") || !p.Has("· Atelier Vélo</title>") {
		t.Fatalf("save settings: %d\n%s", p.Status, p.Body)
	}
	s, _ := n.m.DB.Settings.FindSettings(systemCtx)
	if s.Name != "Atelier Vélo" || s.LogoID == 0 || s.SignupMode != shrooms.SignupInvite || s.DefaultLanguage != "fr" || s.CustomCSS != ".x { color: red }" {
		t.Fatalf("settings after save: %+v", s)
	}
	logo := s.LogoID
	// The text twin of a colour picker wins when it was changed.
	form := settingsForm("Atelier Vélo", shrooms.Modules...)
	form.Set("primary_color_text", "#112233")
	w.postMultipart("/admin/settings", form, "", "", nil)
	if s, _ = n.m.DB.Settings.FindSettings(systemCtx); s.LogoID != logo || s.PrimaryColor != "#112233" {
		t.Fatalf("without an upload the logo must stay (%d → %d), typed colour %s", logo, s.LogoID, s.PrimaryColor)
	}
	form.Set("primary_color_text", "brown")
	wantStatus(t, "bad colour", w.postMultipart("/admin/settings", form, "", "", nil), 400)
	if s, _ = n.m.DB.Settings.FindSettings(systemCtx); s.PrimaryColor != "#112233" {
		t.Fatalf("a bad colour changed the settings: %+v", s)
	}
	form = settingsForm("Atelier Vélo", shrooms.Modules...)
	form.Set("remove_logo", "1")
	w.postMultipart("/admin/settings", form, "", "", nil)
	if s, _ = n.m.DB.Settings.FindSettings(systemCtx); s.LogoID != 0 {
		t.Fatalf("logo after remove_logo: %d", s.LogoID)
	}

	var noPeople []string
	for _, m := range shrooms.Modules {
		if m != "people" {
			noPeople = append(noPeople, m)
		}
	}
	p = w.post("/admin/settings", settingsForm("Atelier Vélo", noPeople...))
	wantStatus(t, "people off", p, 200)
	if p = w.get("/dashboard"); p.Has(`href="/people"`) {
		t.Fatal("the menu still links to People with the module off")
	}
	wantStatus(t, "/people with the module off", w.get("/people"), 404)
	if p = w.get("/admin/settings"); p.Has(`value="people" id="module-people" checked`) || !p.Has(`value="loans" id="module-loans" checked`) {
		t.Fatalf("module boxes after turning people off:\n%s", p.Body)
	}
}
