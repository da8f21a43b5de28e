package shrooms

import (
	"strings"
	"testing"
)

// TestPlaceErrorsAreKeyed checks that every refusal of Place.Validate
// carries a catalog key and the field it concerns, so that no page has to
// read its English text.
func TestPlaceErrorsAreKeyed(t *testing.T) {
	long := strings.Repeat("a", 201)
	for _, tc := range []struct {
		p     Place
		field string
	}{
		{Place{}, "name"},
		{Place{Name: "a › b"}, "name"},
		{Place{Name: long}, "name"},
		{Place{Name: "Shed", City: long}, "city"},
		{Place{Name: "Shed", Kind: "castle"}, "kind"},
		{Place{Name: "Shed", HasPoint: true, Latitude: 91}, "latitude"},
		{Place{Name: "Shed", HasPoint: true, Longitude: 181}, "longitude"},
	} {
		err := tc.p.Validate()
		if ErrorKey(err) == "" || ErrorField(err) != tc.field {
			t.Errorf("%+v: %v has key %q and field %q, want a key and field %q", tc.p, err, ErrorKey(err), ErrorField(err), tc.field)
		}
	}
}
