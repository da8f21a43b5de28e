package handlers

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"
)

// apiInventoryRoutes: items, categories, places and stock, for bearer
// tokens. The services decide who may do what; a module that is off
// answers 404 from the store.
func (s *server) apiInventoryRoutes(auth *mux.Router) {
	s.apiItemFileRoutes(auth)
	auth.HandleFunc("/items", s.apiItems).Methods(http.MethodGet)
	auth.HandleFunc("/items", s.apiCreateItem).Methods(http.MethodPost)
	auth.HandleFunc("/items/{id:[0-9]+}", s.apiItem).Methods(http.MethodGet)
	auth.HandleFunc("/items/{id:[0-9]+}", s.apiUpdateItem).Methods(http.MethodPatch)
	auth.HandleFunc("/items/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Items.DeleteItem(ctx, id) })).Methods(http.MethodDelete)
	auth.HandleFunc("/items/{id:[0-9]+}/photos", s.apiAddItemPhoto).Methods(http.MethodPost)
	auth.HandleFunc("/items/{id:[0-9]+}/photos/{media_id:[0-9]+}", s.apiDeleteItemPhoto).Methods(http.MethodDelete)
	auth.HandleFunc("/items/{id:[0-9]+}/history", s.apiItemHistory).Methods(http.MethodGet)
	auth.HandleFunc("/items/{id:[0-9]+}/comments", s.apiComments).Methods(http.MethodGet)
	auth.HandleFunc("/items/{id:[0-9]+}/comments", s.apiCreateComment).Methods(http.MethodPost)
	auth.HandleFunc("/comments/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Items.DeleteComment(ctx, id) })).Methods(http.MethodDelete)
	auth.HandleFunc("/items/{id:[0-9]+}/movements", s.apiMovements).Methods(http.MethodGet)
	auth.HandleFunc("/items/{id:[0-9]+}/movements", s.apiMoveStock).Methods(http.MethodPost)
	auth.HandleFunc("/stock/low", s.apiLowStock).Methods(http.MethodGet)
	auth.HandleFunc("/categories", s.apiCategories).Methods(http.MethodGet)
	auth.HandleFunc("/categories", s.apiCreateCategory).Methods(http.MethodPost)
	auth.HandleFunc("/categories/{id:[0-9]+}", s.apiCategory).Methods(http.MethodGet)
	auth.HandleFunc("/categories/{id:[0-9]+}", s.apiUpdateCategory).Methods(http.MethodPatch)
	auth.HandleFunc("/categories/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Categories.DeleteCategory(ctx, id) })).Methods(http.MethodDelete)
	auth.HandleFunc("/categories/{id:[0-9]+}/fields", s.apiSetCategoryFields).Methods(http.MethodPut)
	auth.HandleFunc("/places", s.apiPlaces).Methods(http.MethodGet)
	auth.HandleFunc("/places", s.apiCreatePlace).Methods(http.MethodPost)
	auth.HandleFunc("/places/{id:[0-9]+}", s.apiPlace).Methods(http.MethodGet)
	auth.HandleFunc("/places/{id:[0-9]+}", s.apiUpdatePlace).Methods(http.MethodPatch)
	auth.HandleFunc("/places/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Places.DeletePlace(ctx, id) })).Methods(http.MethodDelete)
}
