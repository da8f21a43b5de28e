package itemcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// csvRows is an import file read: the header's columns and the records.
type csvRows struct {
	cols    map[string]int // column name → index
	width   int            // the header's cells
	records [][]string
}

// readCSV reads and checks the shape of an import file: at most
// MaxBytes of UTF-8 (with or without a BOM), comma or semicolon
// separated (French spreadsheets use ";"), a header of known columns
// including name, at most MaxRows rows. Returns ETOOLARGE or
// EINVALID with a message for the whole file. A read error of in is
// EINVALID, unless it is ETOOLARGE already (see TooLarge).
func readCSV(in io.Reader) (*csvRows, error) {
	data, err := io.ReadAll(io.LimitReader(in, MaxBytes+1))
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.ETOOLARGE {
			return nil, TooLarge()
		}
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file could not be read.").Keyed("core.error.file_unreadable")
	}
	if len(data) > MaxBytes {
		return nil, TooLarge()
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file is not UTF-8 text: save it as “CSV UTF-8”.").Keyed("import.error.not_utf8")
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file is empty.").Keyed("import.error.file_empty")
	}
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file is not valid CSV: %s", csvErr(err)).Keyed("import.error.csv_invalid", "Detail", csvErr(err))
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
		u, cols := strings.Join(unknown, ", "), strings.Join(columns, ", ")
		return nil, shrooms.Errorf(shrooms.EINVALID, "Unknown columns: %s. The columns are %s, and field:KEY for custom fields.", u, cols).
			Keyed("import.error.columns_unknown", "Unknown", u, "Columns", cols)
	case len(twice) > 0:
		t := strings.Join(twice, ", ")
		return nil, shrooms.Errorf(shrooms.EINVALID, "These columns appear twice: %s.", t).Keyed("import.error.columns_twice", "Columns", t)
	case !has(out.cols, "name"):
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file has no name column: the header row must name the columns, and name is required.").Keyed("import.error.no_name_column")
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "The file is not valid CSV: %s", csvErr(err)).Keyed("import.error.csv_invalid", "Detail", csvErr(err))
		}
		if len(out.records) == MaxRows {
			return nil, shrooms.Errorf(shrooms.EINVALID, "The file has more than %d rows: split it into several files.", MaxRows).Keyed("import.error.rows_max", "Max", MaxRows)
		}
		out.records = append(out.records, rec)
	}
	// Spreadsheets often save empty rows at the end; only those are dropped,
	// so that row numbers stay those the spreadsheet shows.
	for len(out.records) > 0 && blank(out.records[len(out.records)-1]) {
		out.records = out.records[:len(out.records)-1]
	}
	if len(out.records) == 0 {
		return nil, shrooms.Errorf(shrooms.EINVALID, "The file has a header but no items.").Keyed("import.error.no_items")
	}
	return out, nil
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func knownColumn(h string) bool {
	if key, ok := strings.CutPrefix(h, fieldPrefix); ok {
		return key != ""
	}
	for _, c := range columns {
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
