package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemForm holds the item form's values as typed, so that a form sent
// back with an error shows them again.
type itemForm struct {
	Kind, Name, Description, Category, Condition, Value, Status string
	Loanable, LoanMembers, LoanPartners                         bool
	MaxDays, Deposit, Renewals                                  string
	Owner, Group, Place, Kit, Audience                          string
	Quantity, Unit, MinQuantity, Version                        string
	// Fields are the custom field values by key.
	Fields map[string]string
}

// newItemForm is the empty form: a tool, available, in good condition,
// for the inventory's default audience (st's, members when nil), lent to
// members when made loanable.
func newItemForm(st *shrooms.Settings) itemForm {
	audience := shrooms.AudienceMembers
	if st != nil {
		audience = st.DefaultAudience(shrooms.ItemModule(shrooms.KindTool))
	}
	return itemForm{Kind: string(shrooms.KindTool), Status: string(shrooms.StatusAvailable), Condition: string(shrooms.ConditionGood),
		Audience: string(audience), LoanMembers: true, Fields: map[string]string{}}
}

// itemFormOf fills the form from a stored item.
func itemFormOf(i *shrooms.Item) itemForm {
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	f := itemForm{Kind: string(i.Kind), Name: i.Name, Description: i.Description, Category: id(i.CategoryID),
		Condition: string(i.Condition), Value: centsText(i.ValueCents), Status: string(i.Status),
		Loanable: i.Loanable, LoanMembers: i.Loan.Members, LoanPartners: i.Loan.Partners,
		Deposit: centsText(i.Loan.DepositCents), Owner: id(i.OwnerID), Group: id(i.GroupID), Place: id(i.PlaceID),
		Kit: id(i.KitID), Audience: string(i.Audience), Quantity: strconv.FormatInt(i.Quantity, 10), Unit: i.Unit,
		MinQuantity: strconv.FormatInt(i.MinQuantity, 10), Version: strconv.FormatInt(i.Version, 10), Fields: map[string]string{}}
	if i.Loan.MaxDays > 0 {
		f.MaxDays = strconv.Itoa(i.Loan.MaxDays)
	}
	if i.Loan.Renewals != nil {
		f.Renewals = strconv.Itoa(*i.Loan.Renewals)
	}
	for k, v := range i.Fields {
		f.Fields[k] = v
	}
	return f
}

// readItemForm reads the form from a POST body or, when the category
// changes, from the query string the page's script sends.
func readItemForm(v url.Values) itemForm {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := itemForm{Kind: get("kind"), Name: get("name"), Description: get("description"), Category: get("category"),
		Condition: get("condition"), Value: get("value"), Status: get("status"), Loanable: get("loanable") != "",
		LoanMembers: get("loan_members") != "", LoanPartners: get("loan_partners") != "", MaxDays: get("max_days"),
		Renewals: get("renewals"), Deposit: get("deposit"), Owner: get("owner"), Group: get("group"), Place: get("place_id"), Kit: get("kit"),
		Audience: get("audience"), Quantity: get("quantity"), Unit: get("unit"), MinQuantity: get("min_quantity"),
		Version: get("version"), Fields: map[string]string{}}
	for k := range v {
		if key, ok := strings.CutPrefix(k, "field_"); ok {
			f.Fields[key] = get(k)
		}
	}
	return f
}

// translator translates a message key in the request's language.
type translator func(key string, args ...any) string

func (s *server) translator(r *http.Request) translator {
	lang := stateFrom(r.Context()).Lang
	return func(key string, args ...any) string { return s.pages.cat.translate(lang, key, args...) }
}

// item builds the item the form describes, checking the shape of every
// value: numbers, money, IDs and the custom fields against defs. The
// errors are keyed and name the input; tr translates the field names
// their text uses.
func (f *itemForm) item(defs []shrooms.CustomField, tr translator) (*shrooms.Item, error) {
	i := &shrooms.Item{Kind: shrooms.ItemKind(f.Kind), Name: f.Name, Description: f.Description,
		Condition: shrooms.Condition(f.Condition), Status: shrooms.ItemStatus(f.Status), Loanable: f.Loanable,
		Audience: shrooms.Audience(f.Audience)}
	if i.Name == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "name: required").Keyed("items.error.name_required").On("name")
	}
	var err error
	ids := []struct {
		v     string
		dst   *int64
		field string
	}{{f.Category, &i.CategoryID, "category"}, {f.Owner, &i.OwnerID, "owner"}, {f.Group, &i.GroupID, "group"},
		{f.Place, &i.PlaceID, "place_id"}, {f.Kit, &i.KitID, "kit"}}
	for _, x := range ids {
		if *x.dst, err = optionalID(x.v, x.field); err != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "%s: %q is not a valid choice", x.field, x.v).Keyed("items.error.choice").On(x.field)
		}
	}
	if i.ValueCents, err = shrooms.ParseMoney(f.Value); err != nil {
		return nil, moneyError("value", tr("items.field.value"))
	}
	if i.Loan.DepositCents, err = shrooms.ParseMoney(f.Deposit); err != nil {
		return nil, moneyError("deposit", tr("items.field.deposit"))
	}
	if i.Loan.MaxDays, err = parseCount(f.MaxDays, shrooms.MaxLoanDays); err != nil {
		return nil, countError("max_days", tr("items.field.max_days"), shrooms.MaxLoanDays)
	}
	if f.Renewals != "" {
		// Empty follows the organisation's rule; a number, even 0, is the
		// item's own.
		n, err := parseCount(f.Renewals, shrooms.MaxRenewals)
		if err != nil {
			return nil, countError("renewals", tr("items.field.renewals"), shrooms.MaxRenewals)
		}
		i.Loan.Renewals = &n
	}
	i.Loan.Members, i.Loan.Partners = f.LoanMembers, f.LoanPartners
	if i.Kind == shrooms.KindPart {
		n, err := parseCount(f.Quantity, shrooms.MaxQuantity)
		if err != nil {
			return nil, countError("quantity", tr("items.field.quantity"), shrooms.MaxQuantity)
		}
		i.Quantity = int64(n)
		if n, err = parseCount(f.MinQuantity, shrooms.MaxQuantity); err != nil {
			return nil, countError("min_quantity", tr("items.field.min_quantity"), shrooms.MaxQuantity)
		}
		i.MinQuantity, i.Unit = int64(n), f.Unit
	}
	if i.Fields, err = customValues(defs, f.Fields); err != nil {
		return nil, err
	}
	return i, nil
}

// moneyError refuses the amount typed in field, whose label is label.
func moneyError(field, label string) error {
	return shrooms.Errorf(shrooms.EINVALID, "%s: not an amount like 12.50", field).Keyed("items.error.money", "Field", label).On(field)
}

// countError refuses the number typed in field, whose label is label.
func countError(field, label string, most int) error {
	return shrooms.Errorf(shrooms.EINVALID, "%s: must be a whole number between 0 and %d", field, most).
		Keyed("items.error.count", "Field", label, "Max", most).On(field)
}

// customValues checks the custom field values against their definitions
// and returns them normalised, or the first value's keyed error naming
// its input. An unticked yes/no box is "false".
func customValues(defs []shrooms.CustomField, typed map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, d := range defs {
		v := typed[d.Key]
		if d.Type == shrooms.FieldBool && v == "" {
			v = "false"
		}
		n, err := d.NormalizeField(v)
		if err != nil {
			return nil, err
		}
		if n != "" {
			out[d.Key] = n
		}
	}
	return out, nil
}

// centsText writes cents as the form shows them: 12.50, "" for 0.
func centsText(c int64) string {
	if c == 0 {
		return ""
	}
	return shrooms.FormatMoney(c)
}

// parseCount reads a whole number between 0 and most; "" is 0.
func parseCount(v string, most int) (int, error) {
	if v = strings.TrimSpace(v); v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > most {
		return 0, shrooms.Errorf(shrooms.EINVALID, "not a count")
	}
	return n, nil
}
