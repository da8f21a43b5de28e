package handlers

import (
	"encoding/json"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestImportRowErrorsTranslate: a row error kept in a pending preview
// (a JSON round trip) shows in the reader's language by its key and
// args; one without a key keeps its English message: a message is never
// looked up by its text.
func TestImportRowErrorsTranslate(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	kept, err := json.Marshal([]shrooms.RowError{
		{Row: 2, Field: "place", Message: "place not found", Key: "items.error.db_place_missing"},
		{Row: 3, Field: "photos", Message: "at most 10 per item", Key: "items.error.photos", Args: []any{"Max", 10}},
		{Row: 4, Field: "value", Message: "not an amount like 12.50", Key: "import.error.money"},
		{Row: 5, Field: "value", Message: "not an amount like 12.50"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var errs []shrooms.RowError
	if err := json.Unmarshal(kept, &errs); err != nil {
		t.Fatal(err)
	}
	got := cat.rowErrors("fr", errs)
	want := []string{
		"Le lieu choisi n'existe pas (ou plus). Veuillez en choisir un autre.",
		"Un objet a au plus 10 photos.",
		"pas un montant comme 12,50",
		"not an amount like 12.50",
	}
	for i, w := range want {
		if got[i].Message != w || got[i].Row != errs[i].Row || got[i].Field != errs[i].Field {
			t.Errorf("row %d: %+v, want message %q", i, got[i], w)
		}
	}
	if m := cat.Missing(); len(m) != 0 {
		t.Errorf("missing keys %v", m)
	}
}
