package store

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	shrooms "github.com/shrooms-org/shrooms"
)

// Tests hash passwords at bcrypt's lowest cost: they log in hundreds of
// times, and the cost changes nothing they check.
func init() { bcryptCost = bcrypt.MinCost }

// InsertOutboxForTest writes an outbox entry in its own transaction, as
// the store's own write methods do inside theirs, for tests of the queue
// that need entries no exported method writes yet (public posts).
func (db *DB) InsertOutboxForTest(ctx context.Context, actorID int64, act *shrooms.Activity) (int64, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	id, err := db.insertOutbox(ctx, tx, actorID, act)
	if err != nil {
		return 0, err
	}
	return id, commit(tx)
}

// CreateLocalActor stores a local actor with the keys it is given (or new
// ones), as InitNode and CreateUser do, without generating a key per test
// actor.
func (db *DB) CreateLocalActor(ctx context.Context, a *shrooms.Actor) error {
	if err := db.prepareLocalActor(a); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.insertLocalActor(ctx, tx, a, nil); err != nil {
		return err
	}
	return commit(tx)
}

// CountLocalActors counts local actors of a kind, for tests that check a
// failed operation left nothing behind.
func (db *DB) CountLocalActors(ctx context.Context, kind shrooms.ActorKind) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM actors WHERE local = 1 AND kind = ?`, string(kind)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count local actors: %w", err)
	}
	return n, nil
}

// PrincipalForTest resolves the caller of ctx as every store method does.
func (db *DB) PrincipalForTest(ctx context.Context) (shrooms.Principal, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return shrooms.Principal{}, err
	}
	defer tx.Rollback()
	return principal(ctx, tx)
}
