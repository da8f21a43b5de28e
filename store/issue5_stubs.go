package store

import (
	"context"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Stubs for issue 5, deleted by their owners as they implement them.

var errTODO = shrooms.Errorf(shrooms.EINTERNAL, "not implemented yet")

// ---- PartnerService: store-partners ----
// CreatePartnerInvite is not implemented yet.
func (db *DB) CreatePartnerInvite(ctx context.Context, ttl time.Duration, note string) (*shrooms.PartnerInvite, string, error) {
	return nil, "", errTODO
}

// FindPartnerInvites is not implemented yet.
func (db *DB) FindPartnerInvites(ctx context.Context) ([]*shrooms.PartnerInvite, error) {
	return nil, errTODO
}

// RevokePartnerInvite is not implemented yet.
func (db *DB) RevokePartnerInvite(ctx context.Context, id int64) error { return errTODO }

// LinkPartner is not implemented yet.
func (db *DB) LinkPartner(ctx context.Context, remoteID int64, token string) (*shrooms.Partner, error) {
	return nil, errTODO
}

// FindPartners is not implemented yet.
func (db *DB) FindPartners(ctx context.Context, filter shrooms.PartnerFilter) ([]*shrooms.Partner, error) {
	return nil, errTODO
}

// FindPartner is not implemented yet.
func (db *DB) FindPartner(ctx context.Context, actorID int64) (*shrooms.Partner, error) {
	return nil, errTODO
}

// SetPartnerModules is not implemented yet.
func (db *DB) SetPartnerModules(ctx context.Context, actorID int64, modules []string) (*shrooms.Partner, error) {
	return nil, errTODO
}

// UnlinkPartner is not implemented yet.
func (db *DB) UnlinkPartner(ctx context.Context, actorID int64) error { return errTODO }

// BlockPartner is not implemented yet.
func (db *DB) BlockPartner(ctx context.Context, actorID int64) error { return errTODO }

// UnblockPartner is not implemented yet.
func (db *DB) UnblockPartner(ctx context.Context, actorID int64) error { return errTODO }

// ReceiveBlock is not implemented yet.
func (db *DB) ReceiveBlock(ctx context.Context, actorIRI string) error { return errTODO }

// Blocked is not implemented yet.
func (db *DB) Blocked(ctx context.Context, actorIRI string) (bool, error) { return false, errTODO }

// SharesWith is not implemented yet.
func (db *DB) SharesWith(ctx context.Context, actorIRI, module string) (bool, error) {
	return false, errTODO
}

// RequestPartnerSync is not implemented yet.
func (db *DB) RequestPartnerSync(ctx context.Context, actorID int64) error { return errTODO }

// FindPartnersToSync is not implemented yet.
func (db *DB) FindPartnersToSync(ctx context.Context, now time.Time, interval time.Duration) ([]*shrooms.Partner, error) {
	return nil, errTODO
}

// StartPartnerSync is not implemented yet.
func (db *DB) StartPartnerSync(ctx context.Context, actorID int64, first string, total int) (int64, error) {
	return 0, errTODO
}

// RecordPartnerSyncPage is not implemented yet.
func (db *DB) RecordPartnerSyncPage(ctx context.Context, actorID, gen int64, fetched int, next string) error {
	return errTODO
}

// FinishPartnerSync is not implemented yet.
func (db *DB) FinishPartnerSync(ctx context.Context, actorID, gen int64) (int, error) {
	return 0, errTODO
}

// FailPartnerSync is not implemented yet.
func (db *DB) FailPartnerSync(ctx context.Context, actorID int64, msg string, next time.Time) error {
	return errTODO
}
