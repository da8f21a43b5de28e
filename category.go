package shrooms

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Category groups items in a tree ("Tools › Power tools"). Each category
// defines the custom fields its items carry, on top of its ancestors'.
type Category struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Name     string `json:"name"`
	// Path is the names from the root, joined by " › "; Depth is 0 for a
	// root. Both are set by the store.
	Path   string        `json:"path"`
	Depth  int           `json:"depth"`
	Fields []CustomField `json:"fields"`
	// Items counts the items directly in the category (set by
	// FindCategories).
	Items int `json:"items"`
}

// Validate trims and checks the name. Returns EINVALID.
func (c *Category) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return Errorf(EINVALID, "name: required").Keyed("items.categories.error.name_required").On("name")
	}
	if utf8.RuneCountInString(c.Name) > 100 {
		return Errorf(EINVALID, "name: must be at most 100 characters").Keyed("items.categories.error.name_long").On("name")
	}
	if strings.Contains(c.Name, "›") {
		return Errorf(EINVALID, "name: must not contain ›").Keyed("items.categories.error.name_sign").On("name")
	}
	return nil
}

// FieldType is the type of a custom field's value.
type FieldType string

// Custom field types.
const (
	FieldText   FieldType = "text"
	FieldNumber FieldType = "number"
	FieldDate   FieldType = "date"
	FieldChoice FieldType = "choice"
	FieldBool   FieldType = "bool"
)

// FieldTypes lists every type, in form order.
var FieldTypes = []FieldType{FieldText, FieldNumber, FieldDate, FieldChoice, FieldBool}

// CustomField is a piece of data admins want about the items of a
// category ("which data we need about a part"): a wattage, a purchase
// date, a voltage among 110/230.
type CustomField struct {
	ID         int64 `json:"id"`
	CategoryID int64 `json:"category_id"`
	// Key names the value in Item.Fields, CSV columns and the API:
	// lower-case letters, digits and _.
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Choices  []string  `json:"choices,omitempty"`
	Required bool      `json:"required"`
}

var fieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks a field definition. Returns EINVALID naming the field.
func (f *CustomField) Validate() error {
	f.Key = strings.TrimSpace(f.Key)
	f.Label = strings.TrimSpace(f.Label)
	if !fieldKey.MatchString(f.Key) {
		return Errorf(EINVALID, "field key %q: use 1 to 40 lower-case letters, digits and _, starting with a letter", f.Key).Keyed("items.categories.error.field_key", "Key", f.Key).On("fields")
	}
	if f.Label == "" || utf8.RuneCountInString(f.Label) > 100 {
		return Errorf(EINVALID, "field %s: the label must have 1 to 100 characters", f.Key).Keyed("items.categories.error.field_label", "Key", f.Key).On("fields")
	}
	if !oneOf(f.Type, FieldTypes) {
		return Errorf(EINVALID, "field %s: type must be one of text, number, date, choice, bool", f.Key).Keyed("items.categories.error.field_type", "Key", f.Key).On("fields")
	}
	var choices []string
	for _, c := range f.Choices {
		if c = strings.TrimSpace(c); c != "" && !oneOf(c, choices) {
			choices = append(choices, c)
		}
	}
	f.Choices = choices
	if f.Type == FieldChoice && len(f.Choices) == 0 {
		return Errorf(EINVALID, "field %s: a choice needs at least one option", f.Key).Keyed("items.categories.error.field_choices", "Key", f.Key).On("fields")
	}
	if f.Type != FieldChoice {
		f.Choices = nil
	}
	return nil
}

// NormalizeField checks one value against its definition and returns it in
// canonical form: numbers as Go formats them, dates as 2006-01-02, yes/no
// as "true"/"false". An empty value is "" (EINVALID when required).
func (f *CustomField) NormalizeField(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if f.Required {
			return "", Errorf(EINVALID, "%s: required", f.Key).Keyed("items.error.field_required", "Label", f.Label).On("field_" + f.Key)
		}
		return "", nil
	}
	switch f.Type {
	case FieldText:
		if utf8.RuneCountInString(v) > 1000 {
			return "", Errorf(EINVALID, "%s: must be at most 1000 characters", f.Key).Keyed("items.error.field_text", "Label", f.Label).On("field_" + f.Key)
		}
		return v, nil
	case FieldNumber:
		n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil || n != n || n > 1e15 || n < -1e15 {
			return "", Errorf(EINVALID, "%s: %q is not a number", f.Key, v).Keyed("items.error.field_number", "Label", f.Label, "Value", v).On("field_" + f.Key)
		}
		return strconv.FormatFloat(n, 'f', -1, 64), nil
	case FieldDate:
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return "", Errorf(EINVALID, "%s: %q is not a date like 2026-01-31", f.Key, v).Keyed("items.error.field_date", "Label", f.Label, "Value", v).On("field_" + f.Key)
		}
		return d.Format("2006-01-02"), nil
	case FieldChoice:
		for _, c := range f.Choices {
			if strings.EqualFold(c, v) {
				return c, nil
			}
		}
		return "", Errorf(EINVALID, "%s: %q is not one of %s", f.Key, v, strings.Join(f.Choices, ", ")).Keyed("items.error.field_choice", "Label", f.Label, "Value", v, "Choices", strings.Join(f.Choices, ", ")).On("field_" + f.Key)
	case FieldBool:
		switch strings.ToLower(v) {
		case "true", "yes", "1", "on", "oui", "y":
			return "true", nil
		case "false", "no", "0", "off", "non", "n":
			return "false", nil
		}
		return "", Errorf(EINVALID, "%s: %q is not yes or no", f.Key, v).Keyed("items.error.field_bool", "Label", f.Label).On("field_" + f.Key)
	}
	return "", Errorf(EINVALID, "%s: unknown type", f.Key).Keyed("items.error.field_type", "Label", f.Label).On("field_" + f.Key)
}

// NormalizeFields checks every value against defs: unknown keys and bad
// values are EINVALID naming the key. Empty values are dropped.
func NormalizeFields(defs []CustomField, values map[string]string) (map[string]string, error) {
	byKey := map[string]*CustomField{}
	for i := range defs {
		byKey[defs[i].Key] = &defs[i]
	}
	for k := range values {
		if byKey[k] == nil {
			return nil, Errorf(EINVALID, "%s: no such field in this category", k).Keyed("items.error.field_unknown", "Key", k).On("fields")
		}
	}
	out := map[string]string{}
	for _, d := range defs {
		v, err := d.NormalizeField(values[d.Key])
		if err != nil {
			return nil, err
		}
		if v != "" {
			out[d.Key] = v
		}
	}
	return out, nil
}

// CategoryService manages categories and their custom fields. Members with
// inventory read access list them; inventory managers change categories;
// only admins define custom fields.
type CategoryService interface {
	// FindCategories returns every category in tree order (each parent
	// before its children, siblings by name), with its own fields.
	FindCategories(ctx context.Context) ([]*Category, error)

	// FindCategoryByID returns ENOTFOUND.
	FindCategoryByID(ctx context.Context, id int64) (*Category, error)

	// FindFieldsFor returns the fields of a category and its ancestors,
	// root first; none for id 0. Returns ENOTFOUND.
	FindFieldsFor(ctx context.Context, id int64) ([]CustomField, error)

	// CreateCategory and UpdateCategory return EINVALID, ENOTFOUND for an
	// unknown parent, ECONFLICT for a sibling with the same name or a
	// parent that would make a cycle, EFORBIDDEN.
	CreateCategory(ctx context.Context, c *Category) error
	UpdateCategory(ctx context.Context, c *Category) error

	// DeleteCategory removes an empty category. Returns ECONFLICT when it
	// has items or children, ENOTFOUND, EFORBIDDEN.
	DeleteCategory(ctx context.Context, id int64) error

	// SetCategoryFields replaces a category's own field definitions, in
	// order, for admins. A key may not repeat one of an ancestor's or a
	// descendant's (ECONFLICT). Values of removed keys stay on the items
	// but are no longer shown. Returns EINVALID naming the field.
	SetCategoryFields(ctx context.Context, id int64, fields []CustomField) error
}
