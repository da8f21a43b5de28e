package e2e

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"
)

// TestAPIImportTooLarge: an API import over 10 MB is refused as too
// large with the codec's message, and nothing is written, whether the
// file is the whole body or a part that the body's own limit cuts (a
// large part before it has used the body's allowance).
func TestAPIImportTooLarge(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tokens := newInventoryTokens(t, n)
	big := []byte("name\n" + strings.Repeat("x\n", 5<<20+1))

	status, _, body := n.apiSend("POST", "/api/v1/items/import?dry_run=true", tokens.staff, "text/csv", big)
	if status != 413 || !strings.Contains(string(body), "larger than 10 MB") {
		t.Errorf("large body: %d %.200s", status, body)
	}

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	pad, _ := mw.CreateFormField("pad")
	pad.Write(bytes.Repeat([]byte("p"), 10<<20))
	fw, _ := mw.CreateFormFile("file", "items.csv")
	fw.Write([]byte("name\n" + strings.Repeat("x\n", 64<<10)))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	status, _, body = n.apiSend("POST", "/api/v1/items/import", tokens.staff, mw.FormDataContentType(), b.Bytes())
	if status != 413 || !strings.Contains(string(body), "larger than 10 MB") || countItems(t, n) != 0 {
		t.Errorf("part cut by the body's limit: %d %.200s, %d items", status, body, countItems(t, n))
	}
}
