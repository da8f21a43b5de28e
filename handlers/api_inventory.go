package handlers

import "github.com/gorilla/mux"

// apiInventoryRoutes: items, categories, places and stock, for bearer
// tokens. The services decide who may do what.
func (s *server) apiInventoryRoutes(auth *mux.Router) {
}
