package handlers

import "github.com/gorilla/mux"

// adminRoutes: users, invitations, groups, permissions, settings,
// modules, theme, follow requests and followers.
func (s *server) adminRoutes(r *mux.Router) {}
