package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Keys of the settings table.
const (
	settingPublicURL = "public_url"
	settingOrgHandle = "org_handle"
	settingName      = "name"
	settingModules   = "modules"
)

// Activity windows of NodeInfo's active user counts.
const (
	activeMonth    = 30 * 24 * time.Hour
	activeHalfyear = 180 * 24 * time.Hour
)

// parseModuleList validates a module list as shrooms.ParseModules does;
// an empty list means every module.
func parseModuleList(mods []string) ([]string, error) {
	out, err := shrooms.ParseModules(strings.Join(mods, ","))
	if err != nil {
		return nil, rewrap(err, shrooms.EINVALID, "modules", "modules: %s", shrooms.ErrorMessage(err))
	}
	return out, nil
}

// InitNode creates the node settings, the Organization actor (with a new
// key pair) and the optional first admin (active and verified) with its
// Person actor, in one transaction. It checks no rights: it is the node's
// first start. The node's public URL is the one the store was opened
// with; init.Node.PublicURL may repeat it or be empty. An empty module
// list enables every module. Returns ECONFLICT "node already initialised",
// EINVALID naming a bad field, ECONFLICT when the admin's username is the
// organisation's handle.
func (s *NodeService) InitNode(ctx context.Context, init shrooms.NodeInit) (*shrooms.Actor, error) {
	n := init.Node
	if n.PublicURL != "" {
		x, err := shrooms.NewIRIs(n.PublicURL)
		if err != nil {
			return nil, err
		}
		if x.Base != s.db.iris.Base {
			return nil, shrooms.Errorf(shrooms.EINVALID, "public_url: %q is not the configured public URL %q", n.PublicURL, s.db.iris.Base).Keyed("admin.error.db_public_url", "URL", n.PublicURL, "Base", s.db.iris.Base).On("public_url").
				Keyed("admin.error.db_public_url", "URL", n.PublicURL, "Base", s.db.iris.Base).On("public_url")
		}
	}
	if err := shrooms.ValidHandle(n.OrgHandle); err != nil {
		return nil, rewrap(err, shrooms.EINVALID, "org_handle", "org_handle: %s", shrooms.ErrorMessage(err))
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "name: is required").Keyed("admin.error.db_name_required").On("name")
	}
	mods, err := parseModuleList(n.Modules)
	if err != nil {
		return nil, err
	}
	var admin *shrooms.Actor
	var adminHash string
	if init.Admin != nil {
		if init.Admin.Role == "" {
			init.Admin.Role = shrooms.RoleAdmin
		}
		if init.Admin.Role != shrooms.RoleAdmin {
			return nil, shrooms.Errorf(shrooms.EINVALID, "admin role: must be admin").Keyed("admin.error.db_admin_role").On("role")
		}
		init.Admin.Status = shrooms.StatusActive
		if admin, adminHash, err = s.db.newUserActor(init.Admin, init.AdminPassword); err != nil {
			if shrooms.ErrorCode(err) == shrooms.EINVALID {
				return nil, rewrap(err, shrooms.EINVALID, shrooms.ErrorField(err), "admin %s", shrooms.ErrorMessage(err))
			}
			return nil, err
		}
	}
	orgName := init.OrgName
	if orgName == "" {
		orgName = n.Name
	}
	org := &shrooms.Actor{
		Kind:                      shrooms.KindOrganization,
		Handle:                    n.OrgHandle,
		Name:                      orgName,
		Summary:                   init.OrgSummary,
		ManuallyApprovesFollowers: init.ManuallyApprovesFollowers,
	}
	if err := s.db.prepareLocalActor(org); err != nil {
		return nil, err
	}

	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = ?`, settingPublicURL).Scan(&exists); err != nil {
		return nil, fmt.Errorf("check node: %w", err)
	}
	if exists > 0 {
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "node already initialised").Keyed("core.error.db_node_initialised")
	}
	settings := [][2]string{
		{settingPublicURL, s.db.iris.Base},
		{settingOrgHandle, n.OrgHandle},
		{settingName, n.Name},
		{settingModules, strings.Join(mods, ",")},
	}
	for _, kv := range settings {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return nil, dbError(err, nil)
		}
	}
	if err := s.db.insertLocalActor(ctx, tx, org, orgHandleOverride); err != nil {
		return nil, err
	}
	if init.Admin != nil {
		init.Admin.EmailVerifiedAt = s.db.now()
		if err := s.db.insertUser(ctx, tx, init.Admin, admin, adminHash); err != nil {
			if shrooms.ErrorCode(err) == shrooms.ECONFLICT && admin.Handle == org.Handle {
				return nil, shrooms.Errorf(shrooms.ECONFLICT, "admin username is taken by the organisation").Keyed("account.error.db_username_org").On("username").
					Keyed("account.error.db_username_org").On("username")
			}
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return org, nil
}

// findNode reads the settings, or ENOTFOUND before InitNode.
func findNode(ctx context.Context, tx *sql.Tx) (*shrooms.Node, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("find node: %w", err)
	}
	defer rows.Close()
	values := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("find node: %w", err)
		}
		values[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find node: %w", err)
	}
	if _, ok := values[settingPublicURL]; !ok {
		return nil, notFound("node is not initialised").Keyed("core.error.db_node_uninitialised")
	}
	n := &shrooms.Node{
		PublicURL: values[settingPublicURL],
		OrgHandle: values[settingOrgHandle],
		Name:      values[settingName],
		Modules:   []string{},
	}
	if m := values[settingModules]; m != "" {
		n.Modules = strings.Split(m, ",")
	}
	return n, nil
}

// FindNode returns the stored node, or ENOTFOUND before InitNode.
func (s *NodeService) FindNode(ctx context.Context) (*shrooms.Node, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findNode(ctx, tx)
}

// NodeStats returns the usage counts for NodeInfo: accounts, accounts
// active (an API request) in the last 30 and 180 days, and public outbox
// entries.
func (s *NodeService) NodeStats(ctx context.Context) (shrooms.NodeStats, error) {
	now := s.db.now()
	var stats shrooms.NodeStats
	err := s.db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM users),
		(SELECT COUNT(*) FROM users WHERE last_active_at >= ?),
		(SELECT COUNT(*) FROM users WHERE last_active_at >= ?),
		(SELECT COUNT(*) FROM outbox WHERE public = 1)`,
		now.Add(-activeMonth).UnixMilli(), now.Add(-activeHalfyear).UnixMilli(),
	).Scan(&stats.Users, &stats.ActiveMonth, &stats.ActiveHalfyear, &stats.LocalPosts)
	if err != nil {
		return stats, fmt.Errorf("node stats: %w", err)
	}
	return stats, nil
}
