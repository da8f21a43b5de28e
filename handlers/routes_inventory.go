package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// inventoryRoutes: the catalogue, item pages and forms, photos, history, comments, check-in/out, categories and custom fields.
// Every route disappears with the inventory module. Reading needs no
// login (anonymous visitors see public items); the services decide what
// each caller may see and change.
func (s *server) inventoryRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	inv := func(h http.HandlerFunc) http.HandlerFunc { return s.requireModule("inventory", h) }
	member := func(h http.HandlerFunc) http.HandlerFunc { return inv(s.requireLogin(h)) }

	r.HandleFunc("/items", inv(s.handleItems)).Methods(get, head)
	r.HandleFunc("/items/new", member(s.handleItemNew)).Methods(get, head, post)

	r.HandleFunc("/items/categories", member(s.handleCategories)).Methods(get, head)
	r.HandleFunc("/items/categories", member(s.handleCategoryCreate)).Methods(post)
	r.HandleFunc("/items/categories/{id:[0-9]+}", member(s.handleCategoryUpdate)).Methods(post)
	r.HandleFunc("/items/categories/{id:[0-9]+}/delete", member(s.handleCategoryDelete)).Methods(post)
	r.HandleFunc("/items/categories/{id:[0-9]+}/fields", member(s.handleCategoryFields)).Methods(get, head, post)

	r.HandleFunc("/items/{id:[0-9]+}", inv(s.handleItem)).Methods(get, head)
	r.HandleFunc("/items/{id:[0-9]+}/edit", member(s.handleItemEdit)).Methods(get, head, post)
	r.HandleFunc("/items/{id:[0-9]+}/delete", member(s.handleItemDelete)).Methods(get, head, post)
	r.HandleFunc("/items/{id:[0-9]+}/photos", member(s.handleItemPhotoAdd)).Methods(post)
	r.HandleFunc("/items/{id:[0-9]+}/photos/{media:[0-9]+}/delete", member(s.handleItemPhotoDelete)).Methods(post)
	r.HandleFunc("/items/{id:[0-9]+}/checkout", member(s.handleItemCheckOut)).Methods(post)
	r.HandleFunc("/items/{id:[0-9]+}/checkin", member(s.handleItemCheckIn)).Methods(post)
	r.HandleFunc("/items/{id:[0-9]+}/comments", member(s.handleItemComment)).Methods(post)
	r.HandleFunc("/comments/{id:[0-9]+}/delete", member(s.handleCommentDelete)).Methods(post)
}
