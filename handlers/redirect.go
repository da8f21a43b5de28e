package handlers

import (
	"net/url"
	"strings"
)

// defaultNext is where a redirect goes when the target it was asked for
// is not a plain path on this site.
const defaultNext = "/dashboard"

// maxRedirectTarget bounds a caller-supplied target: the site's own links
// are far shorter.
const maxRedirectTarget = 2048

// safeNext is the one gate of every redirect whose target comes from the
// request (login's next=, the language switch): the target when it is a
// plain path on this site, the dashboard otherwise.
func safeNext(target string) string {
	if t, ok := localTarget(target); ok {
		return t
	}
	return defaultNext
}

// localTarget reports whether target is a path on this site that no
// browser can read as another host, and returns it unchanged if so.
//
// Browsers drop tabs and newlines anywhere in a URL, trim spaces and
// controls at its ends, read a backslash as a slash and "//" as the start
// of a host, so "/\t/evil", "/\evil" and " //evil" all leave the site.
// Rather than chase each spelling, only what the site's own links carry
// passes: printable ASCII (a browser percent-encodes everything else in
// the URLs it sends, and so do our templates), no backslash, a path that
// parses with no scheme, user or host, holds no empty or dot segment, and,
// once percent-decoded, still holds no control character, backslash or
// slash that would start a host.
func localTarget(target string) (string, bool) {
	if len(target) < 1 || len(target) > maxRedirectTarget || target[0] != '/' {
		return "", false
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "", false
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || hasDotSegment(p) {
		return "", false
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || strings.HasPrefix(decoded, "//") || strings.ContainsRune(decoded, '\\') {
		return "", false
	}
	for _, r := range decoded {
		if r < ' ' || (r >= 0x7f && r <= 0x9f) {
			return "", false
		}
	}
	return target, true
}

// hasDotSegment reports whether an escaped path has a "." or ".." segment,
// which no link of ours carries and which resolvers may fold into "//".
func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if s, err := url.PathUnescape(seg); err == nil && (s == "." || s == "..") {
			return true
		}
	}
	return false
}
