package e2e

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Partners' thumbnails in search: B keeps its own JPEG copy of the
// pictures of A's items and serves it to its members only; A serves a
// partners-only item's picture to the partners allowed to see the item.

// withPhoto adds a JPEG photo (and its thumbnail) to n's item.
func withPhoto(t *testing.T, n *testNode, it *shrooms.Item) *shrooms.Photo {
	t.Helper()
	photo := &shrooms.Media{ContentType: "image/jpeg", Width: 60, Height: 40, Data: testJPEG(t, 60, 40)}
	thumb := &shrooms.Media{ContentType: "image/jpeg", Width: 30, Height: 20, Data: testJPEG(t, 30, 20)}
	ph, err := n.m.DB.Items.AddItemPhoto(systemCtx, it.ID, photo, thumb)
	if err != nil {
		t.Fatal(err)
	}
	return ph
}

var remoteThumbSrc = regexp.MustCompile(`<img src="(/remote-media/[0-9]+)"`)

// remoteThumbOf searches n's web page as w and returns the src of the
// remote thumbnail of the only hit, "" when it shows none.
func remoteThumbOf(t *testing.T, w *webClient, q string) string {
	t.Helper()
	p := w.get("/search?q=" + url.QueryEscape(q))
	if p.Status != http.StatusOK || strings.Count(p.Body, `class="card mb-2 search-hit"`) != 1 {
		t.Fatalf("search %q: %d, want one hit: %s", q, p.Status, p.Body)
	}
	if m := remoteThumbSrc.FindStringSubmatch(p.Body); m != nil {
		return m[1]
	}
	return ""
}

// fetchWith GETs path on n with client c and returns status, type, body.
func fetchWith(t *testing.T, c *http.Client, n *testNode, path string) (int, http.Header, []byte, string) {
	t.Helper()
	resp, err := c.Get(n.url() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body, resp.Request.URL.Path
}

// TestRemoteMediaSearch: after A's items reach B and the queues drain,
// B's search page and API show B's own copy of their pictures, a JPEG,
// to members only; C, a partner whose policy does not give it the
// inventory, gets the 404 of A's partners-only thumbnail; a deleted item
// takes its picture with it.
func TestRemoteMediaSearch(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	fpLink(t, a, c, a, c)
	fpShare(t, a, b, "inventory")
	fpShare(t, a, c, "stock")
	drill := newItem(t, a, "Cordless drill", shrooms.AudiencePublic)
	camera := newItem(t, a, "Thermal camera", shrooms.AudiencePartners)
	clock.Advance(time.Minute) // the Updates with the photos are newer
	withPhoto(t, a, drill)
	withPhoto(t, a, camera)
	drain(t, a, b, c)

	// A's documents: the public item's thumbnail is its /media/ address,
	// the partners-only one's the signed route.
	if o := cached(t, b, camera.IRI); o == nil || o.ImageURL != camera.IRI+"/thumb" {
		t.Fatalf("B caches the camera as %+v, want its image at %s/thumb", o, camera.IRI)
	}
	if o := cached(t, b, drill.IRI); o == nil || !strings.HasPrefix(o.ImageURL, a.url()+"/media/") {
		t.Fatalf("B caches the drill as %+v, want its image at A's /media/", o)
	}

	createUser(t, b, "mia", shrooms.RoleMember, memberPassword)
	member := loginAs(t, b, "mia", memberPassword)
	anon := newWebClient(t, b)
	for _, q := range []string{"drill", "thermal"} {
		src := remoteThumbOf(t, member, q)
		if src == "" {
			t.Fatalf("search %q shows no picture of A's item", q)
		}
		status, h, body, _ := fetchWith(t, member.c, b, src)
		if status != http.StatusOK || h.Get("Content-Type") != "image/jpeg" || h.Get("Content-Length") != itoa(int64(len(body))) ||
			!strings.HasPrefix(h.Get("Cache-Control"), "private") || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("member GET %s: %d %v", src, status, h)
		}
		if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
			t.Fatalf("%s is not a JPEG: %v", src, err)
		}
		if status, _, body, path := fetchWith(t, anon.c, b, src); status == http.StatusOK && path != "/login" ||
			bytes.HasPrefix(body, []byte("\xff\xd8")) {
			t.Fatalf("anonymous GET %s: %d at %s", src, status, path)
		}
	}
	// The API gives B's copy too, never A's address.
	token := strings.TrimSpace(b.mustCLI("admin", "token", "create", "--user", "mia"))
	status, _, body := b.apiSend(http.MethodGet, "/api/v1/search?q=drill", token, "", nil)
	var res struct {
		Results []struct {
			IRI      string `json:"iri"`
			ImageURL string `json:"image_url"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &res); err != nil || status != http.StatusOK || len(res.Results) != 1 ||
		!strings.HasPrefix(res.Results[0].ImageURL, b.url()+"/remote-media/") {
		t.Fatalf("API search: %d %s", status, body)
	}

	// A's thumbnail route applies the rules of the item's document.
	thumb := camera.IRI + "/thumb"
	if status, _ := orgSigner(t, b).get(thumb); status != http.StatusOK {
		t.Fatalf("B's signed GET %s: %d", thumb, status)
	}
	if status, _ := orgSigner(t, c).get(thumb); status != http.StatusNotFound {
		t.Fatalf("C's signed GET %s: %d, want 404", thumb, status)
	}
	if status, _, _ := a.get("/items/"+itoa(camera.ID)+"/thumb", ""); status != http.StatusNotFound {
		t.Fatalf("unsigned GET %s: %d, want 404", thumb, status)
	}
	if status, h, _ := a.get("/items/"+itoa(drill.ID)+"/thumb", ""); status != http.StatusOK || h.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("unsigned GET of the public drill's thumb: %d %v", status, h)
	}

	// A deletes the drill: B drops the picture with the object.
	src := remoteThumbOf(t, member, "drill")
	clock.Advance(time.Minute)
	if err := a.m.DB.Items.DeleteItem(systemCtx, drill.ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b, c)
	if status, _, _, _ := fetchWith(t, member.c, b, src); status != http.StatusNotFound {
		t.Fatalf("GET %s after A deleted the drill: %d, want 404", src, status)
	}
}

// TestRemoteMediaHostile: a partner whose image address is on another
// host, or is not an image, gives no picture: nothing is fetched from the
// other host, the search shows the hit without an image, and nothing is
// retried for ever.
func TestRemoteMediaHostile(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	drain(t, a, b)
	cPhoto := newItem(t, c, "Bait", shrooms.AudiencePublic)
	bait := withPhoto(t, c, cPhoto)
	actor := a.org().IRI
	var changes []shrooms.RemoteChange
	for slug, img := range map[string]string{
		"elsewhere": bait.ThumbURL,           // another node's picture
		"page":      a.url() + "/healthz",    // text/plain
		"missing":   a.url() + "/media/9999", // 404, may come back: retried later
	} {
		iri := a.url() + "/items/hostile-" + slug
		changes = append(changes, shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: actor, Object: shrooms.RemoteObject{
			IRI: iri, Type: "Item", Kind: shrooms.KindTool, Status: shrooms.StatusAvailable, Name: "Hostile " + slug,
			URL: iri, ImageURL: img, Updated: clock.Now(), Raw: []byte(`{}`)}})
	}
	if _, err := b.m.DB.Remote.ApplyRemoteChanges(systemCtx, changes); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	createUser(t, b, "mia", shrooms.RoleMember, memberPassword)
	member := loginAs(t, b, "mia", memberPassword)
	for _, slug := range []string{"elsewhere", "page", "missing"} {
		if src := remoteThumbOf(t, member, "hostile "+slug); src != "" {
			t.Fatalf("hostile %s shows %s", slug, src)
		}
	}
	// The permanent failures are given up; the 404 waits its backoff.
	jobs, err := b.m.DB.RemoteMedia.FindDueRemoteMedia(systemCtx, 10)
	if err != nil || len(jobs) != 0 {
		t.Fatalf("due right after the failures: %+v, %v", jobs, err)
	}
	clock.Advance(shrooms.HostBackoff(1) + time.Second)
	jobs, err = b.m.DB.RemoteMedia.FindDueRemoteMedia(systemCtx, 10)
	if err != nil || len(jobs) != 1 || !strings.HasSuffix(jobs[0].ObjectIRI, "hostile-missing") || jobs[0].Attempts != 1 {
		t.Fatalf("due after the backoff: %+v, %v; want the missing one only", jobs, err)
	}
}
