package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// droppedKey replaces a deleted actor's private key. The shipped schema
// requires a non-empty key on every local actor (actors_local_key), and
// the row must stay local to keep its handle taken; this marker is no
// key, so nothing can sign as the actor again.
const droppedKey = "deleted"

// DeleteUser deletes an account, for admins, as shrooms.UserDeletionPolicy
// says: its sessions, API tokens, e-mail links, profile, addresses and
// group memberships go with it; its media and invitations pass to the
// organisation. The Person actor is marked deleted and loses its private
// key: actor finders no longer return it, its follows are dropped and
// what it had not delivered yet is abandoned, but its row keeps the handle
// taken forever. The last active admin cannot be deleted (ECONFLICT).
// Returns ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (s *UserService) DeleteUser(ctx context.Context, id int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := findUserByID(ctx, tx, id)
	if err != nil {
		return err
	}
	if u.IsAdmin() && u.Active() {
		if n, err := otherActiveAdmins(ctx, tx, u.ID); err != nil {
			return err
		} else if n == 0 {
			return shrooms.Errorf(shrooms.ECONFLICT, "the last active admin cannot be deleted").Keyed("admin.error.db_last_admin_delete")
		}
	}
	if err := deleteUserRows(ctx, tx, u.ID); err != nil {
		return err
	}
	if err := s.db.deleteActor(ctx, tx, u.ActorID); err != nil {
		return err
	}
	return commit(tx)
}

// deleteUserRows deletes the user and what belongs to them only. The
// foreign keys would cascade most of it; saying it here keeps the policy
// readable in one place.
func deleteUserRows(ctx context.Context, tx *sql.Tx, id int64) error {
	for _, q := range []string{
		`DELETE FROM sessions WHERE user_id = ?`,
		`DELETE FROM api_tokens WHERE user_id = ?`,
		`DELETE FROM email_tokens WHERE user_id = ?`,
		`DELETE FROM addresses WHERE user_id = ?`,
		`DELETE FROM profiles WHERE user_id = ?`,
		`DELETE FROM group_members WHERE user_id = ?`,
		`UPDATE invitations SET invited_by = NULL WHERE invited_by = ?`,
		`UPDATE media SET owner_id = NULL WHERE owner_id = ?`,
		`DELETE FROM users WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE kind = 'account' AND key = ?`,
		accountKeyOf(id)); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// deleteActor marks a local actor deleted and drops what let it act:
// its key, its public profile, its follows and its undelivered
// activities.
func (db *DB) deleteActor(ctx context.Context, tx *sql.Tx, actorID int64) error {
	now := db.now().UnixMilli()
	if _, err := tx.ExecContext(ctx, `UPDATE actors SET deleted_at = ?, private_key_pem = ?, name = '', summary = '',
		icon_url = '', updated_at = ? WHERE id = ? AND local = 1`, now, droppedKey, now, actorID); err != nil {
		return fmt.Errorf("delete actor: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM follows WHERE follower_id = ?1 OR followee_id = ?1`,
		`DELETE FROM outbox WHERE actor_id = ?1 AND published = 0`,
		`UPDATE deliveries SET state = 'dead', last_error = 'the actor was deleted' WHERE actor_id = ?1 AND state = 'pending'`,
	} {
		if _, err := tx.ExecContext(ctx, q, actorID); err != nil {
			return fmt.Errorf("delete actor: %w", err)
		}
	}
	return nil
}

// accountKeyOf is the login rate limit key of a known account.
func accountKeyOf(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }
