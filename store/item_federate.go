package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemRecipients is who holds a copy of an item: the public (To Public,
// CC our followers) and partner actors addressed by IRI.
type itemRecipients struct {
	public   bool
	partners []string
}

func (r itemRecipients) empty() bool { return !r.public && len(r.partners) == 0 }

// recipientsOf returns who receives item i: public items go to the public
// and our followers, partners items to every linked, unblocked partner
// whose policy shares the item's module, members and staff items to
// nobody.
func recipientsOf(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, i *shrooms.Item) (itemRecipients, error) {
	switch {
	case i == nil:
		return itemRecipients{}, nil
	case i.Audience == shrooms.AudiencePublic:
		return itemRecipients{public: true}, nil
	case i.Audience != shrooms.AudiencePartners:
		return itemRecipients{}, nil
	}
	iris, err := sharingPartners(ctx, tx, org, shrooms.ItemModule(i.Kind))
	return itemRecipients{partners: iris}, err
}

// sharingPartners returns the IRIs of the linked, unblocked partners whose
// policy shares module, in IRI order.
func sharingPartners(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, module string) ([]string, error) {
	return queryColumn[string](ctx, tx, "find partners", `SELECT iri FROM actors WHERE id IN (`+linkedPartnersSQL+`
		AND `+sharesModuleSQL+`) ORDER BY iri`, org.ID, org.ID, module)
}

// minus returns the elements of a missing from b.
func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}

// federateItem writes to the outbox what a change of an item tells the
// federation, in the caller's transaction. before is nil for a new item,
// after nil for a deleted one. Those who receive the item after the
// change (recipientsOf) get a Create, or an Update when someone held it
// before; those who held it and no longer may get a Delete. A public item
// that becomes partners-only is deleted for the public and our followers
// except the partners that keep it (Activity.Except). Nothing federates
// while the inventory module is off.
func (db *DB) federateItem(ctx context.Context, tx *sql.Tx, before, after *shrooms.Item) error {
	aud := func(i *shrooms.Item) shrooms.Audience {
		if i == nil {
			return ""
		}
		return i.Audience
	}
	shared := func(a shrooms.Audience) bool { return a == shrooms.AudiencePublic || a == shrooms.AudiencePartners }
	if !shared(aud(before)) && !shared(aud(after)) {
		return nil // the common case costs no query
	}
	on, err := moduleOn(ctx, tx, inventory)
	if err != nil || !on {
		return err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return err
	}
	was, err := recipientsOf(ctx, tx, org, before)
	if err != nil {
		return err
	}
	now, err := recipientsOf(ctx, tx, org, after)
	if err != nil {
		return err
	}
	if !now.empty() {
		typ := shrooms.ActivityUpdate
		if was.empty() {
			typ = shrooms.ActivityCreate
		}
		if err := db.sendItem(ctx, tx, org, typ, after, now); err != nil {
			return err
		}
	}
	id := before
	if id == nil {
		id = after
	}
	switch {
	case was.public && !now.public:
		// Our followers include the partners: those keeping the object
		// must not see it deleted.
		return db.sendItemDelete(ctx, tx, org, id.ID, itemRecipients{public: true}, now.partners)
	case !now.public:
		if gone := minus(was.partners, now.partners); len(gone) > 0 {
			return db.sendItemDelete(ctx, tx, org, id.ID, itemRecipients{partners: gone}, nil)
		}
	}
	return nil
}

// address fills an activity's To and CC for recipients r.
func (r itemRecipients) address(org *shrooms.Actor, act *shrooms.Activity) {
	if r.public {
		act.To, act.CC = []string{shrooms.PublicAudience}, []string{org.Followers}
		return
	}
	act.To = append([]string(nil), r.partners...)
}

// sendItem writes a Create or Update of item i, addressed to r, with the
// snapshot that may leave the node.
func (db *DB) sendItem(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, typ shrooms.ActivityType,
	i *shrooms.Item, r itemRecipients) error {
	act := &shrooms.Activity{
		IRI:        db.iris.NewActivity(),
		Type:       typ,
		Actor:      org.IRI,
		Object:     db.iris.Item(i.ID),
		ObjectType: "Item",
		Item:       publicSnapshot(i),
		Published:  db.now(),
	}
	r.address(org, act)
	if err := keepSharedRefs(ctx, tx, act.Item); err != nil {
		return err
	}
	_, err := db.insertOutbox(ctx, tx, org.ID, act)
	return err
}

// sendItemDelete writes a Delete of item id addressed to r, skipping the
// actors in except when a followers collection is expanded.
func (db *DB) sendItemDelete(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, id int64, r itemRecipients, except []string) error {
	act := &shrooms.Activity{
		IRI:        db.iris.NewActivity(),
		Type:       shrooms.ActivityDelete,
		Actor:      org.IRI,
		Object:     db.iris.Item(id),
		ObjectType: "Item",
		Except:     except,
		Published:  db.now(),
	}
	r.address(org, act)
	_, err := db.insertOutbox(ctx, tx, org.ID, act)
	return err
}

// publicSnapshot is a copy of an item as it may leave the node: the place
// only when it is public, and no member's name. Partners get the same.
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

// keepSharedRefs drops from a snapshot the kit and the contents whose
// names may not go where the item goes: a public item keeps only public
// ones, a partners item public and partners ones.
func keepSharedRefs(ctx context.Context, tx *sql.Tx, i *shrooms.Item) error {
	shown := func(id int64) (bool, error) {
		var aud string
		err := tx.QueryRowContext(ctx, `SELECT audience FROM items WHERE id = ?`, id).Scan(&aud)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		a := shrooms.Audience(aud)
		return a == shrooms.AudiencePublic || a == shrooms.AudiencePartners && i.Audience == shrooms.AudiencePartners, err
	}
	if i.Kit != nil {
		ok, err := shown(i.Kit.ID)
		if err != nil {
			return fmt.Errorf("federate item: %w", err)
		}
		if !ok {
			i.Kit, i.KitID = nil, 0
		}
	}
	var kept []shrooms.ItemRef
	for _, r := range i.Contents {
		ok, err := shown(r.ID)
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
