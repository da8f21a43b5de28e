package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// remotePrincipal resolves the verified signer of a request from the
// network. A linked, unblocked partner organisation is a partner whose
// Shares are the modules its policy gives it that are on; every other
// signer (a person, a pending or blocked partner, an actor of a blocked
// host) reads what the public reads, and so does an unsigned request.
//
// A partner's members are not told apart from other fediverse actors:
// nothing the member signs proves that the partner vouches for it (a
// shared host is no proof), so they read the public records and reach
// partners-only ones through their organisation's cache.
func remotePrincipal(ctx context.Context, tx *sql.Tx, signer string) (shrooms.Principal, error) {
	p := shrooms.Principal{Remote: signer}
	if signer == "" {
		return p, nil
	}
	org, err := findOrgActor(ctx, tx)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return p, nil // no organisation yet: no partners either
	}
	if err != nil {
		return p, err
	}
	var modules string
	err = tx.QueryRowContext(ctx, `SELECT p.modules FROM partners p
		WHERE p.actor_id IN (`+linkedPartnersSQL+` AND a.iri = ?)`, org.ID, org.ID, signer).Scan(&modules)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("resolve signer: %w", err)
	}
	values, err := settingValues(ctx, tx)
	if err != nil {
		return p, err
	}
	on := settingsFrom(values)
	p.Partner = true
	for _, m := range strings.Split(modules, ",") {
		if m != "" && on.HasModule(m) {
			p.Shares = append(p.Shares, m)
		}
	}
	return p, nil
}
