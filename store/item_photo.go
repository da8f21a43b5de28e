package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// AddItemPhoto stores an image and its thumbnail, both already
// re-encoded and owned by the caller, as the item's last photo; records
// it in the history and federates the item, whose photos are part of it.
// Returns EINVALID beyond shrooms.MaxPhotos or for a bad image, ENOTFOUND,
// EFORBIDDEN.
func (s *ItemService) AddItemPhoto(ctx context.Context, itemID int64, photo, thumb *shrooms.Media) (*shrooms.Photo, error) {
	for _, m := range []*shrooms.Media{photo, thumb} {
		if err := checkMedia(m); err != nil {
			return nil, err
		}
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	before, err := s.db.loadItem(ctx, tx, itemID)
	if err != nil {
		return nil, err
	}
	if err := c.can(before, shrooms.AccessWrite); err != nil {
		return nil, err
	}
	if len(before.Photos) >= shrooms.MaxPhotos {
		return nil, shrooms.Errorf(shrooms.EINVALID, "photos: at most %d per item", shrooms.MaxPhotos).Keyed("items.error.photos", "Max", shrooms.MaxPhotos).On("photos").
			Keyed("items.error.photos", "Max", shrooms.MaxPhotos).On("photos")
	}
	for _, m := range []*shrooms.Media{photo, thumb} {
		if err := s.db.insertMedia(ctx, tx, c.p, m); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_photos (item_id, media_id, thumb_id, position)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM item_photos WHERE item_id = ?))`,
		itemID, photo.ID, thumb.ID, itemID); err != nil {
		return nil, dbError(err, nil)
	}
	after, err := s.db.touchItem(ctx, tx, c.p, itemID, []shrooms.FieldChange{{Field: shrooms.ChangePhotos,
		From: shrooms.NumberValue(int64(len(before.Photos))), To: shrooms.NumberValue(int64(len(before.Photos) + 1))}})
	if err != nil {
		return nil, err
	}
	if err := s.db.federateItem(ctx, tx, before, after); err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return &after.Photos[len(after.Photos)-1], nil
}

// DeleteItemPhoto removes a photo (by its MediaID) and both its images.
// Returns ENOTFOUND, EFORBIDDEN.
func (s *ItemService) DeleteItemPhoto(ctx context.Context, itemID, mediaID int64) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return err
	}
	before, err := s.db.loadItem(ctx, tx, itemID)
	if err != nil {
		return err
	}
	if err := c.can(before, shrooms.AccessWrite); err != nil {
		return err
	}
	var thumbID int64
	err = tx.QueryRowContext(ctx, `SELECT thumb_id FROM item_photos WHERE item_id = ? AND media_id = ?`,
		itemID, mediaID).Scan(&thumbID)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("photo not found").Keyed("items.error.db_photo_not_found")
	} else if err != nil {
		return fmt.Errorf("delete item photo: %w", err)
	}
	// Deleting the images cascades to the item_photos row.
	if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id IN (?, ?)`, mediaID, thumbID); err != nil {
		return dbError(err, nil)
	}
	after, err := s.db.touchItem(ctx, tx, c.p, itemID, []shrooms.FieldChange{{Field: shrooms.ChangePhotos,
		From: shrooms.NumberValue(int64(len(before.Photos))), To: shrooms.NumberValue(int64(len(before.Photos) - 1))}})
	if err != nil {
		return err
	}
	if err := s.db.federateItem(ctx, tx, before, after); err != nil {
		return err
	}
	return commit(tx)
}

// touchItem bumps an item's version after a change of its photos, records
// it and returns the item as it now is.
func (db *DB) touchItem(ctx context.Context, tx *sql.Tx, p shrooms.Principal, itemID int64,
	changes []shrooms.FieldChange) (*shrooms.Item, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE items SET version = version + 1, updated_at = ? WHERE id = ?`,
		db.now().UnixMilli(), itemID); err != nil {
		return nil, dbError(err, nil)
	}
	if err := db.recordChange(ctx, tx, p, itemID, shrooms.ActionPhoto, changes, ""); err != nil {
		return nil, err
	}
	return db.loadItem(ctx, tx, itemID)
}

// checkMedia applies CreateMedia's checks to an image.
func checkMedia(m *shrooms.Media) error {
	switch {
	case m == nil || len(m.Data) == 0:
		return shrooms.Errorf(shrooms.EINVALID, "image: is empty").Keyed("core.error.db_image_empty").On("image")
	case len(m.Data) > shrooms.MaxMediaBytes:
		return shrooms.Errorf(shrooms.ETOOLARGE, "image: must be at most %d MB", shrooms.MaxMediaBytes>>20).Keyed("core.error.db_image_large", "Max", shrooms.MaxMediaBytes>>20).On("image").
			Keyed("core.error.db_image_large", "Max", shrooms.MaxMediaBytes>>20).On("image")
	case m.ContentType != "image/png" && m.ContentType != "image/jpeg":
		return shrooms.Errorf(shrooms.EINVALID, "content_type: must be image/png or image/jpeg").Keyed("core.error.db_image_type").On("content_type")
	case m.Width < 0 || m.Height < 0:
		return shrooms.Errorf(shrooms.EINVALID, "image: width and height must not be negative").Keyed("core.error.db_image_size").On("image")
	}
	return nil
}

// insertMedia stores a checked image owned by p's user (the organisation
// for the system) and sets its ID.
func (db *DB) insertMedia(ctx context.Context, tx *sql.Tx, p shrooms.Principal, m *shrooms.Media) error {
	m.OwnerID = 0
	if p.User != nil {
		m.OwnerID = p.User.ID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO media (content_type, width, height, size, data, owner_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ContentType, m.Width, m.Height, len(m.Data), m.Data, nullID(m.OwnerID),
		db.now().UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert media: %w", err)
	}
	return nil
}
