package handlers

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestItemsMapUsesNearestAncestor: an item on a shelf without a point
// shows at the workshop that holds the shelf; items without a place, or
// in places the caller cannot see, add nothing.
func TestItemsMapUsesNearestAncestor(t *testing.T) {
	s := &server{Deps: Deps{Map: MapConfig{TileURL: "https://t.example/{z}/{x}/{y}.png", MaxZoom: 19}}}
	shop := &shrooms.Place{ID: 1, Name: "Workshop", HasPoint: true, Latitude: 48.5, Longitude: 2.25}
	room := &shrooms.Place{ID: 2, ParentID: 1, Name: "Back room"}
	shelf := &shrooms.Place{ID: 3, ParentID: 2, Name: "Shelf"}
	loop := &shrooms.Place{ID: 4, ParentID: 5, Name: "Loop"}
	loop2 := &shrooms.Place{ID: 5, ParentID: 4, Name: "Loop 2"}
	places := []*shrooms.Place{shop, room, shelf, loop, loop2}
	items := []*shrooms.Item{{PlaceID: 3}, {PlaceID: 2}, {PlaceID: 0}, {PlaceID: 99}, {PlaceID: 4}}
	v, _ := s.itemsMap(items, places).(*mapView)
	if v == nil || len(v.Markers) != 1 || v.Markers[0].ID != 1 || v.Markers[0].URL != "/places/1" {
		t.Fatalf("itemsMap = %+v, want the workshop once", v)
	}
	if m := s.itemsMap(items[2:], places); m != nil {
		t.Errorf("no place with a point: %#v, want a nil interface", m)
	}
	if m := s.selectMap([]*shrooms.Place{room, shelf}); m != nil {
		t.Errorf("selectMap without points: %#v, want nil", m)
	}
}
