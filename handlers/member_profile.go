package handlers

import (
	"net/http"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxAddressRows bounds the address rows a profile form is read for: the
// most a profile may have, and one empty row to add another.
const maxAddressRows = 11

// profileView is a profile page: the member's own (whole) or another's
// (as the viewer may see it).
type profileView struct {
	Profile *shrooms.Profile
	// Acct is the member's fediverse address, user@host.
	Acct string
	Own  bool
}

func (s *server) handleProfile(w http.ResponseWriter, r *http.Request) {
	u := stateFrom(r.Context()).User
	p, err := s.Profiles.FindProfile(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "profile", "profile.title", &profileView{Profile: p, Acct: u.Username + "@" + s.IRIs.Host(), Own: true})
}

// profileForm is what the profile form shows and reads back.
type profileForm struct {
	Name, Bio, ContactEmail, Phone, Website      string
	BioAudience, AvatarAudience, ContactAudience string
	AvatarID                                     int64
	RemoveAvatar                                 bool
	Addresses                                    []addressForm
	Acct                                         string
	Error                                        string
	// Field names the input the error is about ("website",
	// "address-2" …), to show it there too.
	Field string
}

// addressForm is one address row of the profile form.
type addressForm struct {
	Index                                                      int
	Label, Street, PostalCode, City, Region, Country, Audience string
	Remove                                                     bool
}

// Audiences are the choices of every audience select, widest first.
func (f *profileForm) Audiences() []shrooms.Audience { return shrooms.Audiences }

// ErrorFor returns the form's error when it is about field.
func (f *profileForm) ErrorFor(field string) string {
	if f.Field == field {
		return f.Error
	}
	return ""
}

// newProfileForm fills the form from a stored profile, with one empty
// address row to add another.
func newProfileForm(p *shrooms.Profile) *profileForm {
	f := &profileForm{Name: p.Name, Bio: p.Bio, ContactEmail: p.ContactEmail, Phone: p.Phone, Website: p.Website,
		BioAudience: string(p.BioAudience), AvatarAudience: string(p.AvatarAudience),
		ContactAudience: string(p.ContactAudience), AvatarID: p.AvatarID}
	for i, a := range p.Addresses {
		f.Addresses = append(f.Addresses, addressForm{Index: i, Label: a.Label, Street: a.Street, PostalCode: a.PostalCode,
			City: a.City, Region: a.Region, Country: a.Country, Audience: string(a.Audience)})
	}
	if len(f.Addresses) < maxAddressRows-1 {
		f.Addresses = append(f.Addresses, addressForm{Index: len(f.Addresses), Audience: string(shrooms.AudienceStaff)})
	}
	return f
}

// readProfileForm reads the posted form. Address rows are named
// address-N-FIELD; an empty row, or one marked for removal, is left out
// of the profile but kept in the form.
func readProfileForm(r *http.Request) *profileForm {
	f := &profileForm{Name: formValue(r, "name"), Bio: strings.TrimSpace(r.PostFormValue("bio")),
		ContactEmail: formValue(r, "contact_email"), Phone: formValue(r, "phone"), Website: formValue(r, "website"),
		BioAudience: formValue(r, "bio_audience"), AvatarAudience: formValue(r, "avatar_audience"),
		ContactAudience: formValue(r, "contact_audience"), RemoveAvatar: r.PostFormValue("remove_avatar") != ""}
	n, _ := strconv.Atoi(r.PostFormValue("address_count"))
	for i := 0; i < min(max(n, 0), maxAddressRows); i++ {
		field := func(name string) string { return formValue(r, "address-"+strconv.Itoa(i)+"-"+name) }
		f.Addresses = append(f.Addresses, addressForm{Index: i, Label: field("label"), Street: field("street"),
			PostalCode: field("postal_code"), City: field("city"), Region: field("region"), Country: field("country"),
			Audience: field("audience"), Remove: field("remove") != ""})
	}
	return f
}

// profile builds the profile to save; errField names the address row
// whose check failed.
func (f *profileForm) profile(userID int64, username string) (p *shrooms.Profile, errField string, err error) {
	p = &shrooms.Profile{UserID: userID, Username: username, Name: f.Name, Bio: f.Bio, AvatarID: f.AvatarID,
		ContactEmail: f.ContactEmail, Phone: f.Phone, Website: f.Website, BioAudience: shrooms.Audience(f.BioAudience),
		AvatarAudience: shrooms.Audience(f.AvatarAudience), ContactAudience: shrooms.Audience(f.ContactAudience)}
	for _, a := range f.Addresses {
		if a.Remove || a.Label+a.Street+a.PostalCode+a.City+a.Region+a.Country == "" {
			continue
		}
		addr := shrooms.Address{Label: a.Label, Street: a.Street, PostalCode: a.PostalCode, City: a.City,
			Region: a.Region, Country: a.Country, Audience: shrooms.Audience(a.Audience)}
		if err := addr.Validate(); err != nil {
			return nil, "address-" + strconv.Itoa(a.Index), err
		}
		p.Addresses = append(p.Addresses, addr)
	}
	return p, "", p.Validate()
}

// profileFields are the inputs a domain error can name in its Field:
// their errors show next to them, in the page's language.
var profileFields = map[string]bool{"name": true, "bio": true, "contact_email": true, "phone": true, "website": true,
	"addresses": true, "bio_audience": true, "avatar_audience": true, "contact_audience": true, "avatar": true}

func (s *server) handleProfileEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := stateFrom(ctx).User
	current, err := s.Profiles.FindProfile(ctx, u.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	acct := u.Username + "@" + s.IRIs.Host()
	if r.Method != http.MethodPost {
		f := newProfileForm(current)
		f.Acct = acct
		s.render(w, r, 0, "profile_edit", "profile.edit.title", f)
		return
	}
	f := readProfileForm(r)
	f.Acct, f.AvatarID = acct, current.AvatarID
	fail := func(field string, err error) {
		if name := shrooms.ErrorField(err); field == "" && profileFields[name] {
			field = name
		}
		if shrooms.ErrorCode(err) == shrooms.ETOOMANY {
			field = "" // not the picture's fault: say why
			setRetryAfter(w, err)
		}
		f.Field, f.Error = field, s.errorText(r, err)
		if strings.HasPrefix(field, "address-") {
			f.Error = s.tr(r, "profile.invalid.address")
		} else if field == "avatar" && shrooms.ErrorCode(err) == shrooms.ETOOLARGE {
			f.Error = s.tr(r, "profile.invalid.avatar_large") // also a small file with too many pixels
		} else if field != "" {
			f.Error = s.tr(r, "profile.invalid."+field)
		}
		s.render(w, r, statusOf(shrooms.ErrorCode(err)), "profile_edit", "profile.edit.title", f)
	}
	if f.RemoveAvatar {
		f.AvatarID = 0
	}
	p, field, err := f.profile(u.ID, u.Username)
	if err != nil {
		fail(field, err)
		return
	}
	// The image is stored only once the rest of the form is known to be
	// good, so that a refused form leaves no stray image behind.
	var avatar *shrooms.Media
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") { // else there is no file to read
		if avatar, err = s.readImage(r, "avatar", avatarSide); err != nil {
			fail("avatar", err)
			return
		}
	}
	if avatar != nil {
		if err := s.Media.CreateMedia(ctx, avatar); err != nil {
			fail("avatar", err)
			return
		}
		p.AvatarID = avatar.ID
	}
	if err := s.Profiles.UpdateProfile(ctx, p); err != nil {
		f.AvatarID = p.AvatarID
		fail("", err)
		return
	}
	s.redirect(w, r, "/profile", "profile.saved")
}
