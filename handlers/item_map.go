package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemsMap is the map of the places holding the listed items, nil when
// none has a point. The map partial comes from the places pages.
func (s *server) itemsMap(items []*shrooms.Item) any {
	return nil
}

// itemMap is the map of one item's place, nil without a point.
func (s *server) itemMap(i *shrooms.Item) any {
	return nil
}

// selectMap is the map of the item form: clicking a place's marker
// selects it in the place list.
func (s *server) selectMap(places []*shrooms.Place) any {
	return nil
}

// itemStock is the stock panel of a part, from the stock pages.
func (s *server) itemStock(r *http.Request, i *shrooms.Item) any {
	return nil
}
