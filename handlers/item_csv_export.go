package handlers

import (
	"io"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/itemcsv"
)

// itemCSV is the item CSV codec over the services, which have the
// caller's rights.
func (s *server) itemCSV() *itemcsv.Services {
	return &itemcsv.Services{Items: s.Items, Categories: s.Categories, Places: s.Places, Users: s.Users}
}

// handleItemsExport sends the items the caller may see that match the
// catalogue's filter as a CSV file.
func (s *server) handleItemsExport(w http.ResponseWriter, r *http.Request) {
	s.exportCSV(w, r, true)
}

// exportCSV answers with the CSV export; bom starts the file with a byte
// order mark, which spreadsheets need to read UTF-8.
func (s *server) exportCSV(w http.ResponseWriter, r *http.Request, bom bool) {
	f, err := s.catalogueFilter(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ctx := r.Context()
	export, err := s.itemCSV().PrepareExport(ctx, f)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="items-`+s.Now().Format("2006-01-02")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if bom {
		_, _ = io.WriteString(w, "\ufeff")
	}
	if err := export.Write(ctx, w); err != nil {
		// The status is sent: the file ends short, and the log says why.
		s.Logger.Error("item export", "err", err)
	}
}

// catalogueFilter reads the catalogue's filter parameters (q, kind,
// status, category, place, loanable, low, sort) as the catalogue does,
// from the first item on.
func (s *server) catalogueFilter(r *http.Request) (shrooms.ItemFilter, error) {
	d := &itemList{itemRights: s.itemRights(r)}
	f, err := d.readFilter(r.URL.Query())
	if err != nil {
		return f, err
	}
	f.Offset = 0
	return f, nil
}
