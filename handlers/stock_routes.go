package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// stockRoutes: the parts list, a part's movements and the movement form.
// They disappear with the stock module and with the inventory module
// (parts are items); they need a login. The store decides who may read
// and move stock.
func (s *server) stockRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	stock := func(h http.HandlerFunc) http.HandlerFunc {
		return s.requireModule("stock", s.requireModule("inventory", s.requireLogin(h)))
	}
	r.HandleFunc("/stock", stock(s.handleStock)).Methods(get, head)
	r.HandleFunc("/items/{id:[0-9]+}/stock", stock(s.handleStockMove)).Methods(post)
	r.HandleFunc("/items/{id:[0-9]+}/movements", stock(s.handleStockMovements)).Methods(get, head)
}
