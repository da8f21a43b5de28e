package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// recordChange adds one entry to an item's history, in the caller's
// transaction. The user is p's (none for the node itself); their name is
// kept so that the entry still reads right once the account is gone.
func (db *DB) recordChange(ctx context.Context, tx *sql.Tx, p shrooms.Principal, itemID int64,
	action shrooms.ChangeAction, fields []shrooms.FieldChange, note string) error {
	var userID any
	var userName string
	if p.User != nil && p.User.ID != 0 {
		userID, userName = p.User.ID, displayName(p.User.Name, p.User.Username)
	}
	if fields == nil {
		fields = []shrooms.FieldChange{}
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_changes (item_id, user_id, user_name, action, fields, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, itemID, userID, userName, string(action), string(body), note,
		db.now().UnixMilli()); err != nil {
		return dbError(err, nil)
	}
	return nil
}
