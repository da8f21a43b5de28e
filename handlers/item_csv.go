package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// The item CSV format is one format for export and import, so that an
// export re-imports: a header row naming the columns (in any order), then
// one item a row. Custom fields are columns "field:KEY".
const (
	// maxImportBytes and maxImportRows bound an import file.
	maxImportBytes = 10 << 20
	maxImportRows  = 20000
	// fieldPrefix starts the column of a custom field.
	fieldPrefix = "field:"
	// firstRow is the spreadsheet row of the first item: the header is 1.
	firstRow = 2
)

// csvColumns are the item's own columns, in export order.
var csvColumns = []string{"name", "kind", "description", "category", "condition", "value", "status",
	"loanable", "loan_max_days", "deposit", "loan_members", "loan_partners", "place", "audience",
	"quantity", "unit", "min_quantity", "owner"}

// formulaStart are the characters that make a spreadsheet read a cell as
// a formula when they come first, with their full-width forms (which
// some spreadsheets fold to ASCII). Tab and CR first are refused too.
const formulaStart = "=+-@\uff1d\uff0b\uff0d\uff20"

// formulaCell reports whether a spreadsheet may run v as a formula: when
// it starts with a formula character, tab or CR, or reaches one after
// blanks and separators, which a spreadsheet drops when it trims cells or
// splits them on another separator (";=cmd" in a French Excel opening a
// comma file).
func formulaCell(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == '\t' || v[0] == '\r' {
		return true
	}
	rest := strings.TrimLeftFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ';' || r == ',' })
	r, _ := utf8.DecodeRuneInString(rest)
	return rest != "" && strings.ContainsRune(formulaStart, r)
}

// csvQuoted reports whether v needs csvSafe's quote: a formula, or a
// formula behind quotes of its own, which csvUnsafe would otherwise take
// away on import: "'=x" is exported with a second quote before it.
func csvQuoted(v string) bool {
	return formulaCell(strings.TrimLeft(v, "'"))
}

// csvSafe protects a cell against formula injection with a leading
// quote, which spreadsheets show as text.
func csvSafe(v string) string {
	if csvQuoted(v) {
		return "'" + v
	}
	return v
}

// csvUnsafe undoes csvSafe, so that an exported item re-imports as it was.
func csvUnsafe(v string) string {
	if strings.HasPrefix(v, "'") && csvQuoted(v[1:]) {
		return v[1:]
	}
	return v
}

// csvRows is an import file read: the header's columns and the records.
type csvRows struct {
	cols    map[string]int // column name → index
	width   int            // the header's cells
	records [][]string
}

// readCSV reads and checks the shape of an import file: at most
// maxImportBytes of UTF-8 (with or without a BOM), comma or semicolon
// separated (French spreadsheets use ";"), a header of known columns
// including name, at most maxImportRows rows. Returns ETOOLARGE or
// EINVALID with a message for the whole file.
func readCSV(in io.Reader) (*csvRows, error) {
	data, err := io.ReadAll(io.LimitReader(in, maxImportBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, shrooms.Errorf(shrooms.ETOOLARGE, "The file is larger than 10 MB.")
		}
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file could not be read.")
	}
	if len(data) > maxImportBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "The file is larger than 10 MB.")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file is not UTF-8 text: save it as “CSV UTF-8”.")
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file is empty.")
	}
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file is not valid CSV: %s", csvErr(err))
	}
	out := &csvRows{cols: map[string]int{}, width: len(header)}
	var unknown, twice []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "" && i == len(header)-1:
			continue // a trailing separator
		case !knownColumn(h):
			unknown = append(unknown, strconv.Quote(h))
		case has(out.cols, h):
			twice = append(twice, h)
		}
		out.cols[h] = i
	}
	switch {
	case len(unknown) > 0:
		return nil, shrooms.Errorf(shrooms.EINVALID, "Unknown columns: %s. The columns are %s, and field:KEY for custom fields.",
			strings.Join(unknown, ", "), strings.Join(csvColumns, ", "))
	case len(twice) > 0:
		return nil, shrooms.Errorf(shrooms.EINVALID, "These columns appear twice: %s.", strings.Join(twice, ", "))
	case !has(out.cols, "name"):
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file has no name column: the header row must name the columns, and name is required.")
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "The file is not valid CSV: %s", csvErr(err))
		}
		if len(out.records) == maxImportRows {
			return nil, shrooms.Errorf(shrooms.EINVALID, "The file has more than %d rows: split it into several files.", maxImportRows)
		}
		out.records = append(out.records, rec)
	}
	// Spreadsheets often save empty rows at the end; only those are dropped,
	// so that row numbers stay those the spreadsheet shows.
	for len(out.records) > 0 && blank(out.records[len(out.records)-1]) {
		out.records = out.records[:len(out.records)-1]
	}
	if len(out.records) == 0 {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file has a header but no items.")
	}
	return out, nil
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func knownColumn(h string) bool {
	if key, ok := strings.CutPrefix(h, fieldPrefix); ok {
		return key != ""
	}
	for _, c := range csvColumns {
		if c == h {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// csvErr says where a CSV syntax error is, without Go's wording.
func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "line " + strconv.Itoa(pe.Line) + ": " + pe.Err.Error()
	}
	return err.Error()
}

// get returns a record's trimmed value of column col, "" when absent.
func (c *csvRows) get(rec []string, col string) string {
	i, ok := c.cols[col]
	if !ok || i >= len(rec) {
		return ""
	}
	return csvUnsafe(strings.TrimSpace(rec[i]))
}

// fieldKeys lists the custom field columns' keys, sorted.
func (c *csvRows) fieldKeys() []string {
	var keys []string
	for col := range c.cols {
		if key, ok := strings.CutPrefix(col, fieldPrefix); ok {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// csvNames resolves category, place and owner names of an import through
// the services, loading each list once.
type csvNames struct {
	s          *server
	ctx        context.Context
	cats       *nameIndex
	places     *nameIndex
	placesErr  error
	owners     map[string]int64
	catsLoaded bool
}

// nameIndex finds a record of a tree by its path ("Tools › Power tools",
// or with ">") or by its name when that is unique.
type nameIndex struct {
	byPath map[string]int64
	byName map[string][]int64
}

// normPath puts a path in one comparable form.
func normPath(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '›' || r == '>' })
	for i := range parts {
		parts[i] = strings.ToLower(strings.Join(strings.Fields(parts[i]), " "))
	}
	return strings.Join(parts, " › ")
}

func newNameIndex() *nameIndex {
	return &nameIndex{byPath: map[string]int64{}, byName: map[string][]int64{}}
}

func (x *nameIndex) add(id int64, name, path string) {
	x.byPath[normPath(path)] = id
	n := strings.ToLower(strings.Join(strings.Fields(name), " "))
	x.byName[n] = append(x.byName[n], id)
}

// find returns the record's ID, or a message saying why there is none.
func (x *nameIndex) find(v string) (int64, string) {
	if id, ok := x.byPath[normPath(v)]; ok {
		return id, ""
	}
	switch ids := x.byName[strings.ToLower(strings.Join(strings.Fields(v), " "))]; len(ids) {
	case 1:
		return ids[0], ""
	case 0:
		return 0, "not found: give its name or its path, like A › B"
	}
	return 0, "several have this name: give the path, like A › B"
}

func (n *csvNames) category(v string) (int64, string, error) {
	if !n.catsLoaded {
		cats, err := n.s.Categories.FindCategories(n.ctx)
		if err != nil {
			return 0, "", err
		}
		n.cats, n.catsLoaded = newNameIndex(), true
		for _, c := range cats {
			n.cats.add(c.ID, c.Name, c.Path)
		}
	}
	id, msg := n.cats.find(v)
	return id, msg, nil
}

func (n *csvNames) place(v string) (int64, string, error) {
	if n.places == nil && n.placesErr == nil {
		places, err := n.s.Places.FindPlaces(n.ctx)
		if err != nil {
			if shrooms.ErrorCode(err) != shrooms.ENOTFOUND { // the locations module is off
				return 0, "", err
			}
			n.placesErr = err
		}
		n.places = newNameIndex()
		for _, p := range places {
			n.places.add(p.ID, p.Name, p.Path)
		}
	}
	id, msg := n.places.find(v)
	return id, msg, nil
}

// owner resolves a username. FindUsers is for admins only, and staff who
// import need owners too: FindUserByUsername answers anyone.
func (n *csvNames) owner(v string) (int64, string, error) {
	if id, ok := n.owners[v]; ok {
		if id == 0 {
			return 0, "no member has this username", nil
		}
		return id, "", nil
	}
	u, err := n.s.Users.FindUserByUsername(n.ctx, strings.TrimPrefix(v, "@"))
	switch {
	case shrooms.ErrorCode(err) == shrooms.ENOTFOUND:
		n.owners[v] = 0
		return 0, "no member has this username", nil
	case err != nil:
		return 0, "", err
	}
	n.owners[v] = u.ID
	return u.ID, "", nil
}
