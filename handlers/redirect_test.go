package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestLocalTarget feeds the usual open-redirect spellings to the one check
// every caller-supplied redirect goes through. Each refused target must
// fall back to the safe default; each accepted one must come back as it
// was and, once http.Redirect has written it, still resolve on this site.
func TestLocalTarget(t *testing.T) {
	refused := map[string]string{
		"empty":                  "",
		"relative":               "dashboard",
		"protocol-relative":      "//evil.example/",
		"triple slash":           "///evil.example/",
		"slash backslash":        `/\evil.example/`,
		"backslash slash":        `\/evil.example/`,
		"double backslash":       `\\evil.example/`,
		"dot then backslash":     `/./\evil.example/`,
		"tab after slash":        "/\t/evil.example/",
		"tab before slashes":     "\t//evil.example/",
		"CR after slash":         "/\r/evil.example/",
		"LF after slash":         "/\n/evil.example/",
		"CRLF header injection":  "/x\r\nSet-Cookie: a=b",
		"NUL":                    "/\x00/evil.example/",
		"DEL":                    "/\x7f/evil.example/",
		"C1 control":             "/\u0085/evil.example/",
		"vertical tab":           "/\v/evil.example/",
		"form feed":              "/\f/evil.example/",
		"leading space":          " //evil.example/",
		"space in the middle":    "/ /evil.example/",
		"no-break space":         "/\u00a0/evil.example/",
		"ideographic space":      "/\u3000/evil.example/",
		"fullwidth solidus":      "/\uff0fevil.example/",
		"fraction slash":         "/\u2044evil.example/",
		"right-to-left override": "/\u202e/elpmaxe.live//",
		"zero-width space":       "/\u200b/evil.example/",
		"encoded tab":            "/%09/evil.example/",
		"encoded slash":          "/%2Fevil.example/",
		"encoded slashes":        "%2F%2Fevil.example/",
		"encoded backslash":      "/%5Cevil.example/",
		"encoded backslash low":  "/%5cevil.example/",
		"encoded CR LF":          "/%0d%0aSet-Cookie:a=b",
		"encoded NUL":            "/%00/evil.example/",
		"bad escape":             "/%zz",
		"http scheme":            "http://evil.example/",
		"https scheme":           "https://evil.example/",
		"scheme without slashes": "http:evil.example",
		"scheme with one slash":  "https:/evil.example",
		"javascript":             "javascript:alert(1)",
		"data":                   "data:text/html,<script>alert(1)</script>",
		"userinfo":               "//user@evil.example/",
		"mixed case scheme":      "HtTp://evil.example/",
		"dotdot to host":         "/..//evil.example/",
		"too long":               "/" + strings.Repeat("a", maxRedirectTarget),
		"double slash inside":    "/items//12",
		"dot segment":            "/items/./12",
	}
	for name, target := range refused {
		t.Run("refuse "+name, func(t *testing.T) {
			if got, ok := localTarget(target); ok || got != "" {
				t.Errorf("localTarget(%q) = %q, %v; want refused", target, got, ok)
			}
			if got := safeNext(target); got != defaultNext {
				t.Errorf("safeNext(%q) = %q, want %q", target, got, defaultNext)
			}
		})
	}

	accepted := []string{
		"/",
		"/dashboard",
		"/account?tab=1",
		"/items?q=drill&type=tool",
		"/items/12#comments",
		"/search?q=perceuse%20%C3%A0%20percussion",
		"/members/alice",
		"/places/3/map",
	}
	for _, target := range accepted {
		t.Run("accept "+target, func(t *testing.T) {
			got, ok := localTarget(target)
			if !ok || got != target {
				t.Fatalf("localTarget(%q) = %q, %v; want accepted as is", target, got, ok)
			}
			rec := httptest.NewRecorder()
			http.Redirect(rec, httptest.NewRequest(http.MethodPost, "http://node.example/language", nil), got, http.StatusSeeOther)
			base, _ := url.Parse("http://node.example/language")
			loc, err := base.Parse(rec.Header().Get("Location"))
			if err != nil || loc.Host != "node.example" || loc.Scheme != "http" {
				t.Fatalf("Location %q resolves to %v (%v)", rec.Header().Get("Location"), loc, err)
			}
		})
	}
}
