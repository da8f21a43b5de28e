package handlers

import "github.com/gorilla/mux"

// apiItemFileRoutes: CSV import and export of items and PDF label sheets
// over the API (owned by the files helper; a stub until they fill it).
func (s *server) apiItemFileRoutes(auth *mux.Router) {
}
