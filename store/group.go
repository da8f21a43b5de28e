package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	shrooms "github.com/shrooms-org/shrooms"
)

// findGroups loads the groups matching cond with their members, by name.
func findGroups(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]*shrooms.Group, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, description FROM groups`+where([]string{cond})+
		` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	var out []*shrooms.Group
	byID := map[int64]*shrooms.Group{}
	for rows.Next() {
		g := &shrooms.Group{MemberIDs: []int64{}}
		if err := rows.Scan(&g.ID, &g.Name, &g.Description); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find groups: %w", err)
		}
		out, byID[g.ID] = append(out, g), g
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT group_id, user_id FROM group_members ORDER BY group_id, user_id`)
	if err != nil {
		return nil, fmt.Errorf("find group members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var gid, uid int64
		if err := rows.Scan(&gid, &uid); err != nil {
			return nil, fmt.Errorf("find group members: %w", err)
		}
		if g := byID[gid]; g != nil {
			g.MemberIDs = append(g.MemberIDs, uid)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find group members: %w", err)
	}
	return out, nil
}

// FindGroups lists every group with its members' IDs, by name, for
// logged-in users. Returns EUNAUTHORIZED.
func (s *GroupService) FindGroups(ctx context.Context) ([]*shrooms.Group, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findGroups(ctx, tx, "1")
}

// FindGroupByID returns a group with its members' IDs, for logged-in
// users. Returns ENOTFOUND, EUNAUTHORIZED.
func (s *GroupService) FindGroupByID(ctx context.Context, id int64) (*shrooms.Group, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findGroupByID(ctx, tx, id)
}

func findGroupByID(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Group, error) {
	gs, err := findGroups(ctx, tx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, notFound("group %d not found", id).Keyed("admin.error.db_group_not_found")
	}
	return gs[0], nil
}

// CreateGroup creates a group with its members (g.MemberIDs), for admins,
// and sets g.ID. Returns EINVALID naming the field, ECONFLICT when the
// name is taken (in any case), ENOTFOUND for an unknown member,
// EUNAUTHORIZED, EFORBIDDEN.
func (s *GroupService) CreateGroup(ctx context.Context, g *shrooms.Group) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := g.Validate(); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO groups (name, description, created_at) VALUES (?, ?, ?)`,
		g.Name, g.Description, s.db.now().UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	if g.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert group: %w", err)
	}
	if g.MemberIDs, err = setGroupMembers(ctx, tx, g.ID, g.MemberIDs); err != nil {
		return err
	}
	return commit(tx)
}

// UpdateGroup changes a group's name and description, for admins; its
// members change with SetGroupMembers. Returns EINVALID, ECONFLICT,
// ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (s *GroupService) UpdateGroup(ctx context.Context, g *shrooms.Group) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := g.Validate(); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE groups SET name = ?, description = ? WHERE id = ?`, g.Name, g.Description, g.ID)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update group: %w", err)
	} else if n == 0 {
		return notFound("group %d not found", g.ID).Keyed("admin.error.db_group_not_found")
	}
	stored, err := findGroupByID(ctx, tx, g.ID)
	if err != nil {
		return err
	}
	g.MemberIDs = stored.MemberIDs
	return commit(tx)
}

// DeleteGroup deletes a group, its memberships and its grants, for
// admins. Returns ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (s *GroupService) DeleteGroup(ctx context.Context, id int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM grants WHERE group_id = ?`, `DELETE FROM group_members WHERE group_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete group: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete group: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete group: %w", err)
	} else if n == 0 {
		return notFound("group %d not found", id).Keyed("admin.error.db_group_not_found")
	}
	return commit(tx)
}

// SetGroupMembers replaces a group's members, for admins; repeated IDs
// count once. Returns ENOTFOUND for an unknown group or user,
// EUNAUTHORIZED, EFORBIDDEN.
func (s *GroupService) SetGroupMembers(ctx context.Context, id int64, userIDs []int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findGroupByID(ctx, tx, id); err != nil {
		return err
	}
	if _, err := setGroupMembers(ctx, tx, id, userIDs); err != nil {
		return err
	}
	return commit(tx)
}

// setGroupMembers replaces a group's members and returns them sorted.
func setGroupMembers(ctx context.Context, tx *sql.Tx, id int64, userIDs []int64) ([]int64, error) {
	ids := slices.Compact(slices.Sorted(slices.Values(userIDs)))
	if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ?`, id); err != nil {
		return nil, fmt.Errorf("set members: %w", err)
	}
	for _, uid := range ids {
		if _, err := findUserByID(ctx, tx, uid); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id) VALUES (?, ?)`, id, uid); err != nil {
			return nil, dbError(err, nil)
		}
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// FindGrants lists every grant, for logged-in users. Returns
// EUNAUTHORIZED.
func (s *GroupService) FindGrants(ctx context.Context) ([]shrooms.Grant, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findGrants(ctx, tx)
}

// SetGrants replaces every grant in one transaction, for admins, and sets
// their IDs. Returns EINVALID naming the bad grant (by its position from
// 1): a bad module, subject or access, an unknown group, or a second
// grant of one module to one subject; EUNAUTHORIZED, EFORBIDDEN.
func (s *GroupService) SetGrants(ctx context.Context, grants []shrooms.Grant) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type subject struct {
		module string
		role   shrooms.Role
		group  int64
	}
	seen := map[subject]bool{}
	for i := range grants {
		g := &grants[i]
		bad := func(err error) error {
			return rewrap(err, shrooms.EINVALID, "grants", "grant %d (%s): %s", i+1, g.Module, shrooms.ErrorMessage(err))
		}
		if err := g.Validate(); err != nil {
			return bad(err)
		}
		if g.Access&^shrooms.AccessReadWrite != 0 {
			return bad(shrooms.Errorf(shrooms.EINVALID, "access must be none, read or write").Keyed("admin.error.db_grant_access").On("access"))
		}
		if g.GroupID != 0 {
			if _, err := findGroupByID(ctx, tx, g.GroupID); shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
				return bad(shrooms.Errorf(shrooms.EINVALID, "group %d does not exist", g.GroupID).Keyed("admin.error.db_group_missing", "ID", g.GroupID).On("group").
					Keyed("admin.error.db_group_missing", "ID", g.GroupID).On("group"))
			} else if err != nil {
				return err
			}
		}
		subj := subject{g.Module, g.Role, g.GroupID}
		if seen[subj] {
			return bad(shrooms.Errorf(shrooms.EINVALID, "this module is already granted to this role or group").Keyed("admin.error.db_grant_twice"))
		}
		seen[subj] = true
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM grants`); err != nil {
		return fmt.Errorf("set grants: %w", err)
	}
	for i := range grants {
		g := &grants[i]
		var role, group any
		if g.Role != "" {
			role = string(g.Role)
		} else {
			group = g.GroupID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO grants (module, role, group_id, access) VALUES (?, ?, ?, ?)`,
			g.Module, role, group, int(g.Access))
		if err != nil {
			return dbError(err, nil)
		}
		if g.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert grant: %w", err)
		}
	}
	return commit(tx)
}
