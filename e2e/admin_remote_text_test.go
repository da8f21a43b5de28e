package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// Text another node chose: terminal escapes (clear screen, set the window
// title, a C1 CSI, invisible text), bidi overrides and a forged line.
const (
	hostileHandle = "\x1b[8m\u202e"
	hostileName   = "Evil \x1b]0;pwned\x07Org\x1b[2J\x1b[H\u009b31m\u0085\r\n99  accepted-partner@bank.example\tlinked"
)

// wantTermSafe fails if out carries a control character a terminal would
// act on (every C0 but newline, DEL, C1, bidi controls) or a line forged
// by a remote string.
func wantTermSafe(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: output is not valid UTF-8: %q", what, out)
	}
	for _, r := range out {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("%s: output carries %U:\n%q", what, r, out)
			return
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "99 ") {
			t.Errorf("%s: a remote name forged a line:\n%s", what, out)
		}
	}
}

// TestAdminCLIStripsRemoteControlCharacters: a remote organisation whose
// handle and name carry terminal escapes asks to follow, is linked,
// approved, listed and blocked from the command line; nothing the CLI
// prints carries its control characters, while its visible text stays.
func TestAdminCLIStripsRemoteControlCharacters(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a := startNode(t, clock, manualApproval)

	// mallory asks to follow; evil is linked from the command line.
	mallory := hostileActor(t, clock, "mallory", shrooms.KindPerson)
	evil := hostileActor(t, clock, "evil", shrooms.KindOrganization)
	if status, reply := mallory.post(a.url()+"/inbox", mallory.activity("Follow", a.org().IRI), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("Follow: %d %s", status, reply)
	}
	drain(t, a)

	out := a.mustCLI("admin", "follow-requests")
	wantTermSafe(t, "follow-requests", out)
	id := regexp.MustCompile(`(?m)^(\d+)\s+mallory`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("follow-requests lists no request from mallory:\n%s", out)
	}
	wantTermSafe(t, "follow-requests approve", a.mustCLI("admin", "follow-requests", "approve", id[1]))

	out = a.mustCLI("admin", "partner", "link", evil.iri())
	wantTermSafe(t, "partner link", out)
	if !strings.Contains(out, "Evil") || !strings.Contains(out, "pwned") || !strings.Contains(out, "Org") {
		t.Errorf("partner link lost the name's visible text:\n%s", out)
	}
	drain(t, a)
	for _, args := range [][]string{
		{"admin", "partner", "list"},
		{"admin", "followers"},
		{"admin", "following"},
		{"admin", "deliveries"},
		{"admin", "follow", mallory.iri()},
		{"admin", "unfollow", mallory.iri()},
		{"admin", "partner", "block", evil.iri()},
	} {
		wantTermSafe(t, strings.Join(args, " "), a.mustCLI(args...))
	}
	if _, err := a.cli("admin", "partner", "unlink", "evil\x1b[2J@nowhere.example"); err == nil {
		t.Fatal("unlink of an unknown partner succeeded")
	} else {
		_, stderr, _ := strings.Cut(err.Error(), "exit 1: ")
		wantTermSafe(t, "unlink error", stderr)
	}
}

// hostileActor is a remote actor at /users/PATH whose actor document
// gives hostileHandle and hostileName.
func hostileActor(t *testing.T, clock *testClock, path string, kind shrooms.ActorKind) *remoteActor {
	t.Helper()
	r := newRemoteActor(t, clock, path)
	r.actor.Kind = kind
	shown := r.actor
	shown.Handle, shown.Name = path+hostileHandle, hostileName
	body, err := vocab.ActorJSON(&shown)
	if err != nil {
		t.Fatal(err)
	}
	r.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case req.Method == http.MethodGet && req.URL.Path == "/users/"+path:
			w.Header().Set("Content-Type", "application/activity+json")
			w.Write(body)
		case req.Method == http.MethodPost && req.URL.Path == "/users/"+path+"/inbox":
			w.WriteHeader(http.StatusAccepted)
		default:
			http.NotFound(w, req)
		}
	})
	return r
}
