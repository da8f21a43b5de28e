package federation

import (
	"context"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-fed/httpsig"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestClientRedirects: no fetch follows a redirect to another host — not
// a signed GET (actor, key, object, collection page), not an image, not a
// delivery — while a redirect within the host is followed, signed again
// for its new path, and reported as the URL that answered. WebFinger alone
// may be delegated to another host.
func TestClientRedirects(t *testing.T) {
	signer := testSigner(t)
	pub, err := parsePublicKey(signer.PublicKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte(`{"id":"elsewhere"}`))
	}))
	defer other.Close()
	var badSignatures atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/doc", http.StatusTemporaryRedirect)
		case "/moved":
			http.Redirect(w, r, "/doc", http.StatusTemporaryRedirect)
		case "/doc":
			if r.Header.Get("Signature") != "" && !verifies(r, pub) {
				badSignatures.Add(1)
			}
			w.Header().Set("Content-Type", "application/activity+json")
			w.Write([]byte(`{"id":"here"}`))
		}
	}))
	defer srv.Close()
	c := NewClient(Config{IRIs: shrooms.IRIs{Base: "http://127.0.0.1"}, AllowPrivateAddresses: true})
	ctx := context.Background()

	refused := map[string]func() error{
		"signed GET":   func() error { _, err := c.Get(ctx, srv.URL+"/away", "", signer); return err },
		"unsigned GET": func() error { _, err := c.Get(ctx, srv.URL+"/away", "", nil); return err },
		"image":        func() error { _, err := c.getImage(ctx, srv.URL+"/away", signer, 1<<20); return err },
		"delivery":     func() error { _, err := c.Post(ctx, srv.URL+"/away", []byte(`{}`), signer); return err },
	}
	for name, fetch := range refused {
		t.Run(name, func(t *testing.T) {
			if err := fetch(); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
				t.Fatalf("redirect to another host: %v, want forbidden", err)
			}
		})
	}
	if n := otherHits.Load(); n != 0 {
		t.Fatalf("the other host was reached %d times", n)
	}

	resp, err := c.Get(ctx, srv.URL+"/moved", "", signer)
	if err != nil || resp.URL != srv.URL+"/doc" || !strings.Contains(string(resp.Body), "here") {
		t.Fatalf("same-host redirect: %+v %v", resp, err)
	}
	if _, err := c.Post(ctx, srv.URL+"/moved", []byte(`{}`), signer); err != nil {
		t.Fatalf("same-host redirect of a delivery: %v", err)
	}
	if n := badSignatures.Load(); n != 0 {
		t.Fatalf("%d redirected requests carried a signature of the old path", n)
	}

	resp, err = c.getWebFinger(ctx, srv.URL+"/away")
	if err != nil || resp.URL != other.URL+"/doc" || otherHits.Load() != 1 {
		t.Fatalf("delegated WebFinger: %+v %v", resp, err)
	}
}

// verifies reports whether r's HTTP signature verifies with pub.
func verifies(r *http.Request, pub *rsa.PublicKey) bool {
	r.Header.Set("Host", r.Host)
	v, err := httpsig.NewVerifier(r)
	return err == nil && v.Verify(pub, httpsig.RSA_SHA256) == nil
}
