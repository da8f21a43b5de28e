package handlers

import (
	"mime"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// wantsActivityJSON reports whether a request asks for ActivityStreams
// (application/activity+json, or application/ld+json with the
// ActivityStreams profile or none) rather than a page. A POST always goes to
// federation.
func wantsActivityJSON(r *http.Request, _ *mux.RouteMatch) bool {
	if r.Method == http.MethodPost {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/activity+json":
			return true
		case "application/ld+json":
			if p, ok := params["profile"]; !ok || strings.Contains(p, "https://www.w3.org/ns/activitystreams") {
				return true
			}
		}
	}
	return false
}

// wantsJSON reports whether an error should be answered in JSON.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "json")
}
