package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// placeRoutes: places and their map, and the stock pages (stockRoutes).
// Places disappear with the locations module, stock pages with the stock
// module. Reading places needs no login (anonymous visitors see public
// places); the services decide what each caller may see and change.
func (s *server) placeRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	loc := func(h http.HandlerFunc) http.HandlerFunc { return s.requireModule("locations", h) }
	locMember := func(h http.HandlerFunc) http.HandlerFunc { return loc(s.requireLogin(h)) }

	r.HandleFunc("/places", loc(s.handlePlaces)).Methods(get, head)
	r.HandleFunc("/places/new", locMember(s.handlePlaceNew)).Methods(get, head, post)
	r.HandleFunc("/places/{id:[0-9]+}", loc(s.handlePlace)).Methods(get, head)
	r.HandleFunc("/places/{id:[0-9]+}/edit", locMember(s.handlePlaceEdit)).Methods(get, head, post)
	r.HandleFunc("/places/{id:[0-9]+}/delete", locMember(s.handlePlaceDelete)).Methods(get, head, post)

	s.stockRoutes(r)
}
