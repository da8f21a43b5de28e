package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// Records that point at an uploaded image follow one rule, so that
// pointing at an image never shows it to more people than its rightful
// owner chose:
//
//   - an avatar shows an image its member uploaded: it is their picture,
//     and its audience is theirs to choose;
//   - the logo, public and the Organization actor's icon, shows an image
//     the organisation (the system, the setup wizard) or an admin
//     uploaded; whoever sets it may pick only their own upload, so an
//     admin cannot publish a member's picture or a staff-only photo that
//     admins can read;
//   - an item's photos are new uploads stored with the photo
//     (AddItemPhoto): no image id is ever taken for them.
//
// "May already read" is the meaning of none of these: each one widens
// who sees the image. Setting a reference (requireMediaRef) also accepts
// the image the record already points at, so that saving a form that
// did not touch it never fails. Reading counts a reference only when the
// rule holds (mediaVisible, loadProfile, findSettings, the actors'
// icons), so rows an earlier release let through give nothing away.

// The refusals name the field; an unknown image and somebody else's get
// the same words, which tell nothing of other people's images.
// errAvatarYours refuses a picture that is not the member's own upload.
func errAvatarYours() *shrooms.Error {
	return shrooms.Errorf(shrooms.EINVALID, "avatar_id: must be an image you uploaded").Keyed("member.error.db_avatar_yours").On("avatar_id")
}

// errAvatarMember refuses a member's picture set by someone else.
func errAvatarMember() *shrooms.Error {
	return shrooms.Errorf(shrooms.EINVALID, "avatar_id: must be an image this member uploaded").Keyed("member.error.db_avatar_member").On("avatar_id")
}

// errLogoYours refuses a logo that is not the admin's own upload.
func errLogoYours() *shrooms.Error {
	return shrooms.Errorf(shrooms.EINVALID, "logo_id: must be an image you uploaded").Keyed("admin.error.db_logo_yours").On("logo_id")
}

// errLogoOrg refuses a logo that is not the organisation's upload.
func errLogoOrg() *shrooms.Error {
	return shrooms.Errorf(shrooms.EINVALID, "logo_id: must be an image uploaded for the organisation").Keyed("admin.error.db_logo_org").On("logo_id")
}

// logoOwnedSQL holds for an image m that may be the logo: the
// organisation's own upload or an admin's.
const logoOwnedSQL = `(m.owner_id IS NULL OR m.owner_id IN (SELECT id FROM users WHERE role = 'admin'))`

// requireMediaRef returns refusal(), an EINVALID error, unless a record
// may point at image id: 0 (no image), current (the image it points at
// already), or an image uploader uploaded (0: the organisation).
func requireMediaRef(ctx context.Context, tx *sql.Tx, id, current, uploader int64, refusal func() *shrooms.Error) error {
	if id == 0 || id == current {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM media WHERE id = ? AND owner_id IS ?`,
		id, nullID(uploader)).Scan(&n); err != nil {
		return fmt.Errorf("check media: %w", err)
	}
	if n == 0 {
		return refusal()
	}
	return nil
}

// avatarOwned reports whether image id is userID's own upload, the only
// kind of avatar that counts.
func avatarOwned(ctx context.Context, tx *sql.Tx, userID, id int64) (bool, error) {
	if id == 0 || userID == 0 {
		return false, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM media WHERE id = ? AND owner_id = ?`, id, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("check avatar: %w", err)
	}
	return n > 0, nil
}

// logoOwned reports whether image id may be the logo (logoOwnedSQL).
func logoOwned(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	if id == 0 {
		return false, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM media m WHERE m.id = ? AND `+logoOwnedSQL, id).Scan(&n); err != nil {
		return false, fmt.Errorf("check logo: %w", err)
	}
	return n > 0, nil
}

// storedLogoID is the logo setting as stored, whether or not it counts:
// what "unchanged" compares with.
func storedLogoID(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingLogoID).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read logo: %w", err)
	}
	id, _ := strconv.ParseInt(v, 10, 64)
	return id, nil
}

// storedAvatarID is a profile's avatar as stored, whether or not it
// counts.
func storedAvatarID(ctx context.Context, tx *sql.Tx, userID int64) (int64, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT avatar_id FROM profiles WHERE user_id = ?`, userID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read avatar: %w", err)
	}
	return id.Int64, nil
}

// requireLogo checks the logo a caller sets: an admin's own upload, or
// the organisation's for the system and the setup wizard (setup).
func requireLogo(ctx context.Context, tx *sql.Tx, id int64, setup bool) error {
	current, err := storedLogoID(ctx, tx)
	if err != nil {
		return err
	}
	uploader, refusal := int64(0), errLogoOrg
	if !setup {
		p, err := principal(ctx, tx)
		if err != nil {
			return err
		}
		if p.User != nil {
			uploader, refusal = p.User.ID, errLogoYours
		}
	}
	return requireMediaRef(ctx, tx, id, current, uploader, refusal)
}

// requireAvatar checks the avatar a caller sets on userID's profile: the
// member's own upload, whoever edits it.
func requireAvatar(ctx context.Context, tx *sql.Tx, p shrooms.Principal, userID, id int64) error {
	current, err := storedAvatarID(ctx, tx, userID)
	if err != nil {
		return err
	}
	refusal := errAvatarMember
	if p.User != nil && p.User.ID == userID {
		refusal = errAvatarYours
	}
	return requireMediaRef(ctx, tx, id, current, userID, refusal)
}
