package shrooms

import (
	"context"
	"math"
	"strings"
	"unicode/utf8"
)

// PlaceKind says what a place is.
type PlaceKind string

// Place kinds.
const (
	PlaceWorkshop PlaceKind = "workshop"
	PlaceStorage  PlaceKind = "storage"
	PlaceShelf    PlaceKind = "shelf"
	PlaceOther    PlaceKind = "other"
)

// PlaceKinds lists every kind, in form order.
var PlaceKinds = []PlaceKind{PlaceWorkshop, PlaceStorage, PlaceShelf, PlaceOther}

// Place is where things are: a workshop, a storage room, a shelf in it.
// Places form a tree; a place without coordinates shows on the map at its
// nearest ancestor's.
type Place struct {
	ID       int64     `json:"id"`
	ParentID int64     `json:"parent_id"`
	Kind     PlaceKind `json:"kind"`
	Name     string    `json:"name"`
	// Path is the names from the root, joined by " › "; Depth is 0 for a
	// root. Both are set by the store.
	Path        string `json:"path"`
	Depth       int    `json:"depth"`
	Description string `json:"description"`
	Street      string `json:"street"`
	PostalCode  string `json:"postal_code"`
	City        string `json:"city"`
	Country     string `json:"country"`
	// HasPoint says Latitude and Longitude are set (WGS 84 degrees).
	HasPoint  bool    `json:"has_point"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	// Public places are shown to anyone who sees an item there, and sent
	// with federated items; others only to members.
	Public bool `json:"public"`
	// Items counts the items directly there (set by FindPlaces).
	Items int `json:"items"`
}

// Validate trims and checks a place. Returns EINVALID naming the field.
func (p *Place) Validate() error {
	for name, v := range map[string]*string{"name": &p.Name, "street": &p.Street, "postal_code": &p.PostalCode,
		"city": &p.City, "country": &p.Country} {
		*v = strings.TrimSpace(*v)
		if utf8.RuneCountInString(*v) > 200 {
			if name == "name" {
				return Errorf(EINVALID, "name: must be at most 200 characters").Keyed("places.error.name_long").On(name)
			}
			return Errorf(EINVALID, "%s: must be at most 200 characters", name).Keyed("places.error.field_long", "Max", 200).On(name)
		}
	}
	p.Description = strings.TrimSpace(p.Description)
	if p.Kind == "" {
		p.Kind = PlaceOther
	}
	switch {
	case p.Name == "":
		return Errorf(EINVALID, "name: required").Keyed("places.error.name_required").On("name")
	case strings.Contains(p.Name, "›"):
		return Errorf(EINVALID, "name: must not contain ›").Keyed("places.error.name_sign").On("name")
	case utf8.RuneCountInString(p.Description) > 5000:
		return Errorf(EINVALID, "description: must be at most 5000 characters").Keyed("places.error.description_long").On("description")
	case !oneOf(p.Kind, PlaceKinds):
		return Errorf(EINVALID, "kind: must be one of workshop, storage, shelf, other").Keyed("places.error.kind").On("kind")
	}
	if !p.HasPoint {
		p.Latitude, p.Longitude = 0, 0
		return nil
	}
	if math.IsNaN(p.Latitude) || p.Latitude < -90 || p.Latitude > 90 {
		return Errorf(EINVALID, "latitude: must be between -90 and 90").Keyed("places.error.latitude").On("latitude")
	}
	if math.IsNaN(p.Longitude) || p.Longitude < -180 || p.Longitude > 180 {
		return Errorf(EINVALID, "longitude: must be between -180 and 180").Keyed("places.error.longitude").On("longitude")
	}
	return nil
}

// Address is the place's postal address on one line, "" when it has none.
func (p *Place) Address() string {
	var parts []string
	for _, s := range []string{p.Street, strings.TrimSpace(p.PostalCode + " " + p.City), p.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// PlaceService manages places. Members with locations read access see
// them all; locations managers change them. Anonymous visitors see only
// public places.
type PlaceService interface {
	// FindPlaces returns every place the caller may see in tree order
	// (each parent before its children, siblings by name).
	FindPlaces(ctx context.Context) ([]*Place, error)

	// FindPlaceByID returns ENOTFOUND.
	FindPlaceByID(ctx context.Context, id int64) (*Place, error)

	// CreatePlace and UpdatePlace return EINVALID, ENOTFOUND for an
	// unknown parent, ECONFLICT for a parent that would make a cycle,
	// EFORBIDDEN.
	CreatePlace(ctx context.Context, p *Place) error
	UpdatePlace(ctx context.Context, p *Place) error

	// DeletePlace removes a place without children or items. Returns
	// ECONFLICT, ENOTFOUND, EFORBIDDEN.
	DeletePlace(ctx context.Context, id int64) error
}
