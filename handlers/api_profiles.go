package handlers

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

type addressJSON struct {
	ID         int64  `json:"id,omitempty"`
	Label      string `json:"label"`
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	Region     string `json:"region"`
	Country    string `json:"country"`
	Audience   string `json:"audience"`
}

// profileJSON is a profile as the API shows it.
type profileJSON struct {
	UserID          int64         `json:"user_id"`
	Username        string        `json:"username"`
	Actor           string        `json:"actor"`
	Name            string        `json:"name"`
	Bio             string        `json:"bio"`
	AvatarID        int64         `json:"avatar_id"`
	AvatarURL       string        `json:"avatar_url,omitempty"`
	ContactEmail    string        `json:"contact_email"`
	Phone           string        `json:"phone"`
	Website         string        `json:"website"`
	Addresses       []addressJSON `json:"addresses"`
	BioAudience     string        `json:"bio_audience"`
	AvatarAudience  string        `json:"avatar_audience"`
	ContactAudience string        `json:"contact_audience"`
	UpdatedAt       *time.Time    `json:"updated_at,omitempty"`
}

// profileInput is what PUT /me/profile takes: the whole profile, without
// the fields the node sets.
type profileInput struct {
	Name            string        `json:"name"`
	Bio             string        `json:"bio"`
	AvatarID        int64         `json:"avatar_id"`
	ContactEmail    string        `json:"contact_email"`
	Phone           string        `json:"phone"`
	Website         string        `json:"website"`
	Addresses       []addressJSON `json:"addresses"`
	BioAudience     string        `json:"bio_audience"`
	AvatarAudience  string        `json:"avatar_audience"`
	ContactAudience string        `json:"contact_audience"`
}

func (s *server) mediaURL(id int64) string {
	if id == 0 {
		return ""
	}
	return s.IRIs.Base + "/media/" + strconv.FormatInt(id, 10)
}

func (s *server) toProfileJSON(p *shrooms.Profile) profileJSON {
	out := profileJSON{UserID: p.UserID, Username: p.Username, Actor: s.IRIs.Actor(p.Username), Name: p.Name, Bio: p.Bio,
		AvatarID: p.AvatarID, AvatarURL: s.mediaURL(p.AvatarID), ContactEmail: p.ContactEmail, Phone: p.Phone,
		Website: p.Website, Addresses: []addressJSON{}, BioAudience: string(p.BioAudience),
		AvatarAudience: string(p.AvatarAudience), ContactAudience: string(p.ContactAudience), UpdatedAt: optTime(p.UpdatedAt)}
	for _, a := range p.Addresses {
		out.Addresses = append(out.Addresses, addressJSON{ID: a.ID, Label: a.Label, Street: a.Street,
			PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country, Audience: string(a.Audience)})
	}
	return out
}

func (s *server) apiMyProfile(w http.ResponseWriter, r *http.Request) {
	s.writeProfile(w, r, userFrom(r.Context()).ID)
}

// writeProfile answers with a member's profile as stored and as the
// caller may see it.
func (s *server) writeProfile(w http.ResponseWriter, r *http.Request, userID int64) {
	p, err := s.Profiles.FindProfile(r.Context(), userID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, s.toProfileJSON(p))
}

// apiUpdateProfile replaces the caller's profile, addresses and
// audiences included, and answers with it as stored.
func (s *server) apiUpdateProfile(w http.ResponseWriter, r *http.Request) {
	var in profileInput
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	me := userFrom(r.Context())
	p := &shrooms.Profile{UserID: me.ID, Username: me.Username, Name: in.Name, Bio: in.Bio, AvatarID: in.AvatarID,
		ContactEmail: in.ContactEmail, Phone: in.Phone, Website: in.Website,
		BioAudience: shrooms.Audience(in.BioAudience), AvatarAudience: shrooms.Audience(in.AvatarAudience),
		ContactAudience: shrooms.Audience(in.ContactAudience)}
	for _, a := range in.Addresses {
		p.Addresses = append(p.Addresses, shrooms.Address{ID: a.ID, Label: a.Label, Street: a.Street,
			PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country, Audience: shrooms.Audience(a.Audience)})
	}
	if err := s.Profiles.UpdateProfile(r.Context(), p); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeProfile(w, r, me.ID)
}

// apiProfiles is the member directory, each profile as the caller may
// see it.
func (s *server) apiProfiles(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ps, total, err := s.Profiles.FindProfiles(r.Context(), shrooms.ProfileFilter{Query: r.URL.Query().Get("q"), Offset: offset, Limit: limit})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ps, total, s.toProfileJSON)
}

// apiProfile is one member's profile as the caller may see it: whole for
// the member and admins, cut by audience for others.
func (s *server) apiProfile(w http.ResponseWriter, r *http.Request) {
	u, err := s.Users.FindUserByUsername(r.Context(), mux.Vars(r)["username"])
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeProfile(w, r, u.ID)
}

// mediaUses are what an uploaded image may be for (?use=), and the side
// it is scaled to fit.
var mediaUses = map[string]int{"avatar": avatarSide, "logo": logoSide}

// apiCreateMedia stores an image sent as the raw body, re-encoded like a
// form upload, and answers with its id and address.
func (s *server) apiCreateMedia(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
	default:
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "Content-Type: must be image/png, image/jpeg, image/gif or image/webp").Keyed("core.error.image_content_type"), http.StatusUnsupportedMediaType)
		return
	}
	use := r.URL.Query().Get("use")
	if use == "" {
		use = "avatar"
	}
	side, ok := mediaUses[use]
	if !ok {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "use: must be avatar or logo").Keyed("profile.invalid.image_use").On("use"), 0)
		return
	}
	if r.ContentLength > maxUploadBytes {
		s.fail(w, r, shrooms.Errorf(shrooms.ETOOLARGE, "body: the image must be at most %d MB", maxUploadBytes>>20).Keyed("core.error.image_too_large", "Max", maxUploadBytes>>20).On("body"), 0)
		return
	}
	m, err := s.uploadBody(w, r, side)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Media.CreateMedia(r.Context(), m); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": m.ID, "url": s.mediaURL(m.ID),
		"content_type": m.ContentType, "width": m.Width, "height": m.Height})
}
