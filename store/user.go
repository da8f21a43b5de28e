package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	shrooms "github.com/shrooms-org/shrooms"
)

// APITokenPrefix starts every API token secret, so that a leaked token is
// recognisable (secret scanners, logs).
const APITokenPrefix = "shr_"

// activityResolution is how stale users.last_active_at may get: an API
// request or a page view writes it at most once per interval, not on
// every request.
const activityResolution = time.Minute

// maxUserPage is the largest page of the admins' user list.
const maxUserPage = 100

// userOverride words a taken local handle as a taken username: users and
// the organisation share the local handle namespace, and a deleted
// user's handle stays taken.
var userOverride = map[string]*shrooms.Error{"actors.handle": constraintErrors["users.username"]}

const userColumns = `users.id, users.username, users.email, users.name, users.role, users.status,
	users.language, users.dashboard, users.actor_id, users.email_verified_at, users.last_active_at,
	users.created_at`

func scanUser(s scanner) (*shrooms.User, error) {
	var u shrooms.User
	var role, status string
	var dashboard sql.NullString
	var verified, active, created sql.NullInt64
	if err := s.Scan(&u.ID, &u.Username, &u.Email, &u.Name, &role, &status, &u.Language, &dashboard,
		&u.ActorID, &verified, &active, &created); err != nil {
		return nil, err
	}
	u.Role, u.Status = shrooms.Role(role), shrooms.UserStatus(status)
	u.EmailVerifiedAt, u.LastActiveAt, u.CreatedAt = fromMS(verified), fromMS(active), fromMS(created)
	if dashboard.Valid {
		if err := json.Unmarshal([]byte(dashboard.String), &u.Dashboard); err != nil {
			return nil, fmt.Errorf("user %d dashboard: %w", u.ID, err)
		}
		if u.Dashboard == nil {
			u.Dashboard = []string{} // "null" stored by hand: an empty layout, not the default
		}
	}
	return &u, nil
}

// dashboardValue is what the dashboard column keeps: NULL for the default
// layout, else a JSON array.
func dashboardValue(ids []string) (any, error) {
	if ids == nil {
		return nil, nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("encode dashboard: %w", err)
	}
	return string(b), nil
}

func findUser(ctx context.Context, tx *sql.Tx, what, cond string, args ...any) (*shrooms.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("%s not found", what).Keyed("account.error.db_user_not_found")
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

func findUserByID(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.User, error) {
	return findUser(ctx, tx, fmt.Sprintf("user %d", id), `id = ?`, id)
}

// bcryptCost is the default of Options.PasswordCost. The store's own
// tests lower it (export_test.go) for the databases they open without
// that option; the dummy hash of unknown logins uses the same cost as
// real hashes, so that both take the same time.
var bcryptCost = bcrypt.DefaultCost

// hashPassword bcrypts a password at the given cost, refusing what bcrypt
// cannot hash.
func hashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "", shrooms.Errorf(shrooms.EINVALID, "password: must be at most 72 bytes").Keyed("account.error.db_password_long").On("password")
	} else if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// actorName is the Person actor's name: the user's name, else the
// username.
func actorName(u *shrooms.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

// newUserActor validates u and prepares, outside any transaction, what
// creating it needs: the password hash and the Person actor with keys.
func (db *DB) newUserActor(u *shrooms.User, password string) (*shrooms.Actor, string, error) {
	u.Name = strings.TrimSpace(u.Name)
	if err := u.Validate(password); err != nil {
		return nil, "", err
	}
	hash, err := hashPassword(password, db.passwordCost)
	if err != nil {
		return nil, "", err
	}
	a := &shrooms.Actor{Kind: shrooms.KindPerson, Handle: u.Username, Name: actorName(u)}
	if err := db.prepareLocalActor(a); err != nil {
		return nil, "", err
	}
	return a, hash, nil
}

// insertUser stores a user and its prepared Person actor, with the
// status and verification time the caller set on u.
func (db *DB) insertUser(ctx context.Context, tx *sql.Tx, u *shrooms.User, a *shrooms.Actor, hash string) error {
	if err := db.insertLocalActor(ctx, tx, a, userOverride); err != nil {
		return err
	}
	dash, err := dashboardValue(u.Dashboard)
	if err != nil {
		return err
	}
	var verified any
	if !u.EmailVerifiedAt.IsZero() {
		verified = u.EmailVerifiedAt.UnixMilli()
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO users (username, email, name, role, status, language, dashboard,
		password_hash, actor_id, email_verified_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.Email, u.Name, string(u.Role), string(u.Status), u.Language, dash, hash, a.ID, verified,
		now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return dbError(err, userOverride)
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	u.ActorID, u.CreatedAt = a.ID, now
	return nil
}

// CreateUser creates an active, verified user and its Person actor (with
// a new key pair) in one transaction, for admins and the system, and sets
// u.ID, u.ActorID, u.Status, u.EmailVerifiedAt and u.CreatedAt. Returns
// EUNAUTHORIZED, EFORBIDDEN, EINVALID naming the field, ECONFLICT
// "username is taken" (also when the organisation or a deleted account
// had that handle) or "e-mail is taken".
func (s *UserService) CreateUser(ctx context.Context, u *shrooms.User, password string) error {
	if err := s.db.checkAdmin(ctx); err != nil {
		return err
	}
	u.Status = shrooms.StatusActive
	a, hash, err := s.db.newUserActor(u, password)
	if err != nil {
		return err
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u.EmailVerifiedAt = s.db.now()
	if err := s.db.insertUser(ctx, tx, u, a, hash); err != nil {
		return err
	}
	return commit(tx)
}

// checkAdmin refuses a caller who is not an admin before slow work (key
// generation, bcrypt) is done for them; the write transaction checks
// again.
func (db *DB) checkAdmin(ctx context.Context) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = requireAdmin(ctx, tx)
	return err
}

// FindUserByUsername returns ENOTFOUND.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (*shrooms.User, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUser(ctx, tx, fmt.Sprintf("user %q", username), `username = ?`, username)
}

// FindUserByID returns ENOTFOUND.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*shrooms.User, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUserByID(ctx, tx, id)
}

// CountUsers counts all accounts.
func (s *UserService) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// likePattern makes a LIKE pattern matching s anywhere, with LIKE's
// wildcards in s taken literally (ESCAPE '\').
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// FindUsers lists users for admins, by username, and the total count
// ignoring Offset and Limit. A page holds at most 100 users. Returns
// EUNAUTHORIZED or EFORBIDDEN for anyone else.
func (s *UserService) FindUsers(ctx context.Context, filter shrooms.UserFilter) ([]*shrooms.User, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	limit = min(limit, maxUserPage)
	var conds []string
	var args []any
	if q := strings.TrimSpace(filter.Query); q != "" {
		conds = append(conds, `(username LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`)
		p := likePattern(q)
		args = append(args, p, p, p)
	}
	if filter.Role != "" {
		conds, args = append(conds, `role = ?`), append(args, string(filter.Role))
	}
	if filter.Status != "" {
		conds, args = append(conds, `status = ?`), append(args, string(filter.Status))
	}
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users`+where(conds)+
		` ORDER BY username LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	return out, total, nil
}

// otherActiveAdmins counts the active admins other than user id.
func otherActiveAdmins(ctx context.Context, tx *sql.Tx, id int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active' AND id <> ?`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// UpdateUser applies upd and returns the user as stored. The caller must
// be the user or an admin; Role and Status need an admin. The last active
// admin cannot lose the role nor stop being active (ECONFLICT). An
// account that stops being active loses its sessions. A new name is also
// the Person actor's. Returns ENOTFOUND, EINVALID naming the field,
// EUNAUTHORIZED, EFORBIDDEN, ECONFLICT.
func (s *UserService) UpdateUser(ctx context.Context, id int64, upd shrooms.UserUpdate) (*shrooms.User, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := requireSelfOrAdmin(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if upd.Role != nil || upd.Status != nil {
		if err := p.RequireAdmin(); err != nil {
			return nil, err
		}
	}
	u, err := findUserByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	wasActiveAdmin, wasActive, oldName := u.IsAdmin() && u.Active(), u.Active(), u.Name
	if err := applyUserUpdate(u, upd); err != nil {
		return nil, err
	}
	if wasActiveAdmin && !(u.IsAdmin() && u.Active()) {
		if n, err := otherActiveAdmins(ctx, tx, u.ID); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, shrooms.Errorf(shrooms.ECONFLICT, "the last active admin cannot lose the admin role nor be suspended").Keyed("admin.error.db_last_admin_role").
				Keyed("admin.error.db_last_admin_role")
		}
	}
	dash, err := dashboardValue(u.Dashboard)
	if err != nil {
		return nil, err
	}
	now := s.db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, language = ?, dashboard = ?, role = ?, status = ?,
		updated_at = ? WHERE id = ?`, u.Name, u.Language, dash, string(u.Role), string(u.Status), now.UnixMilli(), u.ID); err != nil {
		return nil, dbError(err, nil)
	}
	if u.Name != oldName {
		// changeLocalActor also tells the actor's followers (an Update).
		if actor, err := findActorByID(ctx, tx, u.ActorID); err == nil {
			err = s.db.changeLocalActor(ctx, tx, actor, func(a *shrooms.Actor) { a.Name = actorName(u) })
			if err != nil {
				return nil, err
			}
		} else if shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			return nil, err
		}
	}
	if wasActive && !u.Active() {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return nil, fmt.Errorf("end sessions: %w", err)
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return u, nil
}

// applyUserUpdate validates upd and applies it to u. Returns EINVALID
// naming the field.
func applyUserUpdate(u *shrooms.User, upd shrooms.UserUpdate) error {
	if upd.Name != nil {
		name := strings.TrimSpace(*upd.Name)
		if len([]rune(name)) > 100 {
			return shrooms.Errorf(shrooms.EINVALID, "name: must be at most 100 characters").Keyed("account.error.db_name_long").On("name")
		}
		u.Name = name
	}
	if upd.Language != nil {
		if *upd.Language != "" && !shrooms.IsLanguage(*upd.Language) {
			return shrooms.Errorf(shrooms.EINVALID, "language: must be one of %s", strings.Join(shrooms.Languages, ", ")).Keyed("account.error.db_language").On("language").
				Keyed("account.error.db_language").On("language")
		}
		u.Language = *upd.Language
	}
	if upd.Dashboard != nil {
		if err := shrooms.ValidDashboard(*upd.Dashboard); err != nil {
			return err
		}
		u.Dashboard = *upd.Dashboard
	}
	if upd.Role != nil {
		r, err := shrooms.ParseRole(string(*upd.Role))
		if err != nil {
			return err
		}
		u.Role = r
	}
	if upd.Status != nil {
		st, err := shrooms.ParseUserStatus(string(*upd.Status))
		if err != nil {
			return err
		}
		u.Status = st
	}
	return nil
}
