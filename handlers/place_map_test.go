package handlers

import (
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestTileOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://tile.openstreetmap.org/{z}/{x}/{y}.png":  "https://tile.openstreetmap.org",
		"https://{s}.tile.example.org/{z}/{x}/{y}.png":    "https://*.tile.example.org",
		"http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png":     "http://127.0.0.1:8080",
		"/tiles/{z}/{x}/{y}.png":                          "",
		"javascript://x/{z}/{x}/{y}":                      "",
		"https://evil.example; script-src *;/{z}/{x}/{y}": "",
		"": "",
	} {
		if got := tileOrigin(in); got != want {
			t.Errorf("tileOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMapView(t *testing.T) {
	s := &server{Deps: Deps{Map: MapConfig{TileURL: "https://t.example/{z}/{x}/{y}.png", MaxZoom: 18}}}
	noPoint := &shrooms.Place{ID: 1, Name: "Shelf"}
	shop := &shrooms.Place{ID: 2, Name: `Shop "A"`, HasPoint: true, Latitude: 48.5, Longitude: 2.25}
	if v := s.mapView(mapShow, noPoint, nil); v != nil {
		t.Errorf("no place with a point: %+v, want nil", v)
	}
	if v := s.mapView(mapPick); v == nil || v.JSON != "[]" {
		t.Errorf("pick without a point: %+v, want an empty map", v)
	}
	v := s.mapView(mapSelect, noPoint, shop, shop)
	if v == nil || len(v.Markers) != 1 || v.Markers[0].URL != "/places/2" || v.MaxZoom != 18 {
		t.Fatalf("select: %+v", v)
	}
	if !strings.Contains(v.JSON, `"lat":48.5`) || !strings.Contains(v.JSON, `"id":2`) {
		t.Errorf("markers JSON %s", v.JSON)
	}
}
