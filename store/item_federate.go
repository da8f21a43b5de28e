package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// federateItem writes to the outbox what a change of an item tells the
// federation, in the caller's transaction. before is nil for a new item,
// after nil for a deleted one. Until partnerships exist only the public
// audience leaves the node: an item that becomes public is a Create, a
// public item that changes is an Update, and one that stops being public
// or is deleted is a Delete. Anything else federates nothing, and neither
// does anything while the inventory module is off.
func (db *DB) federateItem(ctx context.Context, tx *sql.Tx, before, after *shrooms.Item) error {
	wasPublic := before != nil && before.Audience == shrooms.AudiencePublic
	isPublic := after != nil && after.Audience == shrooms.AudiencePublic
	var typ shrooms.ActivityType
	switch {
	case wasPublic && isPublic:
		typ = shrooms.ActivityUpdate
	case isPublic:
		typ = shrooms.ActivityCreate
	case wasPublic:
		typ = shrooms.ActivityDelete
	default:
		return nil
	}
	on, err := moduleOn(ctx, tx, "inventory")
	if err != nil || !on {
		return err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return err
	}
	id := before
	if id == nil {
		id = after
	}
	act := &shrooms.Activity{
		IRI:        db.iris.NewActivity(),
		Type:       typ,
		Actor:      org.IRI,
		Object:     db.iris.Item(id.ID),
		ObjectType: "Item",
		To:         []string{shrooms.PublicAudience},
		CC:         []string{org.Followers},
		Published:  db.now(),
	}
	if typ != shrooms.ActivityDelete {
		act.Item = publicSnapshot(after)
		if err := keepPublicRefs(ctx, tx, act.Item); err != nil {
			return err
		}
	}
	_, err = db.insertOutbox(ctx, tx, org.ID, act)
	return err
}

// publicSnapshot is a copy of an item as it may leave the node: the place
// only when it is public, and no member's name.
func publicSnapshot(i *shrooms.Item) *shrooms.Item {
	c := *i
	c.OwnerName = ""
	if c.Place != nil && !c.Place.Public {
		c.Place, c.PlaceID = nil, 0
	}
	if c.Place != nil {
		pl := *c.Place
		c.Place = &pl
	}
	c.Fields = make(map[string]string, len(i.Fields))
	for k, v := range i.Fields {
		c.Fields[k] = v
	}
	c.Photos = append([]shrooms.Photo(nil), i.Photos...)
	c.Contents = append([]shrooms.ItemRef(nil), i.Contents...)
	c.FieldDefs = append([]shrooms.CustomField(nil), i.FieldDefs...)
	return &c
}

// keepPublicRefs drops from a snapshot the kit and the contents that are
// not public themselves: their names must not leave the node either.
func keepPublicRefs(ctx context.Context, tx *sql.Tx, i *shrooms.Item) error {
	public := func(id int64) (bool, error) {
		var aud string
		err := tx.QueryRowContext(ctx, `SELECT audience FROM items WHERE id = ?`, id).Scan(&aud)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return aud == string(shrooms.AudiencePublic), err
	}
	if i.Kit != nil {
		ok, err := public(i.Kit.ID)
		if err != nil {
			return fmt.Errorf("federate item: %w", err)
		}
		if !ok {
			i.Kit, i.KitID = nil, 0
		}
	}
	var kept []shrooms.ItemRef
	for _, r := range i.Contents {
		ok, err := public(r.ID)
		if err != nil {
			return fmt.Errorf("federate item: %w", err)
		}
		if ok {
			kept = append(kept, r)
		}
	}
	i.Contents = kept
	return nil
}
