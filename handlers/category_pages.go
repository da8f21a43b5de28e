package handlers

import (
	"net/http"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// categoryPage is the category tree with its forms.
type categoryPage struct {
	itemRights
	Categories []*shrooms.Category
	// Name and Parent are the new category's form, shown again with Error;
	// Failed is the category whose form failed, 0 for the new one.
	Name, Parent string
	Failed       int64
	Error        string
}

// handleCategories shows the category tree with item counts.
func (s *server) handleCategories(w http.ResponseWriter, r *http.Request) {
	s.showCategories(w, r, &categoryPage{}, 0)
}

func (s *server) showCategories(w http.ResponseWriter, r *http.Request, d *categoryPage, status int) {
	d.itemRights = s.itemRights(r)
	var err error
	if d.Categories, err = s.Categories.FindCategories(r.Context()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, status, "categories", "items.categories.title", d)
}

// categoryFailed shows the tree again with the refused form's message:
// 422 for a bad name or parent, 409 for a clash, the error page else.
func (s *server) categoryFailed(w http.ResponseWriter, r *http.Request, d *categoryPage, err error) {
	status := http.StatusUnprocessableEntity
	switch shrooms.ErrorCode(err) {
	case shrooms.EINVALID, shrooms.ENOTFOUND:
	case shrooms.ECONFLICT:
		status = http.StatusConflict
	default:
		s.fail(w, r, err, 0)
		return
	}
	d.Error = s.errorText(r, err)
	s.showCategories(w, r, d, status)
}

// handleCategoryCreate creates a category under the chosen parent.
func (s *server) handleCategoryCreate(w http.ResponseWriter, r *http.Request) {
	d := &categoryPage{Name: formValue(r, "name"), Parent: formValue(r, "parent")}
	parent, err := optionalID(d.Parent, "parent")
	if err == nil {
		err = s.Categories.CreateCategory(r.Context(), &shrooms.Category{Name: d.Name, ParentID: parent})
	}
	if err != nil {
		s.categoryFailed(w, r, d, err)
		return
	}
	s.redirect(w, r, "/items/categories", "items.categories.created")
}

// handleCategoryUpdate renames a category and moves it under another.
func (s *server) handleCategoryUpdate(w http.ResponseWriter, r *http.Request) {
	c, err := s.Categories.FindCategoryByID(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &categoryPage{Failed: c.ID}
	c.Name = formValue(r, "name")
	if c.ParentID, err = optionalID(formValue(r, "parent"), "parent"); err == nil {
		err = s.Categories.UpdateCategory(r.Context(), c)
	}
	if err != nil {
		s.categoryFailed(w, r, d, err)
		return
	}
	s.redirect(w, r, "/items/categories", "form.saved")
}

// handleCategoryDelete removes an empty category.
func (s *server) handleCategoryDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Categories.DeleteCategory(r.Context(), pathID(r)); err != nil {
		if shrooms.ErrorCode(err) == shrooms.ECONFLICT {
			s.categoryFailed(w, r, &categoryPage{Failed: pathID(r)}, shrooms.Errorf(shrooms.ECONFLICT, "Only an empty category can be deleted: move its items and subcategories first.").Keyed("items.categories.error.not_empty"))
			return
		}
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/items/categories", "items.categories.deleted")
}

// fieldRow is one row of the custom fields table, as typed.
type fieldRow struct {
	Key, Label, Type, Choices string
	Required                  bool
}

// categoryFields is the custom fields page of a category.
type categoryFields struct {
	Category *shrooms.Category
	// Inherited are the fields of the ancestors, shown for reference.
	Inherited []shrooms.CustomField
	Rows      []fieldRow
	Types     []shrooms.FieldType
	Error     string
}

// emptyFieldRows is how many blank rows the table offers for new fields.
const emptyFieldRows = 3

// handleCategoryFields shows (GET) and replaces (POST) the custom fields
// of a category, for admins.
func (s *server) handleCategoryFields(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !stateFrom(ctx).User.IsAdmin() {
		s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "Only admins may open this page.").Keyed("core.error.admin_page"), 0)
		return
	}
	c, err := s.Categories.FindCategoryByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &categoryFields{Category: c, Types: shrooms.FieldTypes}
	all, err := s.Categories.FindFieldsFor(ctx, c.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, f := range all {
		if f.CategoryID != c.ID {
			d.Inherited = append(d.Inherited, f)
		}
	}
	status := 0
	if r.Method == http.MethodPost {
		fields, rows := readFieldRows(r)
		err := s.Categories.SetCategoryFields(ctx, c.ID, fields)
		if err == nil {
			s.redirect(w, r, "/items/categories/"+strconv.FormatInt(c.ID, 10)+"/fields", "form.saved")
			return
		}
		switch shrooms.ErrorCode(err) {
		case shrooms.EINVALID:
			status = http.StatusUnprocessableEntity
		case shrooms.ECONFLICT:
			status = http.StatusConflict
		default:
			s.fail(w, r, err, 0)
			return
		}
		d.Rows, d.Error = rows, s.errorText(r, err)
	} else {
		for _, f := range c.Fields {
			d.Rows = append(d.Rows, fieldRow{Key: f.Key, Label: f.Label, Type: string(f.Type), Choices: strings.Join(f.Choices, ", "), Required: f.Required})
		}
	}
	for range emptyFieldRows {
		d.Rows = append(d.Rows, fieldRow{Type: string(shrooms.FieldText)})
	}
	s.render(w, r, status, "category_fields", "items.fields.title", d)
}

// readFieldRows reads the table: rows ticked "remove" and blank rows are
// left out. It also returns the rows kept as typed, for the form.
func readFieldRows(r *http.Request) ([]shrooms.CustomField, []fieldRow) {
	n, _ := strconv.Atoi(r.PostFormValue("rows"))
	n = min(max(n, 0), 200)
	fields := []shrooms.CustomField{}
	var rows []fieldRow
	for i := range n {
		get := func(k string) string { return formValue(r, k+"_"+strconv.Itoa(i)) }
		row := fieldRow{Key: get("key"), Label: get("label"), Type: get("type"), Choices: get("choices"), Required: get("required") != ""}
		if get("remove") != "" || row.Key == "" && row.Label == "" {
			continue
		}
		rows = append(rows, row)
		f := shrooms.CustomField{Key: row.Key, Label: row.Label, Type: shrooms.FieldType(row.Type), Required: row.Required}
		if row.Choices != "" {
			f.Choices = strings.Split(row.Choices, ",")
		}
		fields = append(fields, f)
	}
	return fields, rows
}
