package shrooms

import (
	"context"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Audience says who may see a shared thing. Audiences are ordered: each
// one includes the ones after it in the list below.
type Audience string

// Audiences, from widest to narrowest.
const (
	AudiencePublic   Audience = "public"   // anyone, also the fediverse
	AudiencePartners Audience = "partners" // linked organisations and this node's members
	AudienceMembers  Audience = "members"  // this node's members
	AudienceStaff    Audience = "staff"    // this node's staff and admins
)

// Audiences lists every audience, widest first.
var Audiences = []Audience{AudiencePublic, AudiencePartners, AudienceMembers, AudienceStaff}

// ParseAudience returns EINVALID for an unknown audience.
func ParseAudience(s string) (Audience, error) {
	for _, a := range Audiences {
		if string(a) == strings.ToLower(strings.TrimSpace(s)) {
			return a, nil
		}
	}
	return "", Errorf(EINVALID, "audience %q must be public, partners, members or staff", s).Keyed("core.error.audience", "Value", s).On("audience")
}

func (a Audience) rank() int {
	for i, x := range Audiences {
		if x == a {
			return i
		}
	}
	return len(Audiences) // unknown: nobody
}

// Includes reports whether a viewer whose widest standing is v (public for
// an anonymous visitor, members for a member …) may see what a reaches.
func (a Audience) Includes(v Audience) bool { return v.rank() >= a.rank() }

// Address is a postal address of a member (or of a place).
type Address struct {
	ID         int64
	Label      string // "Home", "Work" …
	Street     string
	PostalCode string
	City       string
	Region     string
	Country    string
	Audience   Audience
}

// Validate checks an address's fields. Returns EINVALID naming the field.
func (a *Address) Validate() error {
	for name, v := range map[string]*string{"label": &a.Label, "street": &a.Street, "postal_code": &a.PostalCode,
		"city": &a.City, "region": &a.Region, "country": &a.Country} {
		*v = strings.TrimSpace(*v)
		if len([]rune(*v)) > 200 {
			return Errorf(EINVALID, "address %s: must be at most 200 characters", name).Keyed("profile.invalid.address_long", "Max", 200).On("addresses")
		}
	}
	if a.Street == "" && a.City == "" {
		return Errorf(EINVALID, "address: give at least a street or a city").Keyed("profile.invalid.address_empty").On("addresses")
	}
	if a.Audience == "" {
		a.Audience = AudienceStaff
	}
	if _, err := ParseAudience(string(a.Audience)); err != nil {
		return Errorf(EINVALID, "address audience: %s", ErrorMessage(err)).Keyed("profile.invalid.address_audience").On("addresses")
	}
	return nil
}

// Profile is what a member tells about themselves, and who sees each part.
// Name and avatar identify the member and are part of their public Person
// actor when AvatarAudience is public; the bio is the actor's summary when
// BioAudience is public.
type Profile struct {
	UserID   int64
	Username string
	Name     string
	Bio      string
	// AvatarID is a Media ID, 0 for none: an image the member uploaded.
	AvatarID     int64
	ContactEmail string
	Phone        string
	Website      string
	Addresses    []Address

	BioAudience     Audience
	AvatarAudience  Audience
	ContactAudience Audience
	UpdatedAt       time.Time
}

// Validate checks a profile's fields and fills default audiences. Returns
// EINVALID naming the field.
func (p *Profile) Validate() error {
	p.Name, p.Bio = strings.TrimSpace(p.Name), strings.TrimSpace(p.Bio)
	p.ContactEmail, p.Phone, p.Website = strings.TrimSpace(p.ContactEmail), strings.TrimSpace(p.Phone), strings.TrimSpace(p.Website)
	if len([]rune(p.Name)) > 100 {
		return Errorf(EINVALID, "name: must be at most 100 characters").Keyed("profile.invalid.name").On("name")
	}
	if len([]rune(p.Bio)) > 2000 {
		return Errorf(EINVALID, "bio: must be at most 2000 characters").Keyed("profile.invalid.bio").On("bio")
	}
	if p.ContactEmail != "" {
		if a, err := mail.ParseAddress(p.ContactEmail); err != nil || a.Address != p.ContactEmail {
			return Errorf(EINVALID, "contact_email: %q is not an e-mail address", p.ContactEmail).Keyed("profile.invalid.contact_email").On("contact_email")
		}
	}
	if len(p.Phone) > 40 {
		return Errorf(EINVALID, "phone: must be at most 40 characters").Keyed("profile.invalid.phone").On("phone")
	}
	if p.Website != "" {
		u, err := url.Parse(p.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p.Website) > 300 {
			return Errorf(EINVALID, "website: must be an http(s) address").Keyed("profile.invalid.website").On("website")
		}
	}
	if len(p.Addresses) > 10 {
		return Errorf(EINVALID, "addresses: at most 10").Keyed("profile.invalid.addresses").On("addresses")
	}
	for i := range p.Addresses {
		if err := p.Addresses[i].Validate(); err != nil {
			return err
		}
	}
	for name, a := range map[string]*Audience{"bio_audience": &p.BioAudience, "avatar_audience": &p.AvatarAudience, "contact_audience": &p.ContactAudience} {
		if *a == "" {
			*a = AudienceMembers
		}
		if _, err := ParseAudience(string(*a)); err != nil {
			e := Errorf(EINVALID, "%s: %s", name, ErrorMessage(err)).On(name)
			switch name { // literal keys, for the catalog test
			case "bio_audience":
				e.Keyed("profile.invalid.bio_audience")
			case "avatar_audience":
				e.Keyed("profile.invalid.avatar_audience")
			case "contact_audience":
				e.Keyed("profile.invalid.contact_audience")
			}
			return e
		}
	}
	return nil
}

// VisibleTo returns a copy of p with what a viewer of standing v may not
// see left out.
func (p *Profile) VisibleTo(v Audience) *Profile {
	out := *p
	if !p.BioAudience.Includes(v) {
		out.Bio = ""
	}
	if !p.AvatarAudience.Includes(v) {
		out.AvatarID = 0
	}
	if !p.ContactAudience.Includes(v) {
		out.ContactEmail, out.Phone, out.Website = "", "", ""
	}
	out.Addresses = nil
	for _, a := range p.Addresses {
		if a.Audience.Includes(v) {
			out.Addresses = append(out.Addresses, a)
		}
	}
	return &out
}

// StandingOf is the widest audience a principal belongs to, for profiles
// and other audience-marked things: staff for staff and admins, members
// for other local users, partners for partners, public for the rest.
func StandingOf(p Principal) Audience {
	switch {
	case p.System || p.User.IsStaff() && p.User.Active():
		return AudienceStaff
	case p.User.Active():
		return AudienceMembers
	case p.Partner:
		return AudiencePartners
	}
	return AudiencePublic
}

// ProfileFilter selects profiles for the member directory.
type ProfileFilter struct {
	Query  string
	Offset int
	Limit  int
}

// ProfileService manages member profiles. Profiles are records of the
// people module owned by their user.
type ProfileService interface {
	// FindProfile returns a user's profile as the caller in ctx may see
	// it: whole for the user and admins, cut by audience for others.
	// Returns ENOTFOUND (also when the people module is off for a caller
	// who is not the user nor an admin).
	FindProfile(ctx context.Context, userID int64) (*Profile, error)

	// FindProfiles lists active members' profiles for the directory, as
	// the caller may see them. Needs read access to the people module.
	FindProfiles(ctx context.Context, filter ProfileFilter) ([]*Profile, int, error)

	// UpdateProfile replaces a profile, for the user and admins, and
	// updates the public part of their Person actor (name, summary,
	// icon). A new avatar must be the member's own upload. Returns
	// EINVALID, ENOTFOUND.
	UpdateProfile(ctx context.Context, p *Profile) error
}
