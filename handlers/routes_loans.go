package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// loanRoutes: requesting an item's days and waiting lists (from the item
// page), "My loans", a loan's page and its actions, the lending desk and
// the lending rules. Every route disappears with the loans module; the
// service decides who may do what.
func (s *server) loanRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	member := func(h http.HandlerFunc) http.HandlerFunc { return s.requireModule("loans", s.requireLogin(h)) }

	r.HandleFunc("/items/{id:[0-9]+}/loans", member(s.handleLoanRequest)).Methods(post)
	r.HandleFunc("/items/{id:[0-9]+}/waitlist", member(s.handleWaitlistJoin)).Methods(post)
	r.HandleFunc("/waitlist/{id:[0-9]+}/leave", member(s.handleWaitlistLeave)).Methods(post)

	r.HandleFunc("/loans", member(s.handleMyLoans)).Methods(get, head)
	r.HandleFunc("/loans/{id:[0-9]+}", member(s.handleLoan)).Methods(get, head)
	r.HandleFunc("/loans/{id:[0-9]+}/{action}", member(s.handleLoanAct)).Methods(post)

	r.HandleFunc("/desk", member(s.handleDesk)).Methods(get, head)
	r.HandleFunc("/admin/loans", s.requireModule("loans", s.requireWebAdmin(s.handleAdminLoans))).Methods(get, head, post)
}
