package handlers

import "github.com/gorilla/mux"

// itemFileRoutes: CSV import and export of items and the PDF label sheets.
func (s *server) itemFileRoutes(r *mux.Router) {
}
