package handlers

import "github.com/gorilla/mux"

// memberRoutes: the dashboard, the member's profile, the people directory.
func (s *server) memberRoutes(r *mux.Router) {}
