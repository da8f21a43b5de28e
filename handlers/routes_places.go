package handlers

import "github.com/gorilla/mux"

// placeRoutes: places and their map, and the stock pages (parts, movements, low stock).
func (s *server) placeRoutes(r *mux.Router) {
}
