package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestSecurityHeadersOnEveryAnswer checks that the answers no route
// matched (404, 405) carry the same security headers as the pages: a
// missing page is still a page an attacker can frame or sniff.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	cases := []struct{ name, method, path string }{
		{"page", http.MethodGet, "/login"},
		{"no such page", http.MethodGet, "/no-such-page"},
		{"no such API path", http.MethodGet, "/api/v1/no-such-thing"},
		{"method not allowed", http.MethodPut, "/healthz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, n.url()+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for h, want := range map[string]string{
				"X-Frame-Options":         "DENY",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
				"Content-Security-Policy": "frame-ancestors 'none'",
			} {
				if got := resp.Header.Get(h); !strings.Contains(got, want) {
					t.Errorf("%s %s (%d): %s = %q, want %q", c.method, c.path, resp.StatusCode, h, got, want)
				}
			}
		})
	}
}
