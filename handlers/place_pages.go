package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// placeItems is how many items a place's page lists; the catalogue
// filtered by the place shows them all.
const placeItems = 50

// placeList is the places page: the tree and a map of those with a point.
type placeList struct {
	Places []*shrooms.Place
	Map    *mapView
	// Manage: the caller may create and change places.
	Manage bool
}

// placePage is one place's page.
type placePage struct {
	Place    *shrooms.Place
	Parent   *shrooms.Place
	Children []*shrooms.Place
	Map      *mapView
	Items    []*shrooms.Item
	// ItemsTotal counts the items there and in the places inside it.
	ItemsTotal int
	// Inventory: the inventory module is on (the items are listed).
	Inventory bool
	Manage    bool
}

// canManagePlaces says whether the request's user has the locations
// module's write grant. The store decides again on every change.
func (s *server) canManagePlaces(r *http.Request) bool {
	return s.moduleAccess(r, "locations")&shrooms.AccessWrite != 0
}

// handlePlaces lists the places the caller may see, as a tree.
func (s *server) handlePlaces(w http.ResponseWriter, r *http.Request) {
	places, err := s.Places.FindPlaces(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &placeList{Places: places, Map: s.mapView(mapShow, places...), Manage: s.canManagePlaces(r)}
	s.render(w, r, 0, "places", "places.title", d)
}

// handlePlace shows a place: its facts, map, the places inside it and the
// first items there.
func (s *server) handlePlace(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.Places.FindPlaceByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	all, err := s.Places.FindPlaces(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &placePage{Place: p, Manage: s.canManagePlaces(r), Map: s.mapView(mapShow, p)}
	for _, c := range all {
		switch {
		case c.ParentID == p.ID:
			d.Children = append(d.Children, c)
		case c.ID == p.ParentID:
			d.Parent = c
		}
	}
	if stateFrom(ctx).Settings.HasModule("inventory") {
		d.Inventory = true
		d.Items, d.ItemsTotal, err = s.Items.FindItems(ctx, shrooms.ItemFilter{PlaceID: p.ID, Sort: shrooms.SortName, Limit: placeItems})
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	s.render(w, r, 0, "place", "places.place.title", d)
}
