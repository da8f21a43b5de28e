package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// pendingFiles lists the files of a user's pending imports in the node's
// data dir.
func pendingFiles(t *testing.T, n *testNode, userID int64) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(n.dir, "imports", strconv.FormatInt(userID, 10)))
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// hasPending reports whether one of files belongs to the preview tok.
func hasPending(files []string, tok string) bool {
	for _, f := range files {
		if strings.HasPrefix(f, tok) {
			return true
		}
	}
	return false
}

// TestImportPreviewsOnDisk: a preview waits in the data dir, not in the
// node's memory: it survives a restart, is confirmed after it, and its
// files go once it is imported.
func TestImportPreviewsOnDisk(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	sam := createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)

	tok := previewToken(t, staff.postMultipart("/items/import", url.Values{}, "file", "tools.csv", []byte("name,kind\nDrill,tool\nSaw,tool\n")))
	if files := pendingFiles(t, n, sam.ID); !hasPending(files, tok) {
		t.Fatalf("no file of preview %s in the data dir: %v", tok, files)
	}

	n.restart()
	if p := staff.get("/items/import/" + tok); p.Status != http.StatusOK || !p.Has("tools.csv: 2 rows.") || !p.Has("Drill") || !p.Has("Saw") {
		t.Fatalf("preview after a restart: %d\n%s", p.Status, p.Body)
	}
	if p := staff.post("/items/import/confirm", url.Values{"token": {tok}}); !p.Has("2 items imported.") || countItems(t, n) != 2 {
		t.Fatalf("confirm after a restart: %d, %d items\n%s", p.Status, countItems(t, n), p.Body)
	}
	if files := pendingFiles(t, n, sam.ID); hasPending(files, tok) {
		t.Errorf("the imported preview's files stay: %v", files)
	}
}

// TestImportPreviewsCappedPerUser: at most three previews wait per user;
// a fourth upload drops the user's oldest, and says so, but nobody
// else's; expired previews leave the disk.
func TestImportPreviewsCappedPerUser(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	n := startNode(t, clock)
	sam := createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	createUser(t, n, "kim", shrooms.RoleStaff, memberPassword)
	samWeb, kimWeb := loginAs(t, n, "sam", memberPassword), loginAs(t, n, "kim", memberPassword)
	csv := []byte("name\nDrill\n")

	kimTok := previewToken(t, kimWeb.postMultipart("/items/import", url.Values{}, "file", "kim.csv", csv))
	var toks []string
	for i := 0; i < 4; i++ {
		clock.Advance(time.Second)
		p := samWeb.postMultipart("/items/import", url.Values{}, "file", "sam"+strconv.Itoa(i)+".csv", csv)
		toks = append(toks, previewToken(t, p))
		if dropped := p.Has("oldest preview waiting for confirmation was dropped: at most 3 can wait"); dropped != (i == 3) {
			t.Errorf("upload %d: says a preview was dropped: %v", i+1, dropped)
		}
	}
	if p := samWeb.get("/items/import/" + toks[0]); p.Status != http.StatusGone {
		t.Errorf("the oldest of four previews: %d, want 410", p.Status)
	}
	for _, tok := range toks[1:] {
		if p := samWeb.get("/items/import/" + tok); p.Status != http.StatusOK {
			t.Errorf("preview %s: %d, want 200", tok, p.Status)
		}
	}
	if p := kimWeb.get("/items/import/" + kimTok); p.Status != http.StatusOK {
		t.Errorf("another user's preview after sam's uploads: %d", p.Status)
	}
	files := pendingFiles(t, n, sam.ID)
	if hasPending(files, toks[0]) {
		t.Errorf("the dropped preview's files stay: %v", files)
	}
	csvFiles := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".csv") {
			csvFiles++
		}
	}
	if csvFiles != 3 {
		t.Errorf("%d pending files of sam, want 3: %v", csvFiles, files)
	}

	clock.Advance(31 * time.Minute)
	kimWeb.postMultipart("/items/import", url.Values{}, "file", "later.csv", csv)
	if files := pendingFiles(t, n, sam.ID); len(files) != 0 {
		t.Errorf("expired previews stay on disk: %v", files)
	}
}
