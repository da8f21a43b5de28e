package itemcsv

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// Services are the root services an import and an export call: the
// caller's, so that every read and write has the caller's rights.
type Services struct {
	Items      shrooms.ItemService
	Categories shrooms.CategoryService
	Places     shrooms.PlaceService
	Users      shrooms.UserService
}

// Parsed is an import file turned into items: one per row, in order (row
// FirstRow+i), with the errors of the values the codec could not read
// (the store checks the rest).
type Parsed struct {
	Items []*shrooms.Item
	Errs  []shrooms.RowError
	// Preview is the first PreviewRows rows with their names as written.
	Preview []PreviewRow
}

// PreviewRow is one item as an import preview shows it, with names as the
// file writes them. Previews are kept as JSON while they wait.
type PreviewRow struct {
	Row      int    `json:"row"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Category string `json:"category"`
	Place    string `json:"place"`
	Status   string `json:"status"`
	Owner    string `json:"owner"`
}

// Parse reads an import file and maps its rows to items, resolving
// category, place and owner names through the services. An error is for
// the whole file (shape, size: EINVALID, ETOOLARGE) or internal.
func (s *Services) Parse(ctx context.Context, in io.Reader) (*Parsed, error) {
	rows, err := readCSV(in)
	if err != nil {
		return nil, err
	}
	names := &csvNames{s: s, ctx: ctx, owners: map[string]int64{}}
	out := &Parsed{Items: make([]*shrooms.Item, 0, len(rows.records))}
	fieldKeys := rows.fieldKeys()
	for i, rec := range rows.records {
		row := FirstRow + i
		it, errs, err := rows.item(rec, row, names, fieldKeys)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, it)
		if i < PreviewRows {
			out.Preview = append(out.Preview, PreviewRow{Row: row, Name: it.Name, Kind: string(it.Kind), Status: string(it.Status),
				Category: rows.get(rec, "category"), Place: rows.get(rec, "place"), Owner: rows.get(rec, "owner")})
		}
		out.Errs = append(out.Errs, errs...)
	}
	return out, nil
}

// Check asks the store to check every item of p without writing anything,
// and merges its errors with the codec's, by row.
func (s *Services) Check(ctx context.Context, p *Parsed) ([]shrooms.RowError, error) {
	errs, err := s.Items.ImportItems(ctx, p.Items, FirstRow, true)
	if err != nil {
		return nil, err
	}
	all := append(append([]shrooms.RowError{}, p.Errs...), errs...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Row < all[j].Row })
	return all, nil
}

// Import writes the items of p, all or none: it returns the rows' errors
// and writes nothing when any row is wrong.
func (s *Services) Import(ctx context.Context, p *Parsed) ([]shrooms.RowError, error) {
	return s.Items.ImportItems(ctx, p.Items, FirstRow, false)
}

// item maps one record to an item. Row errors name the column.
func (c *csvRows) item(rec []string, row int, names *csvNames, fieldKeys []string) (*shrooms.Item, []shrooms.RowError, error) {
	var errs []shrooms.RowError
	bad := func(field string, p problem) {
		errs = append(errs, shrooms.RowError{Row: row, Field: field, Message: p.msg, Key: p.key})
	}
	code := func(col string) string {
		return strings.ReplaceAll(strings.ToLower(c.get(rec, col)), " ", "_")
	}
	it := &shrooms.Item{
		Name: c.get(rec, "name"), Description: c.get(rec, "description"),
		Kind: shrooms.ItemKind(code("kind")), Status: shrooms.ItemStatus(code("status")),
		Condition: shrooms.Condition(code("condition")), Audience: shrooms.Audience(code("audience")),
		Unit: c.get(rec, "unit"),
	}
	if len(rec) > c.width && !blank(rec[c.width:]) {
		bad("", problemCells)
	}
	money := func(col string, dst *int64) {
		if v, err := shrooms.ParseMoney(c.get(rec, col)); err == nil {
			*dst = v
		} else {
			bad(col, problemMoney)
		}
	}
	money("value", &it.ValueCents)
	money("deposit", &it.Loan.DepositCents)
	number := func(col string, dst *int64) {
		if v := c.get(rec, col); v != "" {
			n, err := strconv.ParseInt(strings.ReplaceAll(v, " ", ""), 10, 64)
			if err != nil {
				bad(col, problemWhole)
			}
			*dst = n
		}
	}
	number("quantity", &it.Quantity)
	number("min_quantity", &it.MinQuantity)
	var days int64
	number("loan_max_days", &days)
	if days < 0 || days > 100000 {
		days = -1 // out of bounds: the store says which
	}
	it.Loan.MaxDays = int(days)
	if c.get(rec, "loan_renewals") != "" {
		// Empty follows the organisation's rule; a number, 0 too, is the
		// item's own.
		var n int64
		number("loan_renewals", &n)
		if n < 0 || n > 100000 {
			n = -1 // out of bounds: the store says which
		}
		limit := int(n)
		it.Loan.Renewals = &limit
	}
	flag := func(col string, def bool) bool {
		v := c.get(rec, col)
		if v == "" {
			return def
		}
		b, ok := parseYesNo(v)
		if !ok {
			bad(col, problemYesNo)
		}
		return b
	}
	it.Loanable = flag("loanable", false)
	// Members may borrow a loanable item unless the file says otherwise.
	it.Loan.Members = flag("loan_members", it.Loanable)
	it.Loan.Partners = flag("loan_partners", false)

	var err error
	lookup := func(col string, find func(string) (int64, problem, error), dst *int64) {
		v := c.get(rec, col)
		if v == "" || err != nil {
			return
		}
		id, p, e := find(v)
		if e != nil {
			err = e
			return
		}
		if p != (problem{}) {
			bad(col, p)
		}
		*dst = id
	}
	lookup("category", names.category, &it.CategoryID)
	lookup("place", names.place, &it.PlaceID)
	lookup("owner", names.owner, &it.OwnerID)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range fieldKeys {
		if v := c.get(rec, fieldPrefix+key); v != "" {
			if it.Fields == nil {
				it.Fields = map[string]string{}
			}
			it.Fields[key] = v
		}
	}
	return it, errs, nil
}

// parseYesNo reads yes/no, true/false, 1/0 and oui/non.
func parseYesNo(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "1", "oui", "y":
		return true, true
	case "no", "false", "0", "non", "n":
		return false, true
	}
	return false, false
}

// problem is what is wrong with one cell: its English text and the catalog
// key that translates it. The zero problem is none.
type problem struct{ key, msg string }

// The problems a row's cells can have.
var (
	problemCells     = problem{"import.error.row_cells", "this row has more cells than the header has columns"}
	problemMoney     = problem{"import.error.money", "not an amount like 12.50"}
	problemWhole     = problem{"import.error.not_whole", "not a whole number"}
	problemYesNo     = problem{"import.error.yes_no", "not yes or no"}
	problemNotFound  = problem{"import.error.not_found", "not found: give its name or its path, like A › B"}
	problemAmbiguous = problem{"import.error.ambiguous", "several have this name: give the path, like A › B"}
	problemNoMember  = problem{"import.error.no_member", "no member has this username"}
)
