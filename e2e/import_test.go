package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Tests of the CSV import (preview, confirmation, row errors, tokens) and
// export (filters, formula injection, round trip), on the web and the API.

// importFixtures gives a node the categories "Tools › Power tools" (with
// custom fields watts and bought) and the places "Workshop › Shelf A".
func importFixtures(t *testing.T, n *testNode) (tools, power *shrooms.Category, workshop, shelf *shrooms.Place) {
	t.Helper()
	tools = &shrooms.Category{Name: "Tools"}
	if err := n.m.DB.Categories.CreateCategory(systemCtx, tools); err != nil {
		t.Fatal(err)
	}
	power = &shrooms.Category{Name: "Power tools", ParentID: tools.ID}
	if err := n.m.DB.Categories.CreateCategory(systemCtx, power); err != nil {
		t.Fatal(err)
	}
	fields := []shrooms.CustomField{{Key: "watts", Label: "Watts", Type: shrooms.FieldNumber},
		{Key: "bought", Label: "Bought on", Type: shrooms.FieldDate}}
	if err := n.m.DB.Categories.SetCategoryFields(systemCtx, power.ID, fields); err != nil {
		t.Fatal(err)
	}
	workshop = &shrooms.Place{Name: "Workshop", Kind: shrooms.PlaceWorkshop}
	if err := n.m.DB.Places.CreatePlace(systemCtx, workshop); err != nil {
		t.Fatal(err)
	}
	shelf = &shrooms.Place{Name: "Shelf A", Kind: shrooms.PlaceShelf, ParentID: workshop.ID}
	if err := n.m.DB.Places.CreatePlace(systemCtx, shelf); err != nil {
		t.Fatal(err)
	}
	return tools, power, workshop, shelf
}

// allItems returns every item, by name, as the system.
func allItems(t *testing.T, n *testNode) []*shrooms.Item {
	t.Helper()
	items, _, err := n.m.DB.Items.FindItems(systemCtx, shrooms.ItemFilter{Sort: shrooms.SortName, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

var previewPath = regexp.MustCompile(`^/items/import/[0-9a-f]{32}$`)

// previewToken is the token of a preview page.
func previewToken(t *testing.T, p page) string {
	t.Helper()
	if !previewPath.MatchString(p.Path) || p.Status != http.StatusOK {
		t.Fatalf("not a preview: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	return strings.TrimPrefix(p.Path, "/items/import/")
}

// TestImportPreviewThenImport: a French spreadsheet (BOM, semicolons,
// decimal commas) with categories by path and by name, places, an owner
// and custom fields previews without writing, then imports every row.
func TestImportPreviewThenImport(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, power, _, shelf := importFixtures(t, n)
	sam := createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)

	form := staff.get("/items/import")
	if form.Status != 200 || !form.Has(`action="/items/import"`) || !form.Has("field:KEY") || !form.Has("/items/import/template.csv") || !form.Has("js/import.js") {
		t.Fatalf("import form: %d\n%s", form.Status, form.Body)
	}
	tmpl := staff.get("/items/import/template.csv")
	if tmpl.Status != 200 || !strings.HasPrefix(tmpl.Body, "\ufeffname,kind,description,category") {
		t.Fatalf("template: %d %q", tmpl.Status, tmpl.Body)
	}

	csv := "\ufeffname;kind;category;value;loanable;place;owner;field:watts;field:bought;quantity;unit\r\n" +
		"Perceuse à percussion;tool;Tools > Power tools;89,90;oui;Shelf A;sam;750;2024-03-01;;\r\n" +
		"Scie sauteuse;device;Power tools;12,5;non;Workshop › Shelf A;;450;;;\r\n" +
		"Fusibles 5 A;part;;0,20;non;;;;;40;pcs\r\n"
	p := staff.postMultipart("/items/import", url.Values{}, "file", "inventaire.csv", []byte(csv))
	tok := previewToken(t, p)
	if !p.Has("inventaire.csv: 3 rows.") || !p.Has("Import 3 items") || !p.Has("Perceuse à percussion") || p.Has(`id="import-errors"`) {
		t.Fatalf("preview:\n%s", p.Body)
	}
	if got := countItems(t, n); got != 0 {
		t.Fatalf("the preview wrote %d items", got)
	}

	done := staff.post("/items/import/confirm", url.Values{"token": {tok}})
	if done.Status != 200 || done.Path != "/items?sort=-created" || !done.Has("3 items imported.") {
		t.Fatalf("confirm: %s %d\n%s", done.Path, done.Status, done.Body)
	}
	items := allItems(t, n)
	if len(items) != 3 {
		t.Fatalf("%d items imported", len(items))
	}
	drill, fuses, saw := items[1], items[0], items[2]
	if drill.Name != "Perceuse à percussion" || drill.CategoryID != power.ID || drill.ValueCents != 8990 || !drill.Loanable ||
		!drill.Loan.Members || drill.PlaceID != shelf.ID || drill.OwnerID != sam.ID || drill.Fields["watts"] != "750" || drill.Fields["bought"] != "2024-03-01" {
		t.Errorf("drill: %+v", drill)
	}
	if saw.Kind != shrooms.KindDevice || saw.CategoryID != power.ID || saw.ValueCents != 1250 || saw.Loanable || saw.PlaceID != shelf.ID || saw.OwnerID != 0 {
		t.Errorf("saw: %+v", saw)
	}
	if fuses.Kind != shrooms.KindPart || fuses.Quantity != 40 || fuses.Unit != "pcs" || fuses.ValueCents != 20 {
		t.Errorf("fuses: %+v", fuses)
	}
	// The preview is used up: a second confirmation imports nothing more.
	again := staff.post("/items/import/confirm", url.Values{"token": {tok}})
	if again.Status != http.StatusGone || !again.Has("upload the file again") || countItems(t, n) != 3 {
		t.Errorf("second confirm: %d, %d items\n%s", again.Status, countItems(t, n), again.Body)
	}
}

// TestImportRowErrorsWriteNothing: one bad row among 50 shows with its
// spreadsheet row number and blocks the whole import; a bad file shape
// is refused at once.
func TestImportRowErrorsWriteNothing(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	importFixtures(t, n)
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)

	var b strings.Builder
	b.WriteString("name,kind,value,category,owner\n")
	for i := 2; i <= 51; i++ {
		switch i {
		case 17:
			b.WriteString("Item 17,drill,1.00,,\n") // the store refuses the kind
		case 23:
			b.WriteString("Item 23,tool,lots,,\n") // the handler cannot read the value
		case 31:
			b.WriteString("Item 31,tool,,Garden,nobody\n") // unknown category and owner
		default:
			fmt.Fprintf(&b, "Item %d,tool,1.00,Tools,\n", i)
		}
	}
	p := staff.postMultipart("/items/import", url.Values{}, "file", "items.csv", []byte(b.String()))
	previewToken(t, p)
	for _, want := range []string{`id="import-errors"`, "<td>17</td><td><code>kind</code></td>", "<td>23</td><td><code>value</code></td><td>not an amount like 12.50</td>",
		"<td>31</td><td><code>category</code></td>", "<td>31</td><td><code>owner</code></td><td>no member has this username</td>", "4 problems"} {
		if !p.Has(want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if p.Has("/items/import/confirm") {
		t.Error("a preview with errors offers to import")
	}
	if got := countItems(t, n); got != 0 {
		t.Fatalf("%d items written", got)
	}
	fr := loginAs(t, n, "sam", memberPassword)
	fr.lang = "fr"
	if p := fr.postMultipart("/items/import", url.Values{}, "file", "items.csv", []byte(b.String())); !p.Has("pas un montant comme 12,50") {
		t.Errorf("French preview does not translate the handler's messages:\n%s", p.Body)
	}

	for _, tc := range []struct {
		csv    string
		status int
		want   string
	}{
		{"name,colour\nDrill,red\n", 400, `Unknown columns: &#34;colour&#34;`},
		{"kind\ntool\n", 400, "no name column"},
		{"", 400, "choose a CSV file"},
	} {
		var p page
		if tc.csv == "" {
			p = staff.postMultipart("/items/import", url.Values{}, "", "", nil)
		} else {
			p = staff.postMultipart("/items/import", url.Values{}, "file", "x.csv", []byte(tc.csv))
		}
		if p.Status != tc.status || !strings.Contains(strings.ToLower(p.Body), strings.ToLower(tc.want)) || !p.Has(`role="alert"`) {
			t.Errorf("%q: %d, want %d with %q\n%s", tc.csv, p.Status, tc.status, tc.want, p.Body)
		}
	}
	if got := countItems(t, n); got != 0 {
		t.Fatalf("%d items written", got)
	}
}

// TestImportTokens: a preview belongs to its uploader and lasts 30
// minutes; members without the inventory write grant cannot import.
func TestImportTokens(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	n := startNode(t, clock)
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	createUser(t, n, "kim", shrooms.RoleStaff, memberPassword)
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	sam, kim, mia := loginAs(t, n, "sam", memberPassword), loginAs(t, n, "kim", memberPassword), loginAs(t, n, "mia", memberPassword)
	csv := []byte("name\nDrill\nSaw\n")

	tok := previewToken(t, sam.postMultipart("/items/import", url.Values{}, "file", "a.csv", csv))
	if p := kim.get("/items/import/" + tok); p.Status != http.StatusGone || p.Has("Drill") {
		t.Errorf("another user sees the preview: %d", p.Status)
	}
	if p := kim.post("/items/import/confirm", url.Values{"token": {tok}}); p.Status != http.StatusGone || countItems(t, n) != 0 {
		t.Errorf("another user confirms: %d, %d items", p.Status, countItems(t, n))
	}
	clock.Advance(31 * time.Minute)
	if p := sam.post("/items/import/confirm", url.Values{"token": {tok}}); p.Status != http.StatusGone || !p.Has("expired") || countItems(t, n) != 0 {
		t.Errorf("expired confirm: %d, %d items", p.Status, countItems(t, n))
	}
	tok = previewToken(t, sam.postMultipart("/items/import", url.Values{}, "file", "a.csv", csv))
	if p := sam.post("/items/import/confirm", url.Values{"token": {tok}}); !p.Has("2 items imported.") || countItems(t, n) != 2 {
		t.Errorf("fresh confirm: %d, %d items", p.Status, countItems(t, n))
	}

	if p := mia.postMultipart("/items/import", url.Values{}, "file", "a.csv", csv); p.Status != http.StatusForbidden || countItems(t, n) != 2 {
		t.Errorf("member import: %d, %d items", p.Status, countItems(t, n))
	}
	anon := newWebClient(t, n)
	if p := anon.get("/items/import"); !strings.HasPrefix(p.Path, "/login") {
		t.Errorf("anonymous import form: %s", p.Path)
	}
}

// TestExportImportRoundTrip: an export re-imports on a fresh node as the
// same items; cells that a spreadsheet would run as formulas are quoted.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	a, b := startNode(t, newTestClock()), startNode(t, newTestClock())
	_, power, _, shelf := importFixtures(t, a)
	importFixtures(t, b)
	for _, n := range []*testNode{a, b} {
		createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	}
	samA := findUser(t, a, "sam")
	createItem(t, a, &shrooms.Item{Name: "Cordless drill", Description: "18 V, \"two\" batteries;\nspare chuck", CategoryID: power.ID,
		ValueCents: 8990, Loanable: true, Loan: shrooms.LoanRules{MaxDays: 14, DepositCents: 2000, Members: true, Partners: true, Renewals: ptr(3)},
		PlaceID: shelf.ID, OwnerID: samA.ID, Audience: shrooms.AudiencePublic, Condition: shrooms.ConditionFair,
		Fields: map[string]string{"watts": "750", "bought": "2024-03-01"}})
	createItem(t, a, &shrooms.Item{Name: "=HYPERLINK(\"http://evil.example\")", Kind: shrooms.KindDevice, Status: shrooms.StatusInRepair,
		Loan: shrooms.LoanRules{Renewals: ptr(0)}})
	createItem(t, a, &shrooms.Item{Name: "Fuse 5 A", Kind: shrooms.KindPart, Quantity: 40, MinQuantity: 10, Unit: "pcs", Audience: shrooms.AudienceStaff})

	staff := loginAs(t, a, "sam", memberPassword)
	res, err := staff.c.Get(a.url() + "/items/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	export := string(data)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="items-`+a.clock.Now().Format("2006-01-02")+`.csv"` {
		t.Fatalf("export: %d %v\n%s", res.StatusCode, res.Header, export)
	}
	if !strings.HasPrefix(export, "\ufeffname,kind,description,category,condition,value,status,loanable,loan_max_days,loan_renewals,deposit,loan_members,loan_partners,place,audience,quantity,unit,min_quantity,owner,field:watts,field:bought\r\n") {
		t.Fatalf("export header:\n%s", export)
	}
	if !strings.Contains(export, `"'=HYPERLINK(""http://evil.example"")"`) || !strings.Contains(export, "Tools › Power tools") || !strings.Contains(export, "Workshop › Shelf A") {
		t.Errorf("export:\n%s", export)
	}
	// The catalogue's filters apply.
	if p := staff.get("/items/export.csv?kind=part"); p.Status != 200 || !strings.Contains(p.Body, "Fuse 5 A") || strings.Contains(p.Body, "Cordless drill") {
		t.Errorf("filtered export:\n%s", p.Body)
	}

	other := loginAs(t, b, "sam", memberPassword)
	tok := previewToken(t, other.postMultipart("/items/import", url.Values{}, "file", "export.csv", []byte(export)))
	if p := other.post("/items/import/confirm", url.Values{"token": {tok}}); !p.Has("3 items imported.") {
		t.Fatalf("re-import:\n%s", p.Body)
	}
	key := func(n *testNode) []string {
		var out []string
		for _, it := range allItems(t, n) {
			owner := ""
			if it.OwnerID != 0 {
				u, _ := n.m.DB.Users.FindUserByID(systemCtx, it.OwnerID)
				owner = u.Username
			}
			place := ""
			if it.Place != nil {
				place = it.Place.Path
			}
			var fields []string
			for k, v := range it.Fields {
				fields = append(fields, k+"="+v)
			}
			sort.Strings(fields)
			// The renewal limit by value (nil: the organisation's rule).
			loan, renewals := it.Loan, "org"
			if loan.Renewals != nil {
				renewals = strconv.Itoa(*loan.Renewals)
			}
			loan.Renewals = nil
			out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%d|%s|%v|%+v renewals:%s|%s|%s|%d|%s|%d|%s|%v", it.Name, it.Kind, it.Description,
				it.CategoryPath, it.Condition, it.ValueCents, it.Status, it.Loanable, loan, renewals, place, it.Audience,
				it.Quantity, it.Unit, it.MinQuantity, owner, fields))
		}
		return out
	}
	ka, kb := key(a), key(b)
	if strings.Join(ka, "\n") != strings.Join(kb, "\n") {
		t.Errorf("round trip differs:\nA:\n%s\nB:\n%s", strings.Join(ka, "\n"), strings.Join(kb, "\n"))
	}
}

// TestAPIImportExport: a dry run checks without writing; row errors are
// 422 with every error; a valid file imports; the export is plain CSV.
func TestAPIImportExport(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tokens := newInventoryTokens(t, n)
	good := []byte("name;value\nDrill;12,50\nSaw;3\n")

	status, _, body := n.apiSend("POST", "/api/v1/items/import?dry_run=true", tokens.staff, "text/csv", good)
	if status != 200 || string(body) != `{"created":2,"dry_run":true,"errors":[]}`+"\n" || countItems(t, n) != 0 {
		t.Fatalf("dry run: %d %s, %d items", status, body, countItems(t, n))
	}
	bad := []byte("name,kind\nDrill,tool\nSaw,saw\n,tool\n")
	status, _, body = n.apiSend("POST", "/api/v1/items/import", tokens.staff, "text/csv", bad)
	if status != 422 || !strings.Contains(string(body), `"row":3,"field":"kind"`) || !strings.Contains(string(body), `"row":4`) || countItems(t, n) != 0 {
		t.Fatalf("bad rows: %d %s, %d items", status, body, countItems(t, n))
	}
	status, _, body = n.apiSend("POST", "/api/v1/items/import", tokens.staff, "text/csv", []byte("name,size\nx,1\n"))
	if status != 400 || !strings.Contains(string(body), "size") {
		t.Errorf("unknown column: %d %s", status, body)
	}
	if status, _, _ = n.apiSend("POST", "/api/v1/items/import", tokens.member, "text/csv", good); status != 403 || countItems(t, n) != 0 {
		t.Errorf("member import: %d", status)
	}
	ct, mp := apiMultipart(t, "file", "items.csv", good)
	status, _, body = n.apiSend("POST", "/api/v1/items/import?dry_run=false", tokens.staff, ct, mp)
	if status != 200 || !strings.Contains(string(body), `"created":2,"dry_run":false`) || countItems(t, n) != 2 {
		t.Fatalf("import: %d %s, %d items", status, body, countItems(t, n))
	}
	status, hdr, body := n.apiSend("GET", "/api/v1/items/export.csv?sort=name", tokens.staff, "", nil)
	if status != 200 || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(string(body), "name,kind,") ||
		!strings.Contains(string(body), "\r\nDrill,tool,,,good,12.50,available,") {
		t.Errorf("export: %d %v\n%s", status, hdr, body)
	}
}
