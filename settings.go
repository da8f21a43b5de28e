package shrooms

import (
	"context"
	"regexp"
	"strings"
)

// ModuleDescriptions say in one line what each module does; the setup
// wizard and the modules page show them (translated by the interface).
var ModuleDescriptions = map[string]string{
	"people":        "Member directory and profiles that members show each other.",
	"inventory":     "Tools, devices, parts and kits, with photos and QR labels.",
	"stock":         "Spare parts with quantities, movements and low-stock alerts.",
	"loans":         "Lending items to members and to partners' members.",
	"repairs":       "Repair log with Open Repair Data fields and impact figures.",
	"events":        "Repair cafés, workshops and other events, with registration.",
	"projects":      "Projects with tasks, status and the members working on them.",
	"locations":     "Workshops, storage and shelves, with addresses and a map.",
	"dues":          "Membership fees, renewals, reminders and invoices as PDF.",
	"pages":         "A public site: Markdown pages and a blog.",
	"notifications": "E-mail and in-app notices of what concerns each member.",
}

// Settings are what admins set for the whole node: who the organisation is,
// how it looks, who may sign up, which modules are on.
type Settings struct {
	Name        string
	Description string
	// PostalAddress is the organisation's address, as lines of text.
	PostalAddress string
	// LogoID is a Media ID, 0 for none: an image the admin setting it
	// uploaded (the organisation's for the system and the setup wizard),
	// since the logo is public.
	LogoID int64
	// PrimaryColor and AccentColor are CSS hex colours, "#rrggbb".
	PrimaryColor string
	AccentColor  string
	// CustomCSS is served after the theme, as its own stylesheet.
	CustomCSS       string
	SignupMode      SignupMode
	Modules         []string
	DefaultLanguage string
	// DefaultAudiences is the audience a new record of each module gets
	// when its form or API call names none (inventory: members, unless
	// set). Keys are modules, values audiences.
	DefaultAudiences map[string]Audience
}

// DefaultAudience is the audience new records of module start with.
func (s *Settings) DefaultAudience(module string) Audience {
	if a, ok := s.DefaultAudiences[module]; ok && a != "" {
		return a
	}
	return AudienceMembers
}

// Default theme colours: a mushroom brown and a moss green that both keep
// a contrast of at least 4.5:1 with white text (WCAG AA).
const (
	DefaultPrimaryColor = "#7a4a24"
	DefaultAccentColor  = "#3f6b2a"
)

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// MaxCustomCSS is the largest custom stylesheet accepted, in bytes.
const MaxCustomCSS = 32 << 10

// Validate checks the settings and fills defaults. Returns EINVALID naming
// the field.
func (s *Settings) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len([]rune(s.Name)) > 100 {
		return Errorf(EINVALID, "name: must be 1 to 100 characters").Keyed("admin.error.org_name").On("name")
	}
	if len([]rune(s.Description)) > 2000 {
		return Errorf(EINVALID, "description: must be at most 2000 characters").Keyed("admin.error.org_description").On("description")
	}
	if len([]rune(s.PostalAddress)) > 500 {
		return Errorf(EINVALID, "postal_address: must be at most 500 characters").Keyed("admin.error.postal_address").On("postal_address")
	}
	if s.PrimaryColor == "" {
		s.PrimaryColor = DefaultPrimaryColor
	}
	if s.AccentColor == "" {
		s.AccentColor = DefaultAccentColor
	}
	if !hexColor.MatchString(s.PrimaryColor) {
		return Errorf(EINVALID, "primary_color: must look like #7a4a24").Keyed("admin.error.primary_color").On("primary_color")
	}
	if !hexColor.MatchString(s.AccentColor) {
		return Errorf(EINVALID, "accent_color: must look like #3f6b2a").Keyed("admin.error.accent_color").On("accent_color")
	}
	if len(s.CustomCSS) > MaxCustomCSS {
		return Errorf(EINVALID, "custom_css: must be at most %d bytes", MaxCustomCSS).Keyed("admin.error.custom_css_long", "Max", MaxCustomCSS).On("custom_css")
	}
	if strings.Contains(strings.ToLower(s.CustomCSS), "</style") {
		return Errorf(EINVALID, "custom_css: must not contain </style").Keyed("admin.error.custom_css_style").On("custom_css")
	}
	if s.SignupMode == "" {
		s.SignupMode = SignupInvite
	}
	if _, err := ParseSignupMode(string(s.SignupMode)); err != nil {
		return err
	}
	mods, err := ParseModules(strings.Join(s.Modules, ","))
	if err != nil {
		return Errorf(EINVALID, "modules: %s", ErrorMessage(err)).KeyedAs(err)
	}
	if len(s.Modules) == 0 {
		mods = nil // an explicit empty list: every module off
	}
	s.Modules = mods
	if s.DefaultLanguage == "" {
		s.DefaultLanguage = Languages[0]
	}
	if !IsLanguage(s.DefaultLanguage) {
		return Errorf(EINVALID, "default_language: must be one of %s", strings.Join(Languages, ", ")).Keyed("admin.error.default_language", "Languages", strings.Join(Languages, ", ")).On("default_language")
	}
	for m, a := range s.DefaultAudiences {
		if !oneOf(m, Modules) {
			return Errorf(EINVALID, "default_audiences: unknown module %q", m).Keyed("admin.error.default_audience_module", "Module", m).On("default_audiences")
		}
		if !oneOf(a, Audiences) {
			e := Errorf(EINVALID, "default_audiences: %s: must be one of public, partners, members, staff", m).On("default_audiences")
			switch m { // literal keys, for the catalog test
			case "inventory":
				return e.Keyed("partners.error.default_audience_inventory")
			case "stock":
				return e.Keyed("partners.error.default_audience_stock")
			}
			return e.Keyed("partners.error.default_audience", "Module", m)
		}
	}
	return nil
}

// HasModule reports whether a module is on.
func (s *Settings) HasModule(m string) bool {
	for _, x := range s.Modules {
		if x == m {
			return true
		}
	}
	return false
}

// Setup is what the browser's first-run wizard creates: the organisation's
// identity and settings, and the first admin.
type Setup struct {
	// OrgHandle may rename the organisation actor while it has never
	// federated (no follows, nothing in the outbox).
	OrgHandle string
	Settings  Settings
	Admin     User
	Password  string
}

// SettingsService reads and changes the node's settings.
type SettingsService interface {
	// FindSettings returns the settings; anyone may read them.
	FindSettings(ctx context.Context) (*Settings, error)

	// UpdateSettings replaces the settings, for admins, and updates the
	// Organization actor's name, summary and icon. A new logo must be the
	// caller's own upload. A module turned off keeps its data. Returns
	// EINVALID, EFORBIDDEN.
	UpdateSettings(ctx context.Context, s *Settings) error

	// NeedsSetup reports whether the node has no admin yet.
	NeedsSetup(ctx context.Context) (bool, error)

	// CompleteSetup applies the wizard, only while the node has no admin,
	// in one transaction. Returns ECONFLICT "setup is already done" or
	// when the handle can no longer change, EINVALID naming the field.
	CompleteSetup(ctx context.Context, s *Setup) (*User, error)
}

// Media is an uploaded image, already checked and re-encoded (which drops
// its metadata, the EXIF position included).
type Media struct {
	ID          int64
	ContentType string
	Width       int
	Height      int
	Data        []byte
	// OwnerID is the user who uploaded it, 0 for the organisation.
	OwnerID int64
}

// MaxMediaBytes is the largest stored image.
const MaxMediaBytes = 2 << 20

// MediaService stores images. An image is seen by whoever may see what
// rightfully points at it: the organisation's logo (an admin's or the
// organisation's upload) by everyone, an item's photo by whoever may read
// the item, an avatar (its member's upload) by its profile's avatar
// audience; its uploader and admins always see it. A record may point
// only at an image its rightful owner uploaded, so pointing at an image
// never shows it to more people.
type MediaService interface {
	// CreateMedia stores an image for the user in ctx (or the system).
	// Returns EINVALID, ETOOLARGE, EUNAUTHORIZED.
	CreateMedia(ctx context.Context, m *Media) error

	// FindMedia returns the image if the caller in ctx may see it, else
	// ENOTFOUND.
	FindMedia(ctx context.Context, id int64) (*Media, error)
}

// GroupService manages groups and the grants of modules to roles and
// groups, for admins (members may list groups).
type GroupService interface {
	// FindGroups lists groups with their members. Needs a logged-in user.
	FindGroups(ctx context.Context) ([]*Group, error)

	// FindGroupByID returns ENOTFOUND.
	FindGroupByID(ctx context.Context, id int64) (*Group, error)

	// CreateGroup, UpdateGroup and DeleteGroup are for admins. Names are
	// unique (ECONFLICT). Deleting a group leaves its records without one.
	CreateGroup(ctx context.Context, g *Group) error
	UpdateGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, id int64) error

	// SetGroupMembers replaces a group's members, for admins. Returns
	// ENOTFOUND for an unknown group or user.
	SetGroupMembers(ctx context.Context, id int64, userIDs []int64) error

	// FindGrants lists every grant. Needs a logged-in user.
	FindGrants(ctx context.Context) ([]Grant, error)

	// SetGrants replaces every grant, for admins. Returns EINVALID naming
	// the bad grant.
	SetGrants(ctx context.Context, grants []Grant) error
}
