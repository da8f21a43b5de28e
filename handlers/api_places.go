package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// placeInput is what POST and PATCH /places take; absent fields stay as
// they are on PATCH. Latitude and longitude set the point (both at once
// for a place without one); "has_point": false removes it.
type placeInput struct {
	ParentID    *int64             `json:"parent_id"`
	Kind        *shrooms.PlaceKind `json:"kind"`
	Name        *string            `json:"name"`
	Description *string            `json:"description"`
	Street      *string            `json:"street"`
	PostalCode  *string            `json:"postal_code"`
	City        *string            `json:"city"`
	Country     *string            `json:"country"`
	HasPoint    *bool              `json:"has_point"`
	Latitude    *float64           `json:"latitude"`
	Longitude   *float64           `json:"longitude"`
	Public      *bool              `json:"public"`
}

// apply sets the fields given on p. A point needs both coordinates
// unless p already has one; has_point false with coordinates is a
// contradiction. Returns EINVALID naming the field.
func (in *placeInput) apply(p *shrooms.Place) error {
	setIf(&p.ParentID, in.ParentID)
	setIf(&p.Kind, in.Kind)
	setIf(&p.Name, in.Name)
	setIf(&p.Description, in.Description)
	setIf(&p.Street, in.Street)
	setIf(&p.PostalCode, in.PostalCode)
	setIf(&p.City, in.City)
	setIf(&p.Country, in.Country)
	setIf(&p.Public, in.Public)
	coords := in.Latitude != nil || in.Longitude != nil
	switch {
	case in.HasPoint != nil && !*in.HasPoint:
		if coords {
			return shrooms.Errorf(shrooms.EINVALID, "has_point: false removes the point; give no latitude or longitude with it").Keyed("places.error.has_point").On("has_point")
		}
		p.HasPoint, p.Latitude, p.Longitude = false, 0, 0
	case coords:
		if !p.HasPoint && (in.Latitude == nil || in.Longitude == nil) {
			if in.Latitude == nil {
				return shrooms.Errorf(shrooms.EINVALID, "latitude: give it with the longitude").Keyed("places.error.latitude_alone").On("latitude")
			}
			return shrooms.Errorf(shrooms.EINVALID, "longitude: give it with the latitude").Keyed("places.error.longitude_alone").On("longitude")
		}
		p.HasPoint = true
		setIf(&p.Latitude, in.Latitude)
		setIf(&p.Longitude, in.Longitude)
	case in.HasPoint != nil && *in.HasPoint && !p.HasPoint:
		return shrooms.Errorf(shrooms.EINVALID, "latitude: give the latitude and longitude of the point").Keyed("places.error.point_missing").On("latitude")
	}
	return nil
}

// apiPlaces lists every place the caller may see, in tree order.
func (s *server) apiPlaces(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Places.FindPlaces(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ps, len(ps), func(p *shrooms.Place) *shrooms.Place { return p })
}

func (s *server) apiPlace(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writePlace(w, r, id, http.StatusOK)
}

// writePlace answers with the place as stored.
func (s *server) writePlace(w http.ResponseWriter, r *http.Request, id int64, status int) {
	p, err := s.Places.FindPlaceByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, status, p)
}

func (s *server) apiCreatePlace(w http.ResponseWriter, r *http.Request) {
	var in placeInput
	p := &shrooms.Place{}
	err := decodeJSON(r, &in)
	if err == nil {
		err = in.apply(p)
	}
	if err == nil {
		err = s.Places.CreatePlace(r.Context(), p)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writePlace(w, r, p.ID, http.StatusCreated)
}

// apiUpdatePlace changes the fields given and answers with the place.
func (s *server) apiUpdatePlace(w http.ResponseWriter, r *http.Request) {
	var in placeInput
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	p, err := s.Places.FindPlaceByID(r.Context(), id)
	if err == nil {
		err = in.apply(p)
	}
	if err == nil {
		err = s.Places.UpdatePlace(r.Context(), p)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writePlace(w, r, id, http.StatusOK)
}
