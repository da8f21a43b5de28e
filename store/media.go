package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// CreateMedia stores an image for the user in ctx, who owns it, or for
// the system (m.OwnerID as given, 0 for the organisation), and sets m.ID.
// Only PNG and JPEG of at most shrooms.MaxMediaBytes are kept; checking
// and re-encoding them is the caller's job. Returns EUNAUTHORIZED,
// ETOOLARGE, EINVALID.
func (s *MediaService) CreateMedia(ctx context.Context, m *shrooms.Media) error {
	if !shrooms.IsSystem(ctx) && !shrooms.UserFromContext(ctx).Active() {
		return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("core.error.db_login_first")
	}
	switch {
	case len(m.Data) > shrooms.MaxMediaBytes:
		return shrooms.Errorf(shrooms.ETOOLARGE, "image: must be at most %d MB", shrooms.MaxMediaBytes>>20).Keyed("core.error.db_image_large", "Max", shrooms.MaxMediaBytes>>20).On("image").
			Keyed("core.error.db_image_large", "Max", shrooms.MaxMediaBytes>>20).On("image")
	case len(m.Data) == 0:
		return shrooms.Errorf(shrooms.EINVALID, "image: is empty").Keyed("core.error.db_image_empty").On("image")
	case m.ContentType != "image/png" && m.ContentType != "image/jpeg":
		return shrooms.Errorf(shrooms.EINVALID, "content_type: must be image/png or image/jpeg").Keyed("core.error.db_image_type").On("content_type")
	case m.Width < 0 || m.Height < 0:
		return shrooms.Errorf(shrooms.EINVALID, "image: width and height must not be negative").Keyed("core.error.db_image_size").On("image")
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return err
	}
	if p.User != nil {
		m.OwnerID = p.User.ID
	}
	var owner any
	if m.OwnerID != 0 {
		owner = m.OwnerID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO media (content_type, width, height, size, data, owner_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ContentType, m.Width, m.Height, len(m.Data), m.Data, owner, s.db.now().UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert media: %w", err)
	}
	return commit(tx)
}

// FindMedia returns an image to a caller who may see it (mediaVisible).
// Returns ENOTFOUND, also for an image the caller may not see.
func (s *MediaService) FindMedia(ctx context.Context, id int64) (*shrooms.Media, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var m shrooms.Media
	var owner sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, content_type, width, height, data, owner_id FROM media WHERE id = ?`, id).
		Scan(&m.ID, &m.ContentType, &m.Width, &m.Height, &m.Data, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("image %d not found", id).Keyed("core.error.db_image_not_found")
	} else if err != nil {
		return nil, fmt.Errorf("find media: %w", err)
	}
	m.OwnerID = owner.Int64
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, err
	}
	ok, err := mediaVisible(ctx, tx, p, &m)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, notFound("image %d not found", id).Keyed("core.error.db_image_not_found")
	}
	return &m, nil
}

// mediaVisible says whether p may see an image: its uploader and admins
// always; anyone the organisation's logo; an item's photo or thumbnail
// whoever may read the item; and an avatar whoever its
// profile's avatar audience reaches (an active account's only). Only
// references the rule of media_ref.go allows count: a logo the
// organisation or an admin uploaded, an avatar its member uploaded (item
// photos are always their item's own uploads). An image nothing points
// at stays with its uploader.
func mediaVisible(ctx context.Context, tx *sql.Tx, p shrooms.Principal, m *shrooms.Media) (bool, error) {
	if p.RequireAdmin() == nil || p.User != nil && m.OwnerID != 0 && p.User.ID == m.OwnerID {
		return true, nil
	}
	var logo int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings s JOIN media m ON m.id = ?3
		WHERE s.key = ?1 AND s.value = ?2 AND `+logoOwnedSQL,
		settingLogoID, strconv.FormatInt(m.ID, 10), m.ID).Scan(&logo); err != nil {
		return false, fmt.Errorf("media logo: %w", err)
	}
	if logo > 0 {
		return true, nil
	}
	if ok, err := itemMediaVisible(ctx, tx, p, m.ID); err != nil || ok || m.OwnerID == 0 {
		return ok, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT pr.avatar_audience FROM profiles pr JOIN users u ON u.id = pr.user_id
		WHERE pr.avatar_id = ? AND pr.user_id = ? AND u.status = 'active'`, m.ID, m.OwnerID)
	if err != nil {
		return false, fmt.Errorf("media avatar: %w", err)
	}
	defer rows.Close()
	standing := shrooms.StandingOf(p)
	for rows.Next() {
		var aud string
		if err := rows.Scan(&aud); err != nil {
			return false, fmt.Errorf("media avatar: %w", err)
		}
		if shrooms.Audience(aud).Includes(standing) {
			return true, nil
		}
	}
	return false, rows.Err()
}

// itemMediaVisible reports whether p may read an item that has image id
// as a photo or thumbnail, while the inventory module is on.
func itemMediaVisible(ctx context.Context, tx *sql.Tx, p shrooms.Principal, id int64) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.kind, i.audience, COALESCE(i.owner_id, 0), COALESCE(i.group_id, 0)
		FROM item_photos ph JOIN items i ON i.id = ph.item_id WHERE ph.media_id = ? OR ph.thumb_id = ?`, id, id)
	if err != nil {
		return false, fmt.Errorf("media item: %w", err)
	}
	var (
		owners  []shrooms.Ownership
		modules []string
	)
	for rows.Next() {
		var kind, aud string
		var o shrooms.Ownership
		if err := rows.Scan(&kind, &aud, &o.OwnerID, &o.GroupID); err != nil {
			rows.Close()
			return false, fmt.Errorf("media item: %w", err)
		}
		o.Mode = shrooms.ModeFor(shrooms.Audience(aud))
		owners = append(owners, o)
		module := inventory
		if p.Partner { // as itemCaller.can: a policy tells parts apart
			module = shrooms.ItemModule(shrooms.ItemKind(kind))
		}
		modules = append(modules, module)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(owners) == 0 {
		return false, err
	}
	if on, err := moduleOn(ctx, tx, inventory); err != nil || !on {
		return false, err
	}
	grants, err := findGrants(ctx, tx)
	if err != nil {
		return false, err
	}
	for k, o := range owners {
		if p.RecordAccess(grants, modules[k], o)&shrooms.AccessRead != 0 {
			return true, nil
		}
	}
	return false, nil
}
