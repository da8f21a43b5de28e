package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Tests of the PDF label sheets. The QR code's pixels are checked against
// the item's URL in labels/labels_test.go (which sees the encoder); here
// the node's answer: a real PDF with one code and one link per readable
// item, on as many A4 pages as needed.

// labelsPDF fetches a label sheet with the client's session.
func labelsPDF(t *testing.T, w *webClient, query string) (*http.Response, []byte) {
	t.Helper()
	res, err := w.c.Get(w.n.url() + "/items/labels.pdf" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

var pdfPage = regexp.MustCompile(`/Type /Page\b[^s]`)

// TestLabelsSheet: 30 items make two A4 pages of 24 labels, each with its
// QR code image and a link to the item's page.
func TestLabelsSheet(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	var ids []int64
	for i := 1; i <= 30; i++ {
		ids = append(ids, createItem(t, n, &shrooms.Item{Name: fmt.Sprintf("Perceuse n°%d", i)}).ID)
	}
	staff := loginAs(t, n, "sam", memberPassword)

	res, pdf := labelsPDF(t, staff, "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `inline; filename="labels.pdf"` || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("labels: %d %v %.40q", res.StatusCode, res.Header, pdf)
	}
	if pages, images := len(pdfPage.FindAll(pdf, -1)), bytes.Count(pdf, []byte("/Subtype /Image")); pages != 2 || images != 30 {
		t.Errorf("%d pages and %d images, want 2 and 30", pages, images)
	}
	for _, id := range ids {
		if !bytes.Contains(pdf, []byte(fmt.Sprintf("/URI (%s/items/%d)", n.url(), id))) {
			t.Errorf("no label for item %d", id)
		}
	}
	// By ids, and with the catalogue's filter.
	_, pdf = labelsPDF(t, staff, fmt.Sprintf("?id=%d&id=%d&id=%d", ids[0], ids[4], ids[0]))
	if images := bytes.Count(pdf, []byte("/Subtype /Image")); images != 2 || !bytes.Contains(pdf, []byte(fmt.Sprintf("/items/%d)", ids[4]))) {
		t.Errorf("two ids: %d images", images)
	}
	_, pdf = labelsPDF(t, staff, "?q=n%C2%B012")
	if images := bytes.Count(pdf, []byte("/Subtype /Image")); images != 1 {
		t.Errorf("search: %d images", images)
	}
	if res, _ := labelsPDF(t, staff, "?id="+strings.Repeat("1&id=", 500)+"1"); res.StatusCode != 400 {
		t.Errorf("501 ids: %d", res.StatusCode)
	}
	if res, _ := labelsPDF(t, staff, "?id=abc"); res.StatusCode != 400 {
		t.Errorf("bad id: %d", res.StatusCode)
	}
}

// TestLabelsRights: anonymous visitors are sent to log in; items the
// caller may not read are left out, and none left is 404.
func TestLabelsRights(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	shared := createItem(t, n, &shrooms.Item{Name: "Drill", Audience: shrooms.AudienceMembers})
	hidden := createItem(t, n, &shrooms.Item{Name: "Safe key", Audience: shrooms.AudienceStaff})

	anon := newWebClient(t, n)
	if p := anon.get(fmt.Sprintf("/items/labels.pdf?id=%d", shared.ID)); !strings.HasPrefix(p.Path, "/login") {
		t.Errorf("anonymous: ended on %s", p.Path)
	}
	member := loginAs(t, n, "mia", memberPassword)
	res, pdf := labelsPDF(t, member, fmt.Sprintf("?id=%d&id=%d", shared.ID, hidden.ID))
	if res.StatusCode != 200 || bytes.Count(pdf, []byte("/Subtype /Image")) != 1 ||
		!bytes.Contains(pdf, []byte(fmt.Sprintf("/items/%d)", shared.ID))) || bytes.Contains(pdf, []byte(fmt.Sprintf("/items/%d)", hidden.ID))) {
		t.Errorf("member: %d, the staff-only item is labelled or the shared one is not", res.StatusCode)
	}
	if res, _ := labelsPDF(t, member, fmt.Sprintf("?id=%d&id=99999", hidden.ID)); res.StatusCode != 404 {
		t.Errorf("only unreadable ids: %d, want 404", res.StatusCode)
	}
	// The API gives the same sheet to a token.
	token := strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", "mia"))
	status, hdr, body := n.apiSend("GET", fmt.Sprintf("/api/v1/items/labels.pdf?id=%d&id=%d", shared.ID, hidden.ID), token, "", nil)
	if status != 200 || hdr.Get("Content-Type") != "application/pdf" || bytes.Count(body, []byte("/Subtype /Image")) != 1 {
		t.Errorf("API: %d %v", status, hdr)
	}
	if status, _, _ := n.apiSend("GET", fmt.Sprintf("/api/v1/items/labels.pdf?id=%d", hidden.ID), token, "", nil); status != 404 {
		t.Errorf("API unreadable: %d", status)
	}
}
