package store

import (
	"context"

	shrooms "github.com/shrooms-org/shrooms"
)

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
