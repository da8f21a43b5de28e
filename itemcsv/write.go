package itemcsv

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// Export is an export prepared: what it must know before its header,
// which comes before any item.
type Export struct {
	s      *Services
	filter shrooms.ItemFilter
	cats   []*shrooms.Category
	keys   []string
}

// PrepareExport reads what an export of the items the caller may see
// that match f needs before it writes anything: the categories, and
// (in a first pass over the items) which custom fields they have. Its
// errors come before any byte, so the caller can still answer with one.
func (s *Services) PrepareExport(ctx context.Context, f shrooms.ItemFilter) (*Export, error) {
	cats, err := s.Categories.FindCategories(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := s.exportFieldKeys(ctx, f, cats)
	if err != nil {
		return nil, err
	}
	return &Export{s: s, filter: f, cats: cats, keys: keys}, nil
}

// Write writes the header and every item matching the export's filter.
// Once it has begun, an error leaves the file short.
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	s, f, cats, keys := e.s, e.filter, e.cats, e.keys
	cw := newCellWriter(w)
	header := append([]string{}, columns...)
	for _, k := range keys {
		header = append(header, fieldPrefix+k)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	paths := map[int64]string{}
	for _, c := range cats {
		paths[c.ID] = c.Path
	}
	owners := map[int64]string{}
	rec := make([]string, len(header))
	err := s.eachItem(ctx, f, func(it *shrooms.Item) error {
		owner, err := s.ownerName(ctx, owners, it.OwnerID)
		if err != nil {
			return err
		}
		rec = rec[:0]
		rec = append(rec, it.Name, string(it.Kind), it.Description, catPath(it, paths), string(it.Condition),
			shrooms.FormatMoney(it.ValueCents), string(it.Status), yesNo(it.Loanable), strconv.Itoa(it.Loan.MaxDays),
			renewals(it.Loan.Renewals), shrooms.FormatMoney(it.Loan.DepositCents), yesNo(it.Loan.Members), yesNo(it.Loan.Partners), placePath(it),
			string(it.Audience))
		if it.Kind == shrooms.KindPart {
			rec = append(rec, strconv.FormatInt(it.Quantity, 10), it.Unit, strconv.FormatInt(it.MinQuantity, 10))
		} else {
			rec = append(rec, "", "", "")
		}
		rec = append(rec, owner)
		for _, k := range keys {
			rec = append(rec, it.Fields[k])
		}
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		return cw.Write(rec)
	})
	if err != nil {
		cw.Flush()
		return err
	}
	return cw.Flush()
}

// cellWriter writes CSV rows as RFC 4180 and spreadsheets do (commas,
// CRLF, quotes doubled), and quotes more cells than encoding/csv does:
// also those holding a semicolon or a tab, so that a spreadsheet that
// splits rows on those (a French Excel opening a comma file) keeps the
// cell whole instead of starting a new cell, maybe a formula, after them.
type cellWriter struct {
	w *bufio.Writer
}

func newCellWriter(w io.Writer) *cellWriter { return &cellWriter{w: bufio.NewWriter(w)} }

// Write writes one row.
func (c *cellWriter) Write(rec []string) error {
	for i, v := range rec {
		if i > 0 {
			c.w.WriteByte(',')
		}
		// A row of one empty cell would be an empty line, which readers
		// skip: quoted, it stays a row.
		if cellNeedsQuotes(v) || len(rec) == 1 && v == "" {
			c.w.WriteByte('"')
			c.w.WriteString(strings.ReplaceAll(v, `"`, `""`))
			c.w.WriteByte('"')
		} else {
			c.w.WriteString(v)
		}
	}
	_, err := c.w.WriteString("\r\n")
	return err
}

// Flush writes what is buffered and reports the first write error.
func (c *cellWriter) Flush() error { return c.w.Flush() }

// cellNeedsQuotes: separators of any locale, quotes, line breaks, and
// blanks at either end, which readers would trim.
func cellNeedsQuotes(v string) bool {
	if v == "" {
		return false
	}
	if v == `\.` || strings.ContainsAny(v, ",;\t\"\r\n") {
		return true
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	return unicode.IsSpace(first) || unicode.IsSpace(last)
}

// eachItem calls fn for every item matching f, a page at a time.
func (s *Services) eachItem(ctx context.Context, f shrooms.ItemFilter, fn func(*shrooms.Item) error) error {
	f.Offset, f.Limit = 0, pageSize
	for {
		items, total, err := s.Items.FindItems(ctx, f)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		f.Offset += len(items)
		if len(items) == 0 || f.Offset >= total {
			return nil
		}
	}
}

// exportFieldKeys is the union of the custom field keys of the exported
// items' categories (and their ancestors), in tree order.
func (s *Services) exportFieldKeys(ctx context.Context, f shrooms.ItemFilter, cats []*shrooms.Category) ([]string, error) {
	used := map[int64]bool{}
	err := s.eachItem(ctx, f, func(it *shrooms.Item) error {
		used[it.CategoryID] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	parent := map[int64]int64{}
	for _, c := range cats {
		parent[c.ID] = c.ParentID
	}
	with := map[int64]bool{}
	for id := range used {
		for ; id != 0 && !with[id]; id = parent[id] {
			with[id] = true
		}
	}
	var keys []string
	seen := map[string]bool{}
	for _, c := range cats {
		if !with[c.ID] {
			continue
		}
		for _, fd := range c.Fields {
			if !seen[fd.Key] {
				seen[fd.Key] = true
				keys = append(keys, fd.Key)
			}
		}
	}
	return keys, nil
}

// ownerName is the owner's username, which the import reads back; ""
// for the organisation or a deleted account.
func (s *Services) ownerName(ctx context.Context, cache map[int64]string, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if name, ok := cache[id]; ok {
		return name, nil
	}
	u, err := s.Users.FindUserByID(ctx, id)
	switch {
	case shrooms.ErrorCode(err) == shrooms.ENOTFOUND:
		cache[id] = ""
	case err != nil:
		return "", err
	default:
		cache[id] = u.Username
	}
	return cache[id], nil
}

func catPath(it *shrooms.Item, paths map[int64]string) string {
	if it.CategoryPath != "" {
		return it.CategoryPath
	}
	return paths[it.CategoryID]
}

func placePath(it *shrooms.Item) string {
	if it.Place == nil {
		return ""
	}
	if it.Place.Path != "" {
		return it.Place.Path
	}
	return it.Place.Name
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// renewals is an item's renewal limit as a cell: empty when it follows
// the organisation's rule.
func renewals(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
