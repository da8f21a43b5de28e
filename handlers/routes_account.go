package handlers

import "github.com/gorilla/mux"

// accountRoutes: sign-up, e-mail verification, login, logout, password
// reset and change, API tokens.
func (s *server) accountRoutes(r *mux.Router) {}
