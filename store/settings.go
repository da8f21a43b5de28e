package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// Keys of the settings table added with the settings page; a missing key
// reads as the default Settings.Validate fills in.
const (
	settingDescription     = "description"
	settingPostalAddress   = "postal_address"
	settingLogoID          = "logo_id"
	settingPrimaryColor    = "primary_color"
	settingAccentColor     = "accent_color"
	settingCustomCSS       = "custom_css"
	settingSignupMode      = "signup_mode"
	settingDefaultLanguage = "default_language"
	// settingDefaultAudiences holds Settings.DefaultAudiences as a JSON
	// object, module to audience.
	settingDefaultAudiences = "default_audiences"
)

// settingValues reads the whole settings table.
func settingValues(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	values := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		values[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return values, nil
}

// settingsFrom builds Settings from the table's values, with defaults for
// the keys never written.
func settingsFrom(v map[string]string) *shrooms.Settings {
	s := &shrooms.Settings{
		Name:            v[settingName],
		Description:     v[settingDescription],
		PostalAddress:   v[settingPostalAddress],
		PrimaryColor:    v[settingPrimaryColor],
		AccentColor:     v[settingAccentColor],
		CustomCSS:       v[settingCustomCSS],
		SignupMode:      shrooms.SignupMode(v[settingSignupMode]),
		DefaultLanguage: v[settingDefaultLanguage],
	}
	s.LogoID, _ = strconv.ParseInt(v[settingLogoID], 10, 64)
	if m := v[settingModules]; m != "" {
		s.Modules = strings.Split(m, ",")
	}
	if s.PrimaryColor == "" {
		s.PrimaryColor = shrooms.DefaultPrimaryColor
	}
	if s.AccentColor == "" {
		s.AccentColor = shrooms.DefaultAccentColor
	}
	if s.SignupMode == "" {
		s.SignupMode = shrooms.SignupInvite
	}
	if s.DefaultLanguage == "" {
		s.DefaultLanguage = shrooms.Languages[0]
	}
	// A value that does not parse (never written by this code) reads as
	// no defaults rather than failing every page.
	if raw := v[settingDefaultAudiences]; raw != "" {
		_ = json.Unmarshal([]byte(raw), &s.DefaultAudiences)
	}
	return s
}

// findSettings reads the settings, or ENOTFOUND before InitNode. A logo
// that neither the organisation nor an admin uploaded reads as none
// (media_ref.go).
func findSettings(ctx context.Context, tx *sql.Tx) (*shrooms.Settings, error) {
	values, err := settingValues(ctx, tx)
	if err != nil {
		return nil, err
	}
	if _, ok := values[settingPublicURL]; !ok {
		return nil, notFound("node is not initialised").Keyed("core.error.db_node_uninitialised")
	}
	s := settingsFrom(values)
	if s.LogoID != 0 {
		if ok, err := logoOwned(ctx, tx, s.LogoID); err != nil {
			return nil, err
		} else if !ok {
			s.LogoID = 0
		}
	}
	return s, nil
}

// putSetting writes one key.
func putSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// saveSettings writes validated settings.
func saveSettings(ctx context.Context, tx *sql.Tx, s *shrooms.Settings) error {
	logo := ""
	if s.LogoID != 0 {
		logo = strconv.FormatInt(s.LogoID, 10)
	}
	audiences := ""
	if len(s.DefaultAudiences) > 0 {
		b, err := json.Marshal(s.DefaultAudiences) // map keys come out sorted
		if err != nil {
			return fmt.Errorf("write settings: %w", err)
		}
		audiences = string(b)
	}
	for _, kv := range [][2]string{
		{settingName, s.Name},
		{settingDescription, s.Description},
		{settingPostalAddress, s.PostalAddress},
		{settingLogoID, logo},
		{settingPrimaryColor, s.PrimaryColor},
		{settingAccentColor, s.AccentColor},
		{settingCustomCSS, s.CustomCSS},
		{settingSignupMode, string(s.SignupMode)},
		{settingModules, strings.Join(s.Modules, ",")},
		{settingDefaultLanguage, s.DefaultLanguage},
		{settingDefaultAudiences, audiences},
	} {
		if err := putSetting(ctx, tx, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// mediaURL is where handlers serve an image, "" for none.
func (db *DB) mediaURL(id int64) string {
	if id == 0 {
		return ""
	}
	return db.iris.Base + "/media/" + strconv.FormatInt(id, 10)
}

// updateOrgActor gives the Organization actor the settings' name,
// description and logo, the logo only when it counts (logoOwned); when
// one of them changed, partners and other followers get an Update of the
// organisation (changeLocalActor).
func (db *DB) updateOrgActor(ctx context.Context, tx *sql.Tx, s *shrooms.Settings) error {
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return err
	}
	owned, err := logoOwned(ctx, tx, s.LogoID)
	if err != nil {
		return err
	}
	icon := ""
	if owned {
		icon = db.mediaURL(s.LogoID)
	}
	return db.changeLocalActor(ctx, tx, org, func(a *shrooms.Actor) {
		a.Name, a.Summary, a.IconURL = s.Name, s.Description, icon
	})
}

// FindSettings returns the settings, with defaults for what was never
// set; anyone may read them. Returns ENOTFOUND before InitNode.
func (s *SettingsService) FindSettings(ctx context.Context) (*shrooms.Settings, error) {
	return s.db.readSettings(ctx)
}

// readSettings is FindSettings for the other services (CreateItem reads
// the default audience).
func (db *DB) readSettings(ctx context.Context) (*shrooms.Settings, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findSettings(ctx, tx)
}

// UpdateSettings validates and replaces the settings, for admins, and
// gives the Organization actor the name, description (as its summary)
// and logo (as its icon). The logo must be an image the caller uploaded
// (the organisation's for the system) or the one already set
// (media_ref.go). A module turned off keeps its data. Returns EINVALID
// naming the field, EUNAUTHORIZED, EFORBIDDEN.
func (s *SettingsService) UpdateSettings(ctx context.Context, set *shrooms.Settings) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := set.Validate(); err != nil {
		return err
	}
	if err := requireLogo(ctx, tx, set.LogoID, false); err != nil {
		return err
	}
	if _, err := findSettings(ctx, tx); err != nil {
		return err
	}
	if err := saveSettings(ctx, tx, set); err != nil {
		return err
	}
	if err := s.db.updateOrgActor(ctx, tx, set); err != nil {
		return err
	}
	return commit(tx)
}

// countActiveAdmins counts the accounts that make setup done.
func countActiveAdmins(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// NeedsSetup reports whether the node has no active admin yet; anyone
// may ask.
func (s *SettingsService) NeedsSetup(ctx context.Context) (bool, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	n, err := countActiveAdmins(ctx, tx)
	return n == 0, err
}
