package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// Pending imports: the preview parses and checks the upload; the
// confirmation imports what the preview showed. Handlers have no disk, so
// the parsed items wait in memory, briefly and in bounded number.
const (
	pendingImportTTL = 30 * time.Minute
	maxPendingImport = 20
	previewRows      = 100
)

// pendingImport is an upload between its preview and its confirmation.
type pendingImport struct {
	userID  int64
	file    string
	parsed  *parsedImport
	errs    []shrooms.RowError
	created time.Time
}

// pendingImports holds the previews waiting for confirmation; its zero
// value is ready.
type pendingImports struct {
	mu sync.Mutex
	m  map[string]*pendingImport
}

// put keeps p under a new random token, dropping expired previews and,
// beyond maxPendingImport, the oldest.
func (ps *pendingImports) put(p *pendingImport) string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.m == nil {
		ps.m = map[string]*pendingImport{}
	}
	for tok, q := range ps.m {
		if p.created.Sub(q.created) > pendingImportTTL {
			delete(ps.m, tok)
		}
	}
	for len(ps.m) >= maxPendingImport {
		oldest := ""
		for tok, q := range ps.m {
			if oldest == "" || q.created.Before(ps.m[oldest].created) {
				oldest = tok
			}
		}
		delete(ps.m, oldest)
	}
	tok := shrooms.RandomToken(16)
	ps.m[tok] = p
	return tok
}

// get returns the user's preview, nil when it expired or is someone
// else's: nobody confirms another person's upload.
func (ps *pendingImports) get(tok string, userID int64, now time.Time) *pendingImport {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.find(tok, userID, now)
}

func (ps *pendingImports) find(tok string, userID int64, now time.Time) *pendingImport {
	p := ps.m[tok]
	if p == nil || p.userID != userID || now.Sub(p.created) > pendingImportTTL {
		return nil
	}
	return p
}

// take removes the user's preview and returns it (as get), so that two
// confirmations of one preview cannot both import it.
func (ps *pendingImports) take(tok string, userID int64, now time.Time) *pendingImport {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.find(tok, userID, now)
	if p != nil {
		delete(ps.m, tok)
	}
	return p
}

// restore puts back a preview taken but not imported.
func (ps *pendingImports) restore(tok string, p *pendingImport) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.m[tok] = p
}

// importPage is the upload form.
type importPage struct {
	Error   string
	Columns []string
	MaxRows int
}

func (s *server) renderImportForm(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "import", "import.title", importPage{Error: msg, Columns: csvColumns, MaxRows: maxImportRows})
}

// handleImportForm shows the upload form with the columns explained.
func (s *server) handleImportForm(w http.ResponseWriter, r *http.Request) {
	s.renderImportForm(w, r, 0, "")
}

// handleImportTemplate sends the header row and one example row.
func (s *server) handleImportTemplate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="items-template.csv"`)
	_, _ = w.Write([]byte("\ufeff" + strings.Join(csvColumns, ",") + "\r\n" +
		"Cordless drill,tool,18 V with two batteries,Tools › Power tools,good,89.90,available,yes,14,20.00,yes,no,Workshop › Shelf A,members,,,,\r\n"))
}

// handleImportUpload parses and checks an upload without writing
// anything, keeps it for the confirmation and sends the browser to the
// preview.
func (s *server) handleImportUpload(w http.ResponseWriter, r *http.Request) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderImportForm(w, r, http.StatusBadRequest, s.tr(r, "import.no_file"))
		return
	}
	defer file.Close()
	ctx := r.Context()
	parsed, err := s.parseImport(ctx, file)
	if err == nil {
		var errs []shrooms.RowError
		if errs, err = s.validateImport(ctx, parsed); err == nil {
			tok := s.imports.put(&pendingImport{userID: stateFrom(ctx).User.ID, file: hdr.Filename, parsed: parsed,
				errs: errs, created: s.Now()})
			http.Redirect(w, r, "/items/import/"+tok, http.StatusSeeOther)
			return
		}
	}
	switch code := shrooms.ErrorCode(err); code {
	case shrooms.EINVALID, shrooms.ETOOLARGE:
		s.renderImportForm(w, r, statusOf(code), s.errorText(r, err))
	default:
		s.fail(w, r, err, 0)
	}
}

// importPreview is the preview page.
type importPreview struct {
	Token  string
	File   string
	Rows   int
	Shown  []previewRow
	More   int
	Errors []shrooms.RowError
}

// previewRow is one item as the preview table shows it.
type previewRow struct {
	Row int
	*shrooms.Item
	Category, Place, Owner string
}

// handleImportPreview shows what an upload would import and what is
// wrong with it.
func (s *server) handleImportPreview(w http.ResponseWriter, r *http.Request) {
	tok := mux.Vars(r)["token"]
	p := s.imports.get(tok, stateFrom(r.Context()).User.ID, s.Now())
	if p == nil {
		s.renderImportForm(w, r, http.StatusGone, s.tr(r, "import.expired"))
		return
	}
	d := importPreview{Token: tok, File: p.file, Rows: len(p.parsed.Items)}
	d.Shown, d.More = p.parsed.Preview, len(p.parsed.Items)-len(p.parsed.Preview)
	for _, e := range p.errs {
		if t, ok := s.pages.cat.lookup(stateFrom(r.Context()).Lang, e.Message); ok {
			e.Message = t
		}
		d.Errors = append(d.Errors, e)
	}
	s.render(w, r, 0, "import_preview", "import.preview.title", d)
}

// handleImportConfirm imports a previewed upload: all its items or, when
// anything changed since the preview, none and the preview again.
func (s *server) handleImportConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := formValue(r, "token")
	p := s.imports.take(tok, stateFrom(ctx).User.ID, s.Now())
	if p == nil {
		s.renderImportForm(w, r, http.StatusGone, s.tr(r, "import.expired"))
		return
	}
	var errs []shrooms.RowError
	var err error
	if len(p.errs) == 0 {
		errs, err = s.Items.ImportItems(ctx, p.parsed.Items, firstRow, false)
	}
	if err != nil || len(p.errs) > 0 || len(errs) > 0 {
		if len(errs) > 0 {
			p.errs = errs
		}
		s.imports.restore(tok, p)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		http.Redirect(w, r, "/items/import/"+tok, http.StatusSeeOther)
		return
	}
	s.redirect(w, r, "/items?sort=-created", "import.done."+strconv.Itoa(len(p.parsed.Items)))
}
