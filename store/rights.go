package store

import (
	"context"
	"database/sql"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// The rules of who may do what live in the root package (Principal and
// its methods); this file only loads what they need: the caller's groups,
// the grants and which modules are on.

// principal resolves the caller of ctx: the verified signer of a request
// from the network (remotePrincipal), the node itself for a system
// context, the user the context carries (as the session or token lookup
// loaded it) with their groups, or an anonymous visitor.
func principal(ctx context.Context, tx *sql.Tx) (shrooms.Principal, error) {
	if signer, ok := shrooms.RemoteSigner(ctx); ok {
		return remotePrincipal(ctx, tx, signer)
	}
	if shrooms.IsSystem(ctx) {
		return shrooms.Principal{System: true}, nil
	}
	u := shrooms.UserFromContext(ctx)
	if u == nil {
		return shrooms.Principal{}, nil
	}
	groups, err := userGroupIDs(ctx, tx, u.ID)
	if err != nil {
		return shrooms.Principal{}, err
	}
	return shrooms.Principal{User: u, Groups: groups}, nil
}

// userGroupIDs lists the groups a user belongs to.
func userGroupIDs(ctx context.Context, tx *sql.Tx, userID int64) ([]int64, error) {
	return queryColumn[int64](ctx, tx, "load groups",
		`SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id`, userID)
}

// requireAdmin resolves the caller and lets only admins and the system
// through (see Principal.RequireAdmin).
func requireAdmin(ctx context.Context, tx *sql.Tx) (shrooms.Principal, error) {
	p, err := principal(ctx, tx)
	if err != nil {
		return p, err
	}
	return p, p.RequireAdmin()
}

// readAsAdmin opens a read transaction for an admin or the system; for
// anyone else it returns requireAdmin's error and no transaction.
func (db *DB) readAsAdmin(ctx context.Context) (*sql.Tx, error) {
	return asAdmin(ctx, db.beginRead)
}

// writeAsAdmin opens a write transaction for an admin or the system; for
// anyone else it returns requireAdmin's error and no transaction.
func (db *DB) writeAsAdmin(ctx context.Context) (*sql.Tx, error) {
	return asAdmin(ctx, db.beginWrite)
}

func asAdmin(ctx context.Context, begin func(context.Context) (*sql.Tx, error)) (*sql.Tx, error) {
	tx, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := requireAdmin(ctx, tx); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// readAsUser opens a read transaction for a logged-in user or the system.
func (db *DB) readAsUser(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	p, err := principal(ctx, tx)
	if err == nil {
		err = requireUser(p)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// requireSelfOrAdmin resolves the caller and lets only the user userID,
// admins and the system through (see Principal.RequireSelfOrAdmin).
func requireSelfOrAdmin(ctx context.Context, tx *sql.Tx, userID int64) (shrooms.Principal, error) {
	p, err := principal(ctx, tx)
	if err != nil {
		return p, err
	}
	return p, p.RequireSelfOrAdmin(userID)
}

// requireUser lets through an active local user or the system: the
// finders for logged-in people only.
func requireUser(p shrooms.Principal) error {
	if p.System || p.User.Active() {
		return nil
	}
	return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("core.error.db_login_first")
}

// findGrants loads every grant, in ID order.
func findGrants(ctx context.Context, tx *sql.Tx) ([]shrooms.Grant, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, module, COALESCE(role, ''), COALESCE(group_id, 0), access
		FROM grants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	defer rows.Close()
	var out []shrooms.Grant
	for rows.Next() {
		var g shrooms.Grant
		var role string
		if err := rows.Scan(&g.ID, &g.Module, &role, &g.GroupID, &g.Access); err != nil {
			return nil, fmt.Errorf("load grants: %w", err)
		}
		g.Role = shrooms.Role(role)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	return out, nil
}

// moduleOn reports whether the admins turned module on.
func moduleOn(ctx context.Context, tx *sql.Tx, module string) (bool, error) {
	values, err := settingValues(ctx, tx)
	if err != nil {
		return false, err
	}
	s := settingsFrom(values)
	return s.HasModule(module), nil
}

// requireModule checks that p holds want in module: a module that is off
// is ENOTFOUND to everyone but the system, as if it did not exist; then
// Principal.CanModule decides.
func requireModule(ctx context.Context, tx *sql.Tx, p shrooms.Principal, module string, want shrooms.Access) error {
	if p.System {
		return nil
	}
	on, err := moduleOn(ctx, tx, module)
	if err != nil {
		return err
	}
	if !on {
		return notFound("module %s is off", module).Keyed("core.error.db_module_off", "Module", module)
	}
	grants, err := findGrants(ctx, tx)
	if err != nil {
		return err
	}
	return p.CanModule(grants, module, want)
}
