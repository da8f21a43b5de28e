package handlers

import "github.com/gorilla/mux"

// inventoryRoutes: the catalogue, item pages and forms, photos, history, comments, check-in/out, categories and custom fields.
func (s *server) inventoryRoutes(r *mux.Router) {
}
