package handlers

import "net/http"

// hstsMaxAge is a year, in seconds: long enough that a browser that once
// reached the node over HTTPS never tries plain HTTP again (where a
// network attacker could answer instead), the value browsers' preload
// lists ask for. Subdomains are left out: they may be other services of
// the organisation, which this node cannot speak for.
const hstsMaxAge = "max-age=31536000"

// StrictTransportSecurity wraps the whole handler of a node that serves
// TLS itself (http.tls_cert_file): every answer over TLS, error pages and
// federation endpoints included, tells browsers to use HTTPS only. Behind
// a reverse proxy the proxy terminates TLS and sets the header; browsers
// ignore it over plain HTTP anyway, so it is never sent there.
func StrictTransportSecurity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", hstsMaxAge)
		}
		next.ServeHTTP(w, r)
	})
}
