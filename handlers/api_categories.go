package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// categoryJSON is a category as the API shows it: fields is [], never
// null.
func categoryJSON(c *shrooms.Category) *shrooms.Category {
	if c.Fields == nil {
		c.Fields = []shrooms.CustomField{}
	}
	return c
}

// apiCategories lists every category in tree order, with its own fields.
func (s *server) apiCategories(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Categories.FindCategories(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, cs, len(cs), categoryJSON)
}

func (s *server) apiCategory(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeCategory(w, r, id, http.StatusOK)
}

// writeCategory answers with the category as stored.
func (s *server) writeCategory(w http.ResponseWriter, r *http.Request, id int64, status int) {
	c, err := s.Categories.FindCategoryByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, status, categoryJSON(c))
}

// apiCreateCategory creates a category: {"name", "parent_id"}. Its custom
// fields are set with PUT /categories/{id}/fields (admins).
func (s *server) apiCreateCategory(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ParentID int64  `json:"parent_id"`
		Name     string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	c := &shrooms.Category{ParentID: in.ParentID, Name: in.Name}
	if err := s.Categories.CreateCategory(r.Context(), c); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeCategory(w, r, c.ID, http.StatusCreated)
}

// apiUpdateCategory renames or moves a category.
func (s *server) apiUpdateCategory(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ParentID *int64  `json:"parent_id"`
		Name     *string `json:"name"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	c, err := s.Categories.FindCategoryByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	setIf(&c.ParentID, in.ParentID)
	setIf(&c.Name, in.Name)
	if err := s.Categories.UpdateCategory(r.Context(), c); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeCategory(w, r, id, http.StatusOK)
}

// customFieldInput is one field definition as PUT .../fields takes it.
type customFieldInput struct {
	Key      string            `json:"key"`
	Label    string            `json:"label"`
	Type     shrooms.FieldType `json:"type"`
	Choices  []string          `json:"choices"`
	Required bool              `json:"required"`
}

// apiSetCategoryFields replaces a category's own custom fields, in order
// (admins): {"fields": [...]}, [] for none.
func (s *server) apiSetCategoryFields(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Fields *[]customFieldInput `json:"fields"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err == nil && in.Fields == nil {
		err = shrooms.Errorf(shrooms.EINVALID, "fields: give the whole list of fields, [] for none").Keyed("items.categories.error.fields_list").On("fields")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	fields := make([]shrooms.CustomField, 0, len(*in.Fields))
	for _, f := range *in.Fields {
		fields = append(fields, shrooms.CustomField{CategoryID: id, Key: f.Key, Label: f.Label, Type: f.Type,
			Choices: f.Choices, Required: f.Required})
	}
	if err := s.Categories.SetCategoryFields(r.Context(), id, fields); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeCategory(w, r, id, http.StatusOK)
}
