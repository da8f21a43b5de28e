package handlers

import (
	"encoding/json"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// Map modes: what the map of a page does (static/js/map.js reads them).
const (
	// mapShow shows markers whose popups link to the place pages.
	mapShow = "show"
	// mapSelect makes a click on a marker select its place in the page's
	// <select id="place_id">.
	mapSelect = "select"
	// mapPick makes a click on the map set the inputs #latitude and
	// #longitude; a marker shows the current point and follows typing.
	mapPick = "pick"
)

// mapView is what the "map" partial (templates/_map.html) renders: the
// tile server, the markers and the text list that is the accessible path.
type mapView struct {
	Mode        string
	Tiles       string
	Attribution string
	MaxZoom     int
	// Markers are the places with a point, in the order given; the
	// partial lists them as text too.
	Markers []mapMarker
	// JSON is Markers encoded for the data-markers attribute.
	JSON string
}

// mapMarker is one place on a map.
type mapMarker struct {
	ID   int64   `json:"id"`
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
	URL  string  `json:"url"`
}

// mapView builds the map of places for mode (mapShow, mapSelect or
// mapPick). Places without a point are skipped; nil places are ignored.
// It returns nil when no place has a point, except for mapPick, whose map
// is there to set the point.
func (s *server) mapView(mode string, places ...*shrooms.Place) *mapView {
	v := &mapView{Mode: mode, Tiles: s.Map.TileURL, Attribution: s.Map.Attribution, MaxZoom: s.Map.MaxZoom}
	if v.MaxZoom < 1 || v.MaxZoom > 22 {
		v.MaxZoom = 19
	}
	seen := map[int64]bool{}
	for _, p := range places {
		if p == nil || !p.HasPoint || (p.ID != 0 && seen[p.ID]) {
			continue
		}
		seen[p.ID] = true
		m := mapMarker{ID: p.ID, Name: p.Name, Lat: p.Latitude, Lng: p.Longitude}
		if p.ID != 0 {
			m.URL = "/places/" + strconv.FormatInt(p.ID, 10)
		}
		v.Markers = append(v.Markers, m)
	}
	if len(v.Markers) == 0 && mode != mapPick {
		return nil
	}
	b, _ := json.Marshal(v.Markers) // cannot fail: numbers and strings
	if v.Markers == nil {
		b = []byte("[]")
	}
	v.JSON = string(b)
	return v
}

// tileOrigin is the CSP source of a tile URL template such as
// "https://{s}.tile.example.org/{z}/{x}/{y}.png": its scheme and host, a
// {s} subdomain becoming "*". It is "" for a template that is not an
// absolute http(s) URL (config validation refuses those).
func tileOrigin(tiles string) string {
	scheme, rest, ok := strings.Cut(tiles, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	host = strings.ReplaceAll(host, "{s}", "*")
	if host == "" || strings.ContainsAny(host, "{}; '\"\\") {
		return ""
	}
	return scheme + "://" + host
}
