package handlers

import (
	"errors"
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
	MaxDays, Deposit                                            string
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
		Deposit: get("deposit"), Owner: get("owner"), Group: get("group"), Place: get("place_id"), Kit: get("kit"),
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

// fieldErr is an EINVALID already translated, naming the input at
// fault so that the form can mark it.
type fieldErr struct {
	err   *shrooms.Error
	Field string
}

func (e *fieldErr) Error() string { return e.err.Error() }
func (e *fieldErr) Unwrap() error { return e.err }

func fieldError(field, msg string) error {
	return &fieldErr{err: shrooms.Errorf(shrooms.EINVALID, "%s", msg), Field: field}
}

// errorField is the input an error names, "" when it names none.
func errorField(err error) string {
	var fe *fieldErr
	if errors.As(err, &fe) {
		return fe.Field
	}
	return shrooms.ErrorField(err)
}

// item builds the item the form describes, checking the shape of every
// value: numbers, money, IDs and the custom fields against defs. The
// errors are translated and name the input.
func (f *itemForm) item(defs []shrooms.CustomField, tr translator) (*shrooms.Item, error) {
	i := &shrooms.Item{Kind: shrooms.ItemKind(f.Kind), Name: f.Name, Description: f.Description,
		Condition: shrooms.Condition(f.Condition), Status: shrooms.ItemStatus(f.Status), Loanable: f.Loanable,
		Audience: shrooms.Audience(f.Audience)}
	if i.Name == "" {
		return nil, fieldError("name", tr("items.error.name_required"))
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
			return nil, fieldError(x.field, tr("items.error.choice"))
		}
	}
	if i.ValueCents, err = shrooms.ParseMoney(f.Value); err != nil {
		return nil, fieldError("value", tr("items.error.money", "Field", tr("items.field.value")))
	}
	if i.Loan.DepositCents, err = shrooms.ParseMoney(f.Deposit); err != nil {
		return nil, fieldError("deposit", tr("items.error.money", "Field", tr("items.field.deposit")))
	}
	if i.Loan.MaxDays, err = parseCount(f.MaxDays, shrooms.MaxLoanDays); err != nil {
		return nil, fieldError("max_days", tr("items.error.count", "Field", tr("items.field.max_days"), "Max", shrooms.MaxLoanDays))
	}
	i.Loan.Members, i.Loan.Partners = f.LoanMembers, f.LoanPartners
	if i.Kind == shrooms.KindPart {
		n, err := parseCount(f.Quantity, shrooms.MaxQuantity)
		if err != nil {
			return nil, fieldError("quantity", tr("items.error.count", "Field", tr("items.field.quantity"), "Max", shrooms.MaxQuantity))
		}
		i.Quantity = int64(n)
		if n, err = parseCount(f.MinQuantity, shrooms.MaxQuantity); err != nil {
			return nil, fieldError("min_quantity", tr("items.error.count", "Field", tr("items.field.min_quantity"), "Max", shrooms.MaxQuantity))
		}
		i.MinQuantity, i.Unit = int64(n), f.Unit
	}
	if i.Fields, err = customValues(defs, f.Fields, tr); err != nil {
		return nil, err
	}
	return i, nil
}

// customValues checks the custom field values against their definitions
// and returns them normalised. An unticked yes/no box is "false".
func customValues(defs []shrooms.CustomField, typed map[string]string, tr translator) (map[string]string, error) {
	out := map[string]string{}
	for _, d := range defs {
		v := typed[d.Key]
		if d.Type == shrooms.FieldBool && v == "" {
			v = "false"
		}
		n, err := d.NormalizeField(v)
		if err != nil {
			key := "items.error.field_" + string(d.Type)
			if strings.TrimSpace(v) == "" {
				key = "items.error.field_required"
			}
			return nil, fieldError("field_"+d.Key, tr(key, "Label", d.Label, "Value", v, "Choices", strings.Join(d.Choices, ", ")))
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
