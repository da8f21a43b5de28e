package handlers

import (
	"net/http"

	"github.com/gorilla/mux"
)

// itemFileRoutes: CSV import and export of items and the PDF label sheets.
// They need a login; the services decide who may import (the inventory
// write grant) and which items each caller exports or labels.
func (s *server) itemFileRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	member := func(h http.HandlerFunc) http.HandlerFunc { return s.requireModule("inventory", s.requireLogin(h)) }

	r.HandleFunc("/items/import", member(s.handleImportForm)).Methods(get, head)
	r.HandleFunc("/items/import", member(s.handleImportUpload)).Methods(post)
	r.HandleFunc("/items/import/template.csv", member(s.handleImportTemplate)).Methods(get, head)
	r.HandleFunc("/items/import/confirm", member(s.handleImportConfirm)).Methods(post)
	r.HandleFunc("/items/import/{token:[0-9a-f]{32}}", member(s.handleImportPreview)).Methods(get, head)
	r.HandleFunc("/items/export.csv", member(s.handleItemsExport)).Methods(get, head)
	r.HandleFunc("/items/labels.pdf", member(s.handleLabels)).Methods(get, head)
}
