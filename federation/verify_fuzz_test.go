package federation

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// FuzzSignatureParams feeds the Signature header parser (our wrapper that
// extracts keyId and the signed headers, then httpsig's own parse and our
// checks of what is signed) with arbitrary header values (seeds in
// testdata/fuzz/FuzzSignatureParams). It must never panic; the split on
// commas outside quotes loses nothing; an accepted header has a keyId
// and a non-empty list of lower-case header names.
//
//	go test -run '^$' -fuzz '^FuzzSignatureParams$' -fuzztime 10s ./federation/
func FuzzSignatureParams(f *testing.F) {
	f.Add(`keyId="https://a.example/u#main-key",algorithm="hs2019",headers="(request-target) host date digest",signature="abc=="`, false)
	f.Fuzz(func(t *testing.T, value string, authorization bool) {
		if got := strings.Join(splitParams(value), ","); got != value {
			t.Fatalf("splitParams lost bytes: %q became %q", value, got)
		}
		r := httptest.NewRequest(http.MethodPost, "/inbox", nil)
		if authorization {
			r.Header.Set("Authorization", "Signature "+value)
		} else {
			r.Header.Set("Signature", value)
		}
		r.Header.Set("Date", time.Unix(0, 0).UTC().Format(http.TimeFormat))
		p, err := parseSignatureParams(r)
		if err != nil {
			if rf, ok := err.(*refusal); !ok || rf.status != http.StatusUnauthorized {
				t.Fatalf("refused with %v, want a 401", err)
			}
			return
		}
		if p.keyID == "" || len(p.headers) == 0 {
			t.Fatalf("accepted without keyId or headers: %+v", p)
		}
		for _, h := range p.headers {
			if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, " \t\r\n") {
				t.Fatalf("header name %q", h)
			}
		}
		_ = checkSignedParts(r, p, []byte(`{}`), time.Unix(0, 0), time.Hour)
		r.Header.Set("Host", r.Host)
		_, _ = httpsig.NewVerifier(r)
	})
}
