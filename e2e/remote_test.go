package e2e

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// remoteActor is a third-party ActivityPub server in the test process: it
// serves a real actor document with a real key, accepts deliveries, and
// signs requests the way the test asks, including the wrong ways.
type remoteActor struct {
	t     testing.TB
	srv   *httptest.Server
	clock *testClock

	mu       sync.Mutex
	actor    shrooms.Actor
	key      *rsa.PrivateKey // actor.PrivateKeyPEM, parsed
	received [][]byte
	// keyFetches counts the GETs of /keys/{handle}.
	keyFetches int
}

func newRemoteActor(t testing.TB, clock *testClock, handle string) *remoteActor {
	t.Helper()
	r := &remoteActor{t: t, clock: clock}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	base := r.srv.URL
	iri := base + "/users/" + handle
	r.actor = shrooms.Actor{
		IRI: iri, Kind: shrooms.KindPerson, Handle: handle, Host: shrooms.HostOf(iri), Name: handle,
		Inbox: iri + "/inbox", Outbox: iri + "/outbox", Followers: iri + "/followers", Following: iri + "/following",
		URL: iri, KeyID: iri + "#main-key",
	}
	r.rotate()
	return r
}

// rotate gives the actor a new key pair.
func (r *remoteActor) rotate() {
	priv, pub, err := shrooms.NewKeyPair()
	if err != nil {
		r.t.Fatal(err)
	}
	key, err := parsePrivatePEM(priv)
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.actor.PrivateKeyPEM, r.actor.PublicKeyPEM, r.key = priv, pub, key
	r.mu.Unlock()
}

func parsePrivatePEM(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	return x509.ParsePKCS1PrivateKey(block.Bytes)
}

func (r *remoteActor) iri() string { return r.actor.IRI }

func (r *remoteActor) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case req.Method == http.MethodGet && req.URL.Path == "/users/"+r.actor.Handle:
		body, err := vocab.ActorJSON(&r.actor)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write(body)
	case req.Method == http.MethodGet && req.URL.Path == "/keys/"+r.actor.Handle:
		// A key served alone, naming its owner (some servers do).
		r.keyFetches++
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]string{"@context": "https://w3id.org/security/v1",
			"id": r.actor.KeyID, "owner": r.actor.IRI, "publicKeyPem": r.actor.PublicKeyPEM})
	case req.Method == http.MethodPost && req.URL.Path == "/users/"+r.actor.Handle+"/inbox":
		body, _ := io.ReadAll(req.Body)
		r.received = append(r.received, body)
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}

func (r *remoteActor) deliveries() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.received...)
}

// activity returns a JSON activity of this actor, with an id on its host.
func (r *remoteActor) activity(typ, object string) []byte {
	return []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":%q,"actor":%q,"object":%q}`,
		r.iri()+"/activities/"+shrooms.RandomToken(8), typ, r.iri(), object))
}

// signOpts bend a signature for refusal tests.
type signOpts struct {
	headers []string  // signed headers; default (request-target) host date digest
	date    time.Time // Date header; default the test clock
	keyID   string    // default the actor's key
	key     string    // private key PEM; default the actor's
	body    []byte    // body sent, when it differs from the signed one
	ctype   string    // Content-Type; default application/activity+json
	mutate  func(*http.Request)
}

// post signs body and POSTs it to url, returning status and reply.
func (r *remoteActor) post(url string, body []byte, o signOpts) (int, string) {
	r.t.Helper()
	req := r.signed(http.MethodPost, url, body, o)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(reply)
}

// get signs a GET of url.
func (r *remoteActor) get(url string) (int, string) {
	r.t.Helper()
	req := r.signed(http.MethodGet, url, nil, signOpts{headers: []string{httpsig.RequestTarget, "host", "date"}})
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(reply)
}

func (r *remoteActor) signed(method, url string, body []byte, o signOpts) *http.Request {
	r.t.Helper()
	req, err := r.sign(method, url, body, o)
	if err != nil {
		r.t.Fatal(err)
	}
	return req
}

// sign builds and signs a request; it is safe to call from several
// goroutines (benchmarks sign in parallel).
func (r *remoteActor) sign(method, url string, body []byte, o signOpts) (*http.Request, error) {
	r.mu.Lock()
	keyID, key := r.actor.KeyID, r.key
	r.mu.Unlock()
	if o.keyID != "" {
		keyID = o.keyID
	}
	if o.key != "" {
		var err error
		if key, err = parsePrivatePEM(o.key); err != nil {
			return nil, err
		}
	}
	if o.headers == nil {
		o.headers = []string{httpsig.RequestTarget, "host", "date", "digest"}
	}
	if o.date.IsZero() {
		o.date = r.clock.Now()
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if o.ctype == "" {
		o.ctype = "application/activity+json"
	}
	if body != nil {
		req.Header.Set("Content-Type", o.ctype)
	}
	req.Header.Set("Date", o.date.UTC().Format(http.TimeFormat))
	req.Header.Set("Host", req.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, o.headers, httpsig.Signature, 0)
	if err != nil {
		return nil, err
	}
	var signBody []byte
	if contains(o.headers, "digest") {
		signBody = body
		if signBody == nil {
			signBody = []byte{}
		}
	}
	if err := signer.SignRequest(key, keyID, req, signBody); err != nil {
		return nil, err
	}
	if o.body != nil {
		req.Body = io.NopCloser(bytes.NewReader(o.body))
		req.ContentLength = int64(len(o.body))
	}
	if o.mutate != nil {
		o.mutate(req)
	}
	return req, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
