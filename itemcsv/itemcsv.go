// Package itemcsv is the CSV format of items: one format for export and
// import, so that an export re-imports. It reads and checks import files,
// maps their rows to items (resolving names through the root services),
// and writes exports that no spreadsheet runs as formulas. It knows
// nothing of HTTP: handlers decode the request, call it and render.
//
// It is named itemcsv, not csv, because it is built on encoding/csv and
// callers use both: the name says which is the standard codec and which
// is the items' format.
package itemcsv

import (
	"strings"
	"unicode"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// A file is a header row naming the columns (in any order), then one item
// a row. Custom fields are columns "field:KEY".
const (
	// MaxBytes and MaxRows bound an import file.
	MaxBytes = 10 << 20
	MaxRows  = 20000
	// FirstRow is the spreadsheet row of the first item: the header is 1.
	FirstRow = 2
	// PreviewRows is how many rows a Parsed keeps as written, for a preview.
	PreviewRows = 100
	// fieldPrefix starts the column of a custom field.
	fieldPrefix = "field:"
	// pageSize is how many items an export reads at a time, so that a
	// large inventory is never held in memory whole.
	pageSize = 500
)

// columns are the item's own columns, in export order.
var columns = []string{"name", "kind", "description", "category", "condition", "value", "status",
	"loanable", "loan_max_days", "loan_renewals", "deposit", "loan_members", "loan_partners", "place", "audience",
	"quantity", "unit", "min_quantity", "owner"}

// Columns returns the item's own columns, in export order (a copy).
func Columns() []string { return append([]string(nil), columns...) }

// Template is an empty import file: the header row and one example row,
// with the byte order mark that spreadsheets need to read UTF-8.
func Template() string {
	return "\ufeff" + strings.Join(columns, ",") + "\r\n" +
		"Cordless drill,tool,18 V with two batteries,Tools › Power tools,good,89.90,available,yes,14,,20.00,yes,no,Workshop › Shelf A,members,,,,\r\n"
}

// TooLarge is the refusal of a file larger than MaxBytes. A reader that
// enforces a limit of its own (an HTTP body's) may fail with it: Read
// passes an ETOOLARGE error of its reader on.
func TooLarge() error {
	return shrooms.Errorf(shrooms.ETOOLARGE, "The file is larger than 10 MB.").Keyed("import.error.file_large")
}

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
