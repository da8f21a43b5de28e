package handlers

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPIDoc is the OpenAPI 3 document of /api/v1. TestOpenAPIMatchesRoutes
// checks that it names every route of the API and nothing else.
//
//go:embed openapi.json
var openAPIDoc []byte

// handleOpenAPI serves the OpenAPI 3 document of /api/v1.
func (s *server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Length", strconv.Itoa(len(openAPIDoc)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(openAPIDoc)
}
