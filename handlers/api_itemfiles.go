package handlers

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/itemcsv"
)

// apiItemFileRoutes: CSV import and export of items and PDF label sheets
// over the API, with the same format and rules as the web pages.
func (s *server) apiItemFileRoutes(auth *mux.Router) {
	auth.HandleFunc("/items/import", s.apiImportItems).Methods(http.MethodPost)
	auth.HandleFunc("/items/export.csv", s.apiExportItems).Methods(http.MethodGet)
	auth.HandleFunc("/items/labels.pdf", s.handleLabels).Methods(http.MethodGet)
}

// importResultJSON answers a valid import (or dry run).
type importResultJSON struct {
	Created int                `json:"created"`
	DryRun  bool               `json:"dry_run"`
	Errors  []shrooms.RowError `json:"errors"`
}

// importErrorsJSON answers an import with row errors: nothing was written.
type importErrorsJSON struct {
	Error  string             `json:"error"`
	Code   string             `json:"code"`
	Errors []shrooms.RowError `json:"errors"`
}

// apiImportItems imports a CSV file sent as the body (text/csv) or as the
// "file" part of a multipart form. ?dry_run=true checks it only.
func (s *server) apiImportItems(w http.ResponseWriter, r *http.Request) {
	var dryRun bool
	switch r.URL.Query().Get("dry_run") {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "dry_run: must be true or false").Keyed("core.error.bool", "Name", "dry_run").On("dry_run"), 0)
		return
	}
	body, err := importBody(w, r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ctx := r.Context()
	codec := s.itemCSV()
	parsed, err := codec.Parse(ctx, body)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	errs, err := codec.Check(ctx, parsed)
	if err == nil && len(errs) == 0 && !dryRun {
		errs, err = codec.Import(ctx, parsed)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, importErrorsJSON{Code: shrooms.EINVALID, Errors: errs,
			Error: "Some rows are not valid: nothing was imported."})
		return
	}
	writeJSON(w, http.StatusOK, importResultJSON{Created: len(parsed.Items), DryRun: dryRun, Errors: []shrooms.RowError{}})
}

// importBody is the CSV of an API import, at most itemcsv.MaxBytes.
func importBody(w http.ResponseWriter, r *http.Request) (io.Reader, error) {
	r.Body = http.MaxBytesReader(w, r.Body, itemcsv.MaxBytes+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "text/csv", "text/plain", "application/csv":
		return bodyLimit{r.Body}, nil
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "The form could not be read.").Keyed("core.error.form_unreadable")
		}
		for {
			part, err := mr.NextPart()
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				return nil, itemcsv.TooLarge()
			case err != nil:
				return nil, shrooms.Errorf(shrooms.EINVALID, "file: send the CSV as the part named file").Keyed("import.error.file_part").On("file")
			}
			if part.FormName() == "file" {
				return bodyLimit{part}, nil
			}
		}
	}
	return nil, shrooms.Errorf(shrooms.EINVALID, "Send the CSV file as text/csv or as the file part of multipart/form-data.").Keyed("import.error.content_type")
}

// bodyLimit reads a body under http.MaxBytesReader, whose limit it
// reports as the CSV codec's own refusal of a too large file.
type bodyLimit struct{ r io.Reader }

func (b bodyLimit) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = itemcsv.TooLarge()
	}
	return n, err
}

// apiExportItems sends the CSV export, without the byte order mark that
// spreadsheets need and programs do not.
func (s *server) apiExportItems(w http.ResponseWriter, r *http.Request) {
	s.exportCSV(w, r, false)
}
