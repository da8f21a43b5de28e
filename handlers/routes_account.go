package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// accountRoutes: sign-up, e-mail verification, login, logout, password
// reset and change, API tokens, the calendar feed of one's loans.
func (s *server) accountRoutes(r *mux.Router) {
	get, post := []string{http.MethodGet, http.MethodHead}, http.MethodPost
	r.HandleFunc("/signup", s.handleSignup).Methods(append(get, post)...)
	r.HandleFunc("/verify", s.handleVerifyPage).Methods(get...)
	r.HandleFunc("/verify", s.handleVerify).Methods(post)
	r.HandleFunc("/verify/resend", s.handleResendPage).Methods(get...)
	r.HandleFunc("/verify/resend", s.handleResend).Methods(post)
	r.HandleFunc("/login", s.handleLogin).Methods(append(get, post)...)
	r.HandleFunc("/logout", s.handleLogout).Methods(post)
	r.HandleFunc("/forgot", s.handleForgot).Methods(append(get, post)...)
	r.HandleFunc("/reset", s.handleReset).Methods(append(get, post)...)
	r.HandleFunc("/account", s.requireLogin(s.handleAccount)).Methods(get...)
	r.HandleFunc("/account/password", s.requireLogin(s.handleChangePassword)).Methods(post)
	r.HandleFunc("/account/language", s.requireLogin(s.handleAccountLanguage)).Methods(post)
	r.HandleFunc("/account/tokens", s.requireLogin(s.handleCreateToken)).Methods(post)
	r.HandleFunc("/account/tokens/{id:[0-9]+}/delete", s.requireLogin(s.handleDeleteToken)).Methods(post)
	r.HandleFunc("/account/tokens/revoke-all", s.requireLogin(s.handleDeleteTokens)).Methods(post)
	r.HandleFunc("/account/loan-feed", s.requireLogin(s.handleRotateLoanFeed)).Methods(post)
	r.HandleFunc("/account/loan-feed/revoke", s.requireLogin(s.handleRevokeLoanFeed)).Methods(post)
}
