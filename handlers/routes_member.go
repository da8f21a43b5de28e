package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// memberRoutes: the dashboard, the member's profile, the people directory.
// Every page is for logged-in users; the directory is part of the people
// module and disappears with it. The services decide what each viewer may
// see of a profile.
func (s *server) memberRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	r.HandleFunc("/dashboard", s.requireLogin(s.handleDashboard)).Methods(get, head)
	r.HandleFunc("/dashboard/arrange", s.requireLogin(s.handleDashboardArrange)).Methods(get, head)
	r.HandleFunc("/dashboard/arrange", s.requireLogin(s.handleDashboardArrangeSave)).Methods(post)

	r.HandleFunc("/profile", s.requireLogin(s.handleProfile)).Methods(get, head)
	r.HandleFunc("/profile/edit", s.requireLogin(s.handleProfileEdit)).Methods(get, head, post)

	r.HandleFunc("/people", s.requireModule("people", s.requireLogin(s.handlePeople))).Methods(get, head)
	r.HandleFunc("/people/{username}", s.requireModule("people", s.requireLogin(s.handlePerson))).Methods(get, head)
}
