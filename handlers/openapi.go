package handlers

import "net/http"

// handleOpenAPI serves the OpenAPI 3 document of /api/v1.
func (s *server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	http.NotFound(w, r)
}
