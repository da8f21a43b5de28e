package federation

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"

	shrooms "github.com/shrooms-org/shrooms"
)

// refusal is a request the node will not serve: an HTTP status and a short
// reason for the sender.
type refusal struct {
	status int
	reason string
}

func (r *refusal) Error() string { return fmt.Sprintf("%d: %s", r.status, r.reason) }

func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status: status, reason: fmt.Sprintf(format, args...)}
}

// sigParams are the parts of a Signature header the node checks itself,
// because httpsig v1.1.0 does not (see FEDERATION-NOTES.md).
type sigParams struct {
	keyID   string
	headers []string
}

func parseSignatureParams(r *http.Request) (sigParams, error) {
	v := r.Header.Get("Signature")
	if v == "" {
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Signature ") {
			v = strings.TrimPrefix(a, "Signature ")
		}
	}
	if v == "" {
		return sigParams{}, refuse(http.StatusUnauthorized, "missing Signature header")
	}
	var p sigParams
	for _, part := range splitParams(v) {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch strings.TrimSpace(k) {
		case "keyId":
			p.keyID = val
		case "headers":
			p.headers = strings.Fields(strings.ToLower(val))
		}
	}
	if p.keyID == "" {
		return p, refuse(http.StatusUnauthorized, "Signature has no keyId")
	}
	if len(p.headers) == 0 {
		p.headers = []string{"date"} // the draft's default
	}
	return p, nil
}

// splitParams splits a Signature header on commas outside quotes.
func splitParams(v string) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				parts = append(parts, v[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, v[start:])
}

// checkSignedParts enforces what must be signed and that Date and Digest
// are true: a POST signs (request-target) host date digest, a GET
// (request-target) host date.
func checkSignedParts(r *http.Request, p sigParams, body []byte, now time.Time, skew time.Duration) error {
	required := getHeaders
	if r.Method == http.MethodPost {
		required = postHeaders
	}
	for _, h := range required {
		if !contains(p.headers, h) {
			return refuse(http.StatusUnauthorized, "signature must cover %s", strings.Join(required, " "))
		}
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil {
		return refuse(http.StatusUnauthorized, "missing or invalid Date header")
	}
	if d := now.Sub(date); d > skew || d < -skew {
		return refuse(http.StatusUnauthorized, "Date is more than %s away from the server's clock", skew)
	}
	if r.Method == http.MethodPost {
		if !digestMatches(r.Header.Values("Digest"), body) {
			return refuse(http.StatusUnauthorized, "Digest header missing or not matching the body (SHA-256 required)")
		}
	}
	return nil
}

func digestMatches(values []string, body []byte) bool {
	want := bodyDigest(body)
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			d = strings.TrimSpace(d)
			alg, val, ok := strings.Cut(d, "=")
			if ok && strings.EqualFold(alg, "SHA-256") {
				return subtle.ConstantTimeCompare([]byte("SHA-256="+val), []byte(want)) == 1
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// verifyRequest checks the request's HTTP signature and returns the signing
// actor. The key owner is looked up in the cache or fetched; when a cached
// key fails, it is refetched once (key rotation), at most every
// KeyRefetchInterval per key.
func (f *Federation) verifyRequest(ctx context.Context, r *http.Request, body []byte) (*shrooms.Actor, error) {
	p, err := parseSignatureParams(r)
	if err != nil {
		return nil, err
	}
	if err := checkSignedParts(r, p, body, f.cfg.Now(), f.cfg.SignatureMaxSkew); err != nil {
		return nil, err
	}
	// net/http moves Host out of the header map; httpsig reads it there.
	r.Header.Set("Host", r.Host)
	verifier, err := httpsig.NewVerifier(r)
	if err != nil {
		return nil, refuse(http.StatusUnauthorized, "unreadable Signature header")
	}
	actor, fresh, err := f.actorForKey(ctx, p.keyID, false)
	if err != nil {
		return nil, f.refuseSignature(r, p.keyID, "cannot get key", err)
	}
	err = f.verifyWith(verifier, actor)
	if err == nil {
		return actor, nil
	}
	if fresh || f.cfg.Now().Sub(actor.FetchedAt) < f.cfg.KeyRefetchInterval || actor.Local {
		return nil, f.refuseSignature(r, p.keyID, "signature does not verify", err)
	}
	actor, _, err = f.actorForKey(ctx, p.keyID, true)
	if err != nil {
		return nil, f.refuseSignature(r, p.keyID, "cannot refetch key", err)
	}
	if err := f.verifyWith(verifier, actor); err != nil {
		return nil, f.refuseSignature(r, p.keyID, "signature does not verify", err)
	}
	return actor, nil
}

// refuseSignature logs why a signature was not accepted and answers the
// sender a 401 that says nothing more: how a key fetch failed (dial, TLS
// and DNS errors, the resolver's address) is the node's business, and
// whether the key was found is worth something to a prober.
func (f *Federation) refuseSignature(r *http.Request, keyID, why string, err error) error {
	f.cfg.Logger.Info("signature refused", "path", r.URL.Path, "keyId", keyID, "reason", why, "err", err)
	return refuse(http.StatusUnauthorized, "signature not accepted")
}

func (f *Federation) verifyWith(v httpsig.Verifier, a *shrooms.Actor) error {
	key, err := f.client.keys.public(a.PublicKeyPEM)
	if err != nil {
		return err
	}
	return v.Verify(key, httpsig.RSA_SHA256)
}
