package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// FindComments returns the comments on an item the caller may read,
// oldest first. Returns ENOTFOUND.
func (s *ItemService) FindComments(ctx context.Context, itemID int64) ([]*shrooms.Comment, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, _, err := s.db.readableItem(ctx, tx, itemID); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, item_id, COALESCE(author_id, 0), author_name, body, created_at
		FROM item_comments WHERE item_id = ? ORDER BY id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("find comments: %w", err)
	}
	defer rows.Close()
	out := []*shrooms.Comment{}
	for rows.Next() {
		var c shrooms.Comment
		var at sql.NullInt64
		if err := rows.Scan(&c.ID, &c.ItemID, &c.AuthorID, &c.AuthorName, &c.Body, &at); err != nil {
			return nil, fmt.Errorf("find comments: %w", err)
		}
		c.CreatedAt = fromMS(at)
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find comments: %w", err)
	}
	return out, nil
}

// CreateComment adds a comment by the caller, an active local user who
// may read the item, and sets its ID, author and time. Returns EINVALID,
// ENOTFOUND, EUNAUTHORIZED.
func (s *ItemService) CreateComment(ctx context.Context, c *shrooms.Comment) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	caller, _, err := s.db.readableItem(ctx, tx, c.ItemID)
	if err != nil {
		return err
	}
	// The node itself has nobody to sign a comment with.
	if !caller.p.User.Active() {
		return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("core.error.db_login_first")
	}
	u := caller.p.User
	c.AuthorID, c.AuthorName, c.CreatedAt = u.ID, displayName(u.Name, u.Username), s.db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO item_comments (item_id, author_id, author_name, body, created_at)
		VALUES (?, ?, ?, ?, ?)`, c.ItemID, c.AuthorID, c.AuthorName, c.Body, c.CreatedAt.UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create comment: %w", err)
	}
	return commit(tx)
}

// DeleteComment removes a comment; its author (while they may still read
// the item) and inventory managers may. Returns ENOTFOUND, EFORBIDDEN,
// EUNAUTHORIZED.
func (s *ItemService) DeleteComment(ctx context.Context, id int64) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var itemID, authorID int64
	err = tx.QueryRowContext(ctx, `SELECT item_id, COALESCE(author_id, 0) FROM item_comments WHERE id = ?`, id).
		Scan(&itemID, &authorID)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("comment not found").Keyed("items.error.db_comment_not_found")
	} else if err != nil {
		return fmt.Errorf("delete comment: %w", err)
	}
	caller, _, err := s.db.readableItem(ctx, tx, itemID)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return notFound("comment not found").Keyed("items.error.db_comment_not_found")
	} else if err != nil {
		return err
	}
	if caller.p.User == nil && !caller.p.System {
		return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("core.error.db_login_first")
	}
	mine := caller.p.User.Active() && authorID != 0 && caller.p.User.ID == authorID
	if !mine && !caller.manager() {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "you may not delete this comment").Keyed("items.error.db_comment_forbidden")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM item_comments WHERE id = ?`, id); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}
