package handlers

import (
	"context"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// pointOf is where a place shows on a map: the place itself when it has a
// point, else its nearest ancestor with one (shrooms.Place says so), nil
// when none has. byID holds the places the caller may see.
func pointOf(id int64, byID map[int64]*shrooms.Place) *shrooms.Place {
	for seen := 0; id != 0 && seen <= len(byID); seen++ { // seen bounds a corrupt cycle
		p := byID[id]
		if p == nil {
			return nil
		}
		if p.HasPoint {
			return p
		}
		id = p.ParentID
	}
	return nil
}

// placesByID indexes places by ID.
func placesByID(places []*shrooms.Place) map[int64]*shrooms.Place {
	m := make(map[int64]*shrooms.Place, len(places))
	for _, p := range places {
		m[p.ID] = p
	}
	return m
}

// orNil keeps a nil *mapView from becoming a non-nil interface.
func orNil(v *mapView) any {
	if v == nil {
		return nil
	}
	return v
}

// itemsMap is the map of the places holding the listed items, nil when
// none has a point. places are those the caller may see (FindPlaces).
func (s *server) itemsMap(items []*shrooms.Item, places []*shrooms.Place) any {
	byID := placesByID(places)
	var shown []*shrooms.Place
	for _, i := range items {
		if i.PlaceID != 0 {
			shown = append(shown, pointOf(i.PlaceID, byID))
		}
	}
	return orNil(s.mapView(mapShow, shown...))
}

// itemMap is the map of one item's place, or of its nearest ancestor with
// a point; nil when none has one or the caller may not see the places.
func (s *server) itemMap(ctx context.Context, i *shrooms.Item) any {
	if i.PlaceID == 0 {
		return nil
	}
	places, err := s.Places.FindPlaces(ctx)
	if err != nil {
		return nil // the map is an extra: the page shows the place's name anyway
	}
	return orNil(s.mapView(mapShow, pointOf(i.PlaceID, placesByID(places))))
}

// selectMap is the map of the item form: clicking a place's marker
// selects it in the place list.
func (s *server) selectMap(places []*shrooms.Place) any {
	return orNil(s.mapView(mapSelect, places...))
}

// itemStock is the stock panel of a part, from the stock pages.
func (s *server) itemStock(r *http.Request, i *shrooms.Item) any {
	if p := s.stockPanel(r, i); p != nil {
		return p
	}
	return nil // a nil *stockPanel would be a non-nil any: the page shows no panel
}
