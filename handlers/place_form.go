package handlers

import (
	"net/http"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// placeForm is the form creating or changing a place.
type placeForm struct {
	// Place is nil for a new place.
	Place *shrooms.Place
	// F holds the values as typed; Lat and Lng stay text so that a wrong
	// number comes back as typed.
	F        shrooms.Place
	Lat, Lng string
	// Parents are the places that may hold this one: never itself nor a
	// place inside it.
	Parents []*shrooms.Place
	Kinds   []shrooms.PlaceKind
	Map     *mapView
	Error   string
	// Field is the input the error concerns, marked invalid.
	Field string
}

// placeDelete is the confirmation before deleting a place.
type placeDelete struct {
	Place *shrooms.Place
	Error string
}

// handlePlaceNew shows and handles the new place form.
func (s *server) handlePlaceNew(w http.ResponseWriter, r *http.Request) {
	d := &placeForm{F: shrooms.Place{Kind: shrooms.PlaceStorage}}
	if r.Method != http.MethodPost {
		if !s.canManagePlaces(r) {
			s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not change places.").Keyed("places.error.forbidden"), 0)
			return
		}
		// "Add a place inside" links from a place page carry the parent.
		d.F.ParentID, _ = strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64)
		s.renderPlaceForm(w, r, 0, d)
		return
	}
	p, err := s.readPlaceForm(r, d)
	if err == nil {
		err = s.Places.CreatePlace(r.Context(), p)
	}
	if err != nil {
		s.placeFormError(w, r, d, err)
		return
	}
	s.redirect(w, r, placeURL(p.ID), "places.created")
}

// handlePlaceEdit shows and handles the form changing a place.
func (s *server) handlePlaceEdit(w http.ResponseWriter, r *http.Request) {
	old, err := s.Places.FindPlaceByID(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &placeForm{Place: old, F: *old}
	if r.Method != http.MethodPost {
		if !s.canManagePlaces(r) {
			s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not change places.").Keyed("places.error.forbidden"), 0)
			return
		}
		if old.HasPoint {
			d.Lat, d.Lng = formatCoord(old.Latitude), formatCoord(old.Longitude)
		}
		s.renderPlaceForm(w, r, 0, d)
		return
	}
	p, err := s.readPlaceForm(r, d)
	if err == nil {
		p.ID = old.ID
		err = s.Places.UpdatePlace(r.Context(), p)
	}
	if err != nil {
		s.placeFormError(w, r, d, err)
		return
	}
	s.redirect(w, r, placeURL(p.ID), "places.saved")
}

// handlePlaceDelete asks for a confirmation (GET), then deletes (POST). A
// place with items or places inside it stays: the page says so (409).
func (s *server) handlePlaceDelete(w http.ResponseWriter, r *http.Request) {
	p, err := s.Places.FindPlaceByID(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if r.Method != http.MethodPost {
		if !s.canManagePlaces(r) {
			s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not change places.").Keyed("places.error.forbidden"), 0)
			return
		}
		s.render(w, r, 0, "place_delete", "places.delete.title", &placeDelete{Place: p})
		return
	}
	if err := s.Places.DeletePlace(r.Context(), p.ID); err != nil {
		if shrooms.ErrorCode(err) == shrooms.ECONFLICT {
			s.render(w, r, http.StatusConflict, "place_delete", "places.delete.title", &placeDelete{Place: p, Error: s.errorText(r, err)})
			return
		}
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/places", "places.deleted")
}

// readPlaceForm reads the posted fields into d.F (for showing them again)
// and returns the place to save, or EINVALID with the status to answer
// (422) when a field has the wrong shape.
func (s *server) readPlaceForm(r *http.Request, d *placeForm) (*shrooms.Place, error) {
	f := &d.F
	f.Name, f.Description = formValue(r, "name"), formValue(r, "description")
	f.Kind = shrooms.PlaceKind(formValue(r, "kind"))
	f.Street, f.PostalCode = formValue(r, "street"), formValue(r, "postal_code")
	f.City, f.Country = formValue(r, "city"), formValue(r, "country")
	f.Public = formValue(r, "public") != ""
	d.Lat, d.Lng = formValue(r, "latitude"), formValue(r, "longitude")
	parent := formValue(r, "parent_id")
	f.ParentID = 0
	if parent != "" {
		id, err := strconv.ParseInt(parent, 10, 64)
		if err != nil || id < 0 {
			return nil, shrooms.Errorf(shrooms.EINVALID, "parent: unknown place").Keyed("places.error.parent_unknown").On("parent")
		}
		f.ParentID = id
	}
	f.HasPoint, f.Latitude, f.Longitude = false, 0, 0
	switch {
	case d.Lat == "" && d.Lng == "":
	case d.Lat == "" || d.Lng == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "coordinates: give both latitude and longitude, or neither").Keyed("places.error.coordinates").On("latitude")
	default:
		lat, err1 := parseCoord(d.Lat)
		lng, err2 := parseCoord(d.Lng)
		if err1 != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "latitude: must be between -90 and 90").Keyed("places.error.latitude").On("latitude")
		}
		if err2 != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "longitude: must be between -180 and 180").Keyed("places.error.longitude").On("longitude")
		}
		f.HasPoint, f.Latitude, f.Longitude = true, lat, lng
	}
	p := *f
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// placeFormError shows the form again with the values typed and the
// error: 422 for a field of the wrong shape, else the error's status.
func (s *server) placeFormError(w http.ResponseWriter, r *http.Request, d *placeForm, err error) {
	switch shrooms.ErrorCode(err) {
	case shrooms.EINVALID:
	case shrooms.ECONFLICT, shrooms.ENOTFOUND:
		// A parent that is gone or would make a cycle: the form can fix it.
		if shrooms.ErrorField(err) != "parent" {
			s.fail(w, r, err, 0)
			return
		}
	default:
		s.fail(w, r, err, 0)
		return
	}
	d.Error, d.Field = s.errorText(r, err), shrooms.ErrorField(err)
	s.renderPlaceForm(w, r, http.StatusUnprocessableEntity, d)
}

// renderPlaceForm fills the parent choices and the map, then renders.
func (s *server) renderPlaceForm(w http.ResponseWriter, r *http.Request, status int, d *placeForm) {
	all, err := s.Places.FindPlaces(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Parents = parentChoices(all, d.Place)
	d.Kinds = shrooms.PlaceKinds
	// The pick map starts at the point typed, else at the parent's.
	var at []*shrooms.Place
	if lat, err1 := parseCoord(d.Lat); err1 == nil {
		if lng, err2 := parseCoord(d.Lng); err2 == nil {
			at = append(at, &shrooms.Place{Name: d.F.Name, HasPoint: true, Latitude: lat, Longitude: lng})
		}
	}
	for _, p := range all {
		if p.ID == d.F.ParentID {
			at = append(at, p)
		}
	}
	d.Map = s.mapView(mapPick, at...)
	title := "places.new.title"
	if d.Place != nil {
		title = "places.edit.title"
	}
	s.render(w, r, status, "place_form", title, d)
}

// parentChoices is the places that may hold self: all but self and the
// places inside it (the list is in tree order, so those follow self with
// a greater depth).
func parentChoices(all []*shrooms.Place, self *shrooms.Place) []*shrooms.Place {
	if self == nil {
		return all
	}
	out := make([]*shrooms.Place, 0, len(all))
	skipping := false
	for _, p := range all {
		if skipping && p.Depth > self.Depth {
			continue
		}
		skipping = p.ID == self.ID
		if !skipping {
			out = append(out, p)
		}
	}
	return out
}

// parseCoord reads a coordinate in decimal degrees; a comma works as the
// decimal sign too, as French keyboards type it.
func parseCoord(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err != nil || v != v { // NaN
		return 0, shrooms.Errorf(shrooms.EINVALID, "not a number")
	}
	return v, nil
}

// formatCoord writes a coordinate with the precision the map sets (about
// 10 cm), without trailing zeros.
func formatCoord(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// placeURL is the address of a place's page.
func placeURL(id int64) string {
	return "/places/" + strconv.FormatInt(id, 10)
}
