package handlers

import (
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/itemcsv"
)

// importPage is the upload form.
type importPage struct {
	Error   string
	Columns []string
	MaxRows int
}

func (s *server) renderImportForm(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "import", "import.title", importPage{Error: msg, Columns: itemcsv.Columns(), MaxRows: itemcsv.MaxRows})
}

// handleImportForm shows the upload form with the columns explained.
func (s *server) handleImportForm(w http.ResponseWriter, r *http.Request) {
	s.renderImportForm(w, r, 0, "")
}

// handleImportTemplate sends the header row and one example row.
func (s *server) handleImportTemplate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="items-template.csv"`)
	_, _ = io.WriteString(w, itemcsv.Template())
}

// handleImportUpload saves an upload in the user's pending imports,
// parses and checks it without writing any item, and sends the browser
// to the preview.
func (s *server) handleImportUpload(w http.ResponseWriter, r *http.Request) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderImportForm(w, r, http.StatusBadRequest, s.tr(r, "import.no_file"))
		return
	}
	defer file.Close()
	ctx := r.Context()
	userID, now := stateFrom(ctx).User.ID, s.Now()
	tok, path, err := s.imports.save(userID, file, now)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	meta, err := s.checkUpload(r, path)
	if err != nil {
		s.imports.discard(userID, tok)
		switch code := shrooms.ErrorCode(err); code {
		case shrooms.EINVALID, shrooms.ETOOLARGE:
			s.renderImportForm(w, r, statusOf(code), s.errorText(r, err))
		default:
			s.fail(w, r, err, 0)
		}
		return
	}
	meta.File, meta.Created = hdr.Filename, now
	dropped, err := s.imports.keep(userID, tok, meta)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	flash := ""
	if dropped {
		flash = "import.dropped." + strconv.Itoa(maxPendingPerUser)
	}
	s.redirect(w, r, "/items/import/"+tok, flash)
}

// checkUpload parses and checks a saved upload: what its preview shows.
// The parsed items live only for this request.
func (s *server) checkUpload(r *http.Request, path string) (*pendingMeta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	parsed, err := s.itemCSV().Parse(r.Context(), f)
	if err != nil {
		return nil, err
	}
	errs, err := s.itemCSV().Check(r.Context(), parsed)
	if err != nil {
		return nil, err
	}
	return &pendingMeta{Rows: len(parsed.Items), Preview: parsed.Preview, Errors: errs}, nil
}

// importPreview is the preview page.
type importPreview struct {
	Token  string
	File   string
	Rows   int
	Shown  []itemcsv.PreviewRow
	More   int
	Errors []shrooms.RowError
}

// handleImportPreview shows what an upload would import and what is
// wrong with it.
func (s *server) handleImportPreview(w http.ResponseWriter, r *http.Request) {
	tok := mux.Vars(r)["token"]
	p, err := s.imports.meta(stateFrom(r.Context()).User.ID, tok, s.Now())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if p == nil {
		s.renderImportForm(w, r, http.StatusGone, s.tr(r, "import.expired"))
		return
	}
	d := importPreview{Token: tok, File: p.File, Rows: p.Rows, Shown: p.Preview, More: p.Rows - len(p.Preview)}
	d.Errors = s.pages.cat.rowErrors(stateFrom(r.Context()).Lang, p.Errors)
	s.render(w, r, 0, "import_preview", "import.preview.title", d)
}

// rowErrors returns import row errors with their messages in lang: by
// key with args when they have one, else the English message.
func (c *catalog) rowErrors(lang string, errs []shrooms.RowError) []shrooms.RowError {
	var out []shrooms.RowError
	for _, e := range errs {
		if e.Key != "" {
			e.Message = c.translate(lang, e.Key, wholeArgs(e.Args)...)
		}
		out = append(out, e)
	}
	return out
}

// wholeArgs returns a row error's args with the whole numbers that its
// JSON round trip made float64 as int64 again: plural forms count ints.
func wholeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if f, ok := a.(float64); ok && f == float64(int64(f)) {
			a = int64(f)
		}
		out[i] = a
	}
	return out
}

// handleImportConfirm imports a previewed upload: all its items or, when
// anything changed since the preview, none and the preview again. The
// file is read again: names may have changed meanwhile.
func (s *server) handleImportConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok, userID := formValue(r, "token"), stateFrom(ctx).User.ID
	p, path, err := s.imports.take(userID, tok, s.Now())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if p == nil {
		s.renderImportForm(w, r, http.StatusGone, s.tr(r, "import.expired"))
		return
	}
	var rows int
	if len(p.Errors) == 0 {
		rows, p.Errors, err = s.importFile(r, path)
	}
	if err != nil || len(p.Errors) > 0 {
		if rerr := s.imports.restore(userID, tok, p); rerr != nil && err == nil {
			err = rerr
		}
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		http.Redirect(w, r, "/items/import/"+tok, http.StatusSeeOther)
		return
	}
	s.imports.done(userID, tok)
	s.redirect(w, r, "/items?sort=-created", "import.done."+strconv.Itoa(rows))
}

// importFile parses a pending upload again and imports it when every row
// is right; otherwise it returns the rows' errors and writes nothing.
func (s *server) importFile(r *http.Request, path string) (int, []shrooms.RowError, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	codec := s.itemCSV()
	parsed, err := codec.Parse(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	if len(parsed.Errs) > 0 {
		return 0, parsed.Errs, nil
	}
	errs, err := codec.Import(r.Context(), parsed)
	return len(parsed.Items), errs, err
}
