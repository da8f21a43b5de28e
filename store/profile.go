package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxProfilePage is the largest page of the member directory.
const maxProfilePage = 100

// peopleModule is the module profiles belong to.
const peopleModule = "people"

// loadProfile reads a user's whole profile. A user who never wrote one
// has an empty profile with the default audiences.
func loadProfile(ctx context.Context, tx *sql.Tx, u *shrooms.User) (*shrooms.Profile, error) {
	p := &shrooms.Profile{UserID: u.ID, Username: u.Username, Name: u.Name}
	var bio, avatar, contact string
	var avatarID sql.NullInt64
	var updated sql.NullInt64
	// An avatar the member did not upload reads as none (media_ref.go).
	err := tx.QueryRowContext(ctx, `SELECT pr.bio, CASE WHEN m.owner_id = pr.user_id THEN pr.avatar_id END,
		pr.contact_email, pr.phone, pr.website, pr.bio_audience, pr.avatar_audience, pr.contact_audience, pr.updated_at
		FROM profiles pr LEFT JOIN media m ON m.id = pr.avatar_id WHERE pr.user_id = ?`, u.ID).Scan(
		&p.Bio, &avatarID, &p.ContactEmail, &p.Phone, &p.Website, &bio, &avatar, &contact, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		bio, avatar, contact = string(shrooms.AudienceMembers), string(shrooms.AudienceMembers), string(shrooms.AudienceMembers)
	case err != nil:
		return nil, fmt.Errorf("find profile: %w", err)
	}
	p.AvatarID, p.UpdatedAt = avatarID.Int64, fromMS(updated)
	p.BioAudience, p.AvatarAudience, p.ContactAudience = shrooms.Audience(bio), shrooms.Audience(avatar), shrooms.Audience(contact)
	rows, err := tx.QueryContext(ctx, `SELECT id, label, street, postal_code, city, region, country, audience
		FROM addresses WHERE user_id = ? ORDER BY position`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("find addresses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a shrooms.Address
		var aud string
		if err := rows.Scan(&a.ID, &a.Label, &a.Street, &a.PostalCode, &a.City, &a.Region, &a.Country, &aud); err != nil {
			return nil, fmt.Errorf("find addresses: %w", err)
		}
		a.Audience = shrooms.Audience(aud)
		p.Addresses = append(p.Addresses, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find addresses: %w", err)
	}
	return p, nil
}

// FindProfile returns a user's profile as the caller may see it: whole
// for the user, admins and the system; for others, who need read access
// to the people module, cut to what their standing (shrooms.StandingOf)
// may see. An account that is not active is not found by others. Returns
// ENOTFOUND (also when the people module is off), EUNAUTHORIZED,
// EFORBIDDEN.
func (s *ProfileService) FindProfile(ctx context.Context, userID int64) (*shrooms.Profile, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, err
	}
	whole := p.RequireSelfOrAdmin(userID) == nil
	if !whole {
		if err := requireModule(ctx, tx, p, peopleModule, shrooms.AccessRead); err != nil {
			return nil, err
		}
	}
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if !whole && !u.Active() {
		return nil, notFound("user %d not found", userID).Keyed("account.error.db_user_not_found")
	}
	prof, err := loadProfile(ctx, tx, u)
	if err != nil || whole {
		return prof, err
	}
	return prof.VisibleTo(shrooms.StandingOf(p)), nil
}

// FindProfiles lists active members' profiles for the directory, by
// username, as the caller may see each, and the total count ignoring
// Offset and Limit. Query matches the username and the name. A page holds
// at most 100 profiles. Needs read access to the people module: ENOTFOUND
// when it is off, EUNAUTHORIZED, EFORBIDDEN.
func (s *ProfileService) FindProfiles(ctx context.Context, filter shrooms.ProfileFilter) ([]*shrooms.Profile, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	limit = min(limit, maxProfilePage)
	conds := []string{`status = 'active'`}
	var args []any
	if q := strings.TrimSpace(filter.Query); q != "" {
		conds = append(conds, `(username LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')`)
		args = append(args, likePattern(q), likePattern(q))
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	if err := requireModule(ctx, tx, p, peopleModule, shrooms.AccessRead); err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count profiles: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users`+where(conds)+
		` ORDER BY username LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find profiles: %w", err)
	}
	var users []*shrooms.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("find profiles: %w", err)
		}
		users = append(users, u)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("find profiles: %w", err)
	}
	standing := shrooms.StandingOf(p)
	out := make([]*shrooms.Profile, 0, len(users))
	for _, u := range users {
		prof, err := loadProfile(ctx, tx, u)
		if err != nil {
			return nil, 0, err
		}
		if p.RequireSelfOrAdmin(u.ID) != nil {
			prof = prof.VisibleTo(standing)
		}
		out = append(out, prof)
	}
	return out, total, nil
}

// UpdateProfile validates and replaces a profile (its addresses too), for
// the user and admins. The name is the account's name. The Person actor
// shows what is public: the name, the bio as summary when BioAudience is
// public, the avatar as icon when AvatarAudience is public. It sets
// p.Username, p.UpdatedAt and the addresses' IDs. The avatar must be an
// image the member uploaded, or the one the profile has already
// (media_ref.go); only the former is ever the actor's icon. Returns
// EINVALID naming the field (also "avatar_id" for any other image),
// ENOTFOUND, EUNAUTHORIZED.
func (s *ProfileService) UpdateProfile(ctx context.Context, p *shrooms.Profile) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	caller, err := requireSelfOrAdmin(ctx, tx, p.UserID)
	if err != nil {
		return err
	}
	u, err := findUserByID(ctx, tx, p.UserID)
	if err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := requireAvatar(ctx, tx, caller, u.ID, p.AvatarID); err != nil {
		return err
	}
	owned, err := avatarOwned(ctx, tx, u.ID, p.AvatarID)
	if err != nil {
		return err
	}
	now := s.db.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO profiles (user_id, bio, avatar_id, contact_email, phone, website,
		bio_audience, avatar_audience, contact_audience, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET bio = excluded.bio, avatar_id = excluded.avatar_id,
			contact_email = excluded.contact_email, phone = excluded.phone, website = excluded.website,
			bio_audience = excluded.bio_audience, avatar_audience = excluded.avatar_audience,
			contact_audience = excluded.contact_audience, updated_at = excluded.updated_at`,
		u.ID, p.Bio, nullID(p.AvatarID), p.ContactEmail, p.Phone, p.Website, string(p.BioAudience), string(p.AvatarAudience),
		string(p.ContactAudience), now.UnixMilli()); err != nil {
		return dbError(err, nil)
	}
	if err := replaceAddresses(ctx, tx, u.ID, p.Addresses); err != nil {
		return err
	}
	u.Name = p.Name
	if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, updated_at = ? WHERE id = ?`, u.Name, now.UnixMilli(), u.ID); err != nil {
		return dbError(err, nil)
	}
	summary, icon := "", ""
	if p.BioAudience == shrooms.AudiencePublic {
		summary = p.Bio
	}
	if p.AvatarAudience == shrooms.AudiencePublic && owned {
		icon = s.db.mediaURL(p.AvatarID)
	}
	// The actor holds only what is public, so the Update its followers
	// get when it changes (changeLocalActor) shows no more than an
	// anonymous fetch of the actor would; a bio or avatar for members
	// only never leaves. A deleted account's actor stays blank.
	actor, err := findActorByID(ctx, tx, u.ActorID)
	if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		return err
	}
	if err == nil {
		if err := s.db.changeLocalActor(ctx, tx, actor, func(a *shrooms.Actor) {
			a.Name, a.Summary, a.IconURL = actorName(u), summary, icon
		}); err != nil {
			return err
		}
	}
	if err := commit(tx); err != nil {
		return err
	}
	p.Username, p.UpdatedAt = u.Username, now
	return nil
}

// replaceAddresses stores a user's addresses in order, in place of the
// old ones, and sets their IDs.
func replaceAddresses(ctx context.Context, tx *sql.Tx, userID int64, addrs []shrooms.Address) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM addresses WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("replace addresses: %w", err)
	}
	for i := range addrs {
		a := &addrs[i]
		res, err := tx.ExecContext(ctx, `INSERT INTO addresses (user_id, position, label, street, postal_code, city,
			region, country, audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, userID, i, a.Label, a.Street, a.PostalCode,
			a.City, a.Region, a.Country, string(a.Audience))
		if err != nil {
			return dbError(err, nil)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert address: %w", err)
		}
	}
	return nil
}
