package store

import (
	"context"
	"database/sql"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// orgHandleOverride words a taken handle or IRI of the Organization actor
// as a taken org_handle.
var orgHandleOverride = map[string]*shrooms.Error{
	"actors.handle": refusal("org_handle is taken").Keyed("admin.error.db_org_handle_taken").On("org_handle"),
	"actors.iri":    refusal("org_handle is taken").Keyed("admin.error.db_org_handle_taken").On("org_handle"),
}

// errSetupDone refuses a second run of the setup wizard.
func errSetupDone() error {
	return shrooms.Errorf(shrooms.ECONFLICT, "setup is already done").Keyed("core.error.db_setup_done")
}

// CompleteSetup applies the browser's first-run wizard in one
// transaction, only while the node has no active admin: the settings (and
// the Organization actor's name, summary and icon), an optional new
// organisation handle, and the first admin, active and verified. Anyone
// may call it while it is allowed: that is what the wizard is for.
// Returns ECONFLICT "setup is already done", "the organisation's handle
// can no longer change" once it has federated, or when a user has the
// handle; EINVALID naming the field ("admin …" for the admin's; "logo_id"
// unless the logo is the organisation's upload, which the wizard makes as
// the system).
func (s *SettingsService) CompleteSetup(ctx context.Context, in *shrooms.Setup) (*shrooms.User, error) {
	// Refuse early, before the slow key generation and bcrypt.
	if needs, err := s.NeedsSetup(ctx); err != nil {
		return nil, err
	} else if !needs {
		return nil, errSetupDone()
	}
	set := in.Settings
	if err := set.Validate(); err != nil {
		return nil, err
	}
	if in.OrgHandle != "" {
		if err := shrooms.ValidHandle(in.OrgHandle); err != nil {
			return nil, rewrap(err, shrooms.EINVALID, "org_handle", "org_handle: %s", shrooms.ErrorMessage(err))
		}
	}
	admin := in.Admin
	admin.Role, admin.Status, admin.Dashboard = shrooms.RoleAdmin, shrooms.StatusActive, nil
	actor, hash, err := s.db.newUserActor(&admin, in.Password)
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINVALID {
			return nil, rewrap(err, shrooms.EINVALID, shrooms.ErrorField(err), "admin %s", shrooms.ErrorMessage(err))
		}
		return nil, err
	}

	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if n, err := countActiveAdmins(ctx, tx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, errSetupDone()
	}
	if _, err := findSettings(ctx, tx); err != nil {
		return nil, err
	}
	// The wizard stores its logo as the organisation's (the system's
	// upload); whoever completes setup becomes admin and could read any
	// image anyway, but the logo is public.
	if err := requireLogo(ctx, tx, set.LogoID, true); err != nil {
		return nil, err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if in.OrgHandle != "" && in.OrgHandle != org.Handle {
		if err := s.db.renameOrg(ctx, tx, org, in.OrgHandle); err != nil {
			return nil, err
		}
	}
	if err := saveSettings(ctx, tx, &set); err != nil {
		return nil, err
	}
	if err := s.db.updateOrgActor(ctx, tx, &set); err != nil {
		return nil, err
	}
	admin.EmailVerifiedAt = s.db.now()
	if err := s.db.insertUser(ctx, tx, &admin, actor, hash); err != nil {
		if shrooms.ErrorCode(err) == shrooms.ECONFLICT && admin.Username == org.Handle {
			return nil, shrooms.Errorf(shrooms.ECONFLICT, "admin username is taken by the organisation").Keyed("account.error.db_username_org").On("username")
		}
		if shrooms.ErrorCode(err) == shrooms.ECONFLICT {
			return nil, rewrap(err, shrooms.ECONFLICT, shrooms.ErrorField(err), "admin %s", shrooms.ErrorMessage(err))
		}
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	in.Settings = set
	return &admin, nil
}

// renameOrg gives the Organization actor a new handle and the IRIs that
// go with it. Only an actor that never federated may change: once a
// follow exists in either direction or anything was written to its
// outbox, other servers know its IRI.
func (db *DB) renameOrg(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, handle string) error {
	var used int
	err := tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM follows WHERE follower_id = ?1 OR followee_id = ?1)
		OR EXISTS (SELECT 1 FROM outbox WHERE actor_id = ?1)`, org.ID).Scan(&used)
	if err != nil {
		return fmt.Errorf("check organisation: %w", err)
	}
	if used != 0 {
		return shrooms.Errorf(shrooms.ECONFLICT, "the organisation's handle can no longer change").Keyed("admin.error.db_org_handle_fixed").On("org_handle")
	}
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM actors WHERE local = 1 AND handle = ?`, handle).Scan(&taken); err != nil {
		return fmt.Errorf("check handle: %w", err)
	}
	if taken > 0 {
		return shrooms.Errorf(shrooms.ECONFLICT, "org_handle: %q is taken", handle).Keyed("admin.error.db_org_handle_taken", "Handle", handle).On("org_handle")
	}
	x := db.iris
	_, err = tx.ExecContext(ctx, `UPDATE actors SET handle = ?, iri = ?, url = ?, inbox = ?, outbox = ?,
		followers = ?, following = ?, key_id = ?, updated_at = ? WHERE id = ?`,
		handle, x.Actor(handle), x.Actor(handle), x.Inbox(handle), x.Outbox(handle),
		x.Followers(handle), x.Following(handle), x.Key(handle), db.now().UnixMilli(), org.ID)
	if err != nil {
		return dbError(err, orgHandleOverride)
	}
	if err := putSetting(ctx, tx, settingOrgHandle, handle); err != nil {
		return err
	}
	org.Handle = handle
	return nil
}
