package federation

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestClientRefusesPrivateAddresses: without allow_private_addresses the
// client never connects to loopback, whatever the URL says.
func TestClientRefusesPrivateAddresses(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))

	strict := NewClient(Config{IRIs: shrooms.IRIs{Base: "https://node.example"}})
	for _, u := range []string{srv.URL, "https://127.0.0.1:" + port + "/", "https://localhost:" + port + "/", "ftp://example.org/x"} {
		_, err := strict.Get(context.Background(), u, "", nil)
		if err == nil {
			t.Errorf("GET %s succeeded", u)
		}
	}
	if hit {
		t.Fatal("the strict client reached a loopback server")
	}
	_, err := strict.Get(context.Background(), "https://127.0.0.1:"+port+"/", "", nil)
	if code := shrooms.ErrorCode(err); code != shrooms.EFORBIDDEN {
		t.Fatalf("loopback over https: code %q (%v), want forbidden", code, err)
	}

	open := NewClient(Config{IRIs: shrooms.IRIs{Base: "http://127.0.0.1"}, AllowPrivateAddresses: true})
	if _, err := open.Get(context.Background(), srv.URL, "", nil); err != nil || !hit {
		t.Fatalf("allowed client: %v", err)
	}
}

// TestClientLimits: responses over the size limit and servers slower than
// the timeout are errors, not hangs or memory.
func TestClientLimits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(strings.Repeat("x", 4096)))
		case "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		case "/gone":
			w.WriteHeader(http.StatusGone)
		}
	}))
	defer srv.Close()
	c := NewClient(Config{IRIs: shrooms.IRIs{Base: "http://127.0.0.1"}, AllowPrivateAddresses: true,
		MaxResponseBytes: 1024, HTTPTimeout: 200 * time.Millisecond})
	if _, err := c.Get(context.Background(), srv.URL+"/big", "", nil); shrooms.ErrorCode(err) != shrooms.ETOOLARGE {
		t.Errorf("big response: %v", err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/slow", "", nil); shrooms.ErrorCode(err) != shrooms.EUNAVAILABLE {
		t.Errorf("slow server: %v", err)
	}
	_, err := c.Get(context.Background(), srv.URL+"/gone", "", nil)
	if code := shrooms.ErrorCode(fetchError(err)); code != shrooms.ENOTFOUND {
		t.Errorf("410: %v", err)
	}
}

func TestSignatureParams(t *testing.T) {
	r := httptest.NewRequest("POST", "/inbox", nil)
	r.Header.Set("Signature", `keyId="https://a.example/u#k,1",algorithm="hs2019",headers="(request-target) Host date digest",signature="abc=="`)
	p, err := parseSignatureParams(r)
	if err != nil || p.keyID != "https://a.example/u#k,1" || strings.Join(p.headers, " ") != "(request-target) host date digest" {
		t.Fatalf("params: %+v %v", p, err)
	}
	r.Header.Set("Signature", `algorithm="hs2019",signature="abc=="`)
	if _, err := parseSignatureParams(r); err == nil {
		t.Fatal("a signature without keyId was accepted")
	}
}

func TestDigestMatches(t *testing.T) {
	body := []byte(`{"a":1}`)
	good := bodyDigest(body)
	for _, tc := range []struct {
		values []string
		ok     bool
	}{
		{[]string{good}, true},
		{[]string{"sha-256=" + strings.TrimPrefix(good, "SHA-256=")}, true},
		{[]string{"SHA-512=xyz, " + good}, true},
		{[]string{"SHA-256=AAAA"}, false},
		{[]string{"SHA-512=xyz"}, false},
		{nil, false},
	} {
		if got := digestMatches(tc.values, body); got != tc.ok {
			t.Errorf("digestMatches(%v) = %v", tc.values, got)
		}
	}
}
