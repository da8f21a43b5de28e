package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// refReader decides which of the records an item points at (category,
// place, owner, group, kit) its caller may read. One rule serves writes,
// where a reference may only point at what its author may read, and the
// history, where each reader sees only the names they may read. It
// caches what it loads: a page of history names the same few records
// over and over.
type refReader struct {
	c itemCaller
	// allPlaces and people are computed once: whether the caller sees
	// every place, and may read members' profiles.
	allPlaces, people *bool
	places            map[int64]placeNode
	categories        map[int64]string
	names             map[refKey]refName
}

// placeNode is what the history needs of a place.
type placeNode struct {
	parent int64
	name   string
	public bool
}

type refKey struct {
	field shrooms.ChangeField
	id    int64
}

// refName is a record's name and whether the caller may read it.
type refName struct {
	name string
	ok   bool
}

func newRefReader(c itemCaller) *refReader {
	return &refReader{c: c, names: map[refKey]refName{}}
}

// name returns what the caller may know of the record a reference field
// points at: its name when they may read it (a place or category by its
// path), ok false when they may not or it is gone.
func (r *refReader) name(ctx context.Context, tx *sql.Tx, field shrooms.ChangeField, id int64) (string, bool, error) {
	k := refKey{field, id}
	if n, ok := r.names[k]; ok {
		return n.name, n.ok, nil
	}
	var n refName
	var err error
	switch field {
	case shrooms.ChangeCategory:
		n, err = r.category(ctx, tx, id)
	case shrooms.ChangePlace:
		n, err = r.place(ctx, tx, id)
	case shrooms.ChangeOwner:
		n, err = r.user(ctx, tx, id)
	case shrooms.ChangeGroup:
		n, err = r.group(ctx, tx, id)
	case shrooms.ChangeKit:
		n.name, _, n.ok, err = r.kit(ctx, tx, id)
	default:
		return "", false, fmt.Errorf("reference field %q", field)
	}
	if err != nil {
		return "", false, err
	}
	r.names[k] = n
	return n.name, n.ok, nil
}

// category: categories are not secret; anyone who may use the
// inventory may read them.
func (r *refReader) category(ctx context.Context, tx *sql.Tx, id int64) (refName, error) {
	if r.categories == nil {
		paths, err := itemTreePaths(ctx, tx, "categories")
		if err != nil {
			return refName{}, err
		}
		r.categories = paths
	}
	p, ok := r.categories[id]
	return refName{p, ok}, nil
}

// seesAllPlaces reports whether the caller may read every place: the
// system, or a user with read access to the locations module while it
// is on. Others read the public places, as FindPlaceByID says.
func (r *refReader) seesAllPlaces(ctx context.Context, tx *sql.Tx) (bool, error) {
	if r.allPlaces == nil {
		ok, err := r.c.seesPlaces(ctx, tx)
		if err != nil {
			return false, err
		}
		r.allPlaces = &ok
	}
	return *r.allPlaces, nil
}

// place reads a place as FindPlaceByID would let the caller: every place
// for those who see them all, the public ones (while the module is on)
// for others, by its path as placePath cuts it.
func (r *refReader) place(ctx context.Context, tx *sql.Tx, id int64) (refName, error) {
	if r.places == nil {
		nodes, err := placeNodes(ctx, tx)
		if err != nil {
			return refName{}, err
		}
		r.places = nodes
	}
	all, err := r.seesAllPlaces(ctx, tx)
	if err != nil {
		return refName{}, err
	}
	if !all && !r.c.p.System {
		on, err := moduleOn(ctx, tx, locations)
		if err != nil || !on {
			return refName{}, err
		}
	}
	path, ok := placePath(r.places, id, all)
	return refName{path, ok}, nil
}

// placeNodes loads every place's parent, name and public flag. Places are
// few (tens or hundreds), so one scan serves every path.
func placeNodes(ctx context.Context, tx *sql.Tx) (map[int64]placeNode, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), name, public FROM places`)
	if err != nil {
		return nil, fmt.Errorf("load places: %w", err)
	}
	defer rows.Close()
	nodes := map[int64]placeNode{}
	for rows.Next() {
		var id int64
		var p placeNode
		if err := rows.Scan(&id, &p.parent, &p.name, &p.public); err != nil {
			return nil, fmt.Errorf("load places: %w", err)
		}
		nodes[id] = p
	}
	return nodes, rows.Err()
}

// placePath is the path of place id ("Workshop › Shelf A") as a reader
// sees it: whole for those who see every place; for the others, who read
// only public places, it stops below the first ancestor that is not
// public, whose name is not theirs to read. ok is false when the reader
// may not see the place itself, or it is gone.
func placePath(nodes map[int64]placeNode, id int64, all bool) (string, bool) {
	p, ok := nodes[id]
	if !ok || !all && !p.public {
		return "", false
	}
	names := []string{p.name}
	for at, depth := p.parent, 0; at != 0 && depth < len(nodes); depth++ {
		q, ok := nodes[at]
		if !ok || !all && !q.public {
			break
		}
		names = append(names, q.name)
		at = q.parent
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return strings.Join(names, " › "), true
}

// seesPeople reports whether the caller may read members' profiles: the
// people module's read grant while it is on.
func (r *refReader) seesPeople(ctx context.Context, tx *sql.Tx) (bool, error) {
	if r.people == nil {
		ok := r.c.p.System
		if !ok && r.c.p.User != nil {
			on, err := moduleOn(ctx, tx, peopleModule)
			if err != nil {
				return false, err
			}
			ok = on && r.c.p.ModuleAccess(r.c.grants, peopleModule)&shrooms.AccessRead != 0
		}
		r.people = &ok
	}
	return *r.people, nil
}

// user reads an account as FindProfile would let the caller: their own
// and every one for admins and the system; active ones for those who
// may read profiles.
func (r *refReader) user(ctx context.Context, tx *sql.Tx, id int64) (refName, error) {
	u, err := findUserByID(ctx, tx, id)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return refName{}, nil
	} else if err != nil {
		return refName{}, err
	}
	ok := r.c.p.RequireSelfOrAdmin(id) == nil
	if !ok && u.Active() {
		if ok, err = r.seesPeople(ctx, tx); err != nil {
			return refName{}, err
		}
	}
	return refName{displayName(u.Name, u.Username), ok}, nil
}

// group reads a group as FindGroups lets the caller: every group for
// local users and the system, none for anyone else.
func (r *refReader) group(ctx context.Context, tx *sql.Tx, id int64) (refName, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM groups WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return refName{}, nil
	} else if err != nil {
		return refName{}, fmt.Errorf("load group: %w", err)
	}
	return refName{name, r.c.p.System || r.c.p.User != nil}, nil
}

// kit reads an item as FindItemByID lets the caller, with its kind.
func (r *refReader) kit(ctx context.Context, tx *sql.Tx, id int64) (string, shrooms.ItemKind, bool, error) {
	i := shrooms.Item{ID: id}
	err := tx.QueryRowContext(ctx, `SELECT kind, name, audience, COALESCE(owner_id, 0), COALESCE(group_id, 0)
		FROM items WHERE id = ?`, id).Scan(&i.Kind, &i.Name, &i.Audience, &i.OwnerID, &i.GroupID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	} else if err != nil {
		return "", "", false, fmt.Errorf("load kit: %w", err)
	}
	if r.c.can(&i, shrooms.AccessRead) != nil {
		return "", "", false, nil
	}
	return i.Name, i.Kind, true, nil
}

// readsEvery reports whether the caller may read every record a
// reference field can point at. History written before it was stored
// structured holds names, not IDs: nobody can tell any more which record
// a name was, so a name shows only to those who could read whichever it
// was (categories are not secret; staff with the people module read
// owners).
func (r *refReader) readsEvery(ctx context.Context, tx *sql.Tx, field shrooms.ChangeField) (bool, error) {
	switch field {
	case shrooms.ChangeCategory:
		return true, nil
	case shrooms.ChangePlace:
		return r.seesAllPlaces(ctx, tx)
	case shrooms.ChangeKit:
		return r.c.p.System || r.c.manager(), nil
	case shrooms.ChangeGroup:
		return r.c.p.System || r.c.p.User != nil, nil
	case shrooms.ChangeOwner:
		if r.c.p.System || r.c.p.User.IsAdmin() && r.c.p.User.Active() {
			return true, nil
		}
		if !r.c.manager() {
			return false, nil
		}
		return r.seesPeople(ctx, tx)
	}
	return false, nil
}

// checkItemRefs checks what an item points at and, when normalise is
// set, normalises its custom fields against its category's definitions.
// before is the stored item on update, nil on create. Each reference
// that is set or changed must point at a record the caller may read (a
// group: one they are in, unless they manage the inventory, as only
// root may give a file to a group it is not in); one they may not read
// is refused as if it did not exist, so that the refusal tells nothing.
// References left as they were are not checked again: staff may have set
// them. Returns ENOTFOUND naming the reference, EINVALID naming the
// field.
func checkItemRefs(ctx context.Context, tx *sql.Tx, c itemCaller, i *shrooms.Item, before *shrooms.Item, normalise bool) error {
	var was shrooms.Item
	if before != nil {
		was = *before
	}
	r := newRefReader(c)
	for _, ref := range []struct {
		field    shrooms.ChangeField
		id, prev int64
	}{
		{shrooms.ChangeCategory, i.CategoryID, was.CategoryID},
		{shrooms.ChangePlace, i.PlaceID, was.PlaceID},
		{shrooms.ChangeOwner, i.OwnerID, was.OwnerID},
		{shrooms.ChangeGroup, i.GroupID, was.GroupID},
	} {
		if ref.id == 0 || before != nil && ref.id == ref.prev {
			continue
		}
		_, ok, err := r.name(ctx, tx, ref.field, ref.id)
		if err != nil {
			return err
		}
		if ok && ref.field == shrooms.ChangeGroup && !c.p.System && !c.manager() && !slices.Contains(c.p.Groups, ref.id) {
			ok = false
		}
		if !ok {
			return refNotFound(ref.field)
		}
	}
	if i.KitID != 0 {
		if before != nil && i.KitID == before.ID {
			return shrooms.Errorf(shrooms.EINVALID, "kit: an item cannot be its own kit").Keyed("items.error.db_kit_self").On("kit")
		}
		if before == nil || i.KitID != before.KitID {
			_, kind, ok, err := r.kit(ctx, tx, i.KitID)
			if err != nil {
				return err
			}
			if !ok {
				return notFound("kit not found").Keyed("items.error.db_kit_not_found").On("kit")
			}
			if kind != shrooms.KindKit {
				return shrooms.Errorf(shrooms.EINVALID, "kit: the item chosen as kit is not a kit").Keyed("items.error.db_kit_not_kit").On("kit")
			}
		}
	}
	if before != nil && before.Kind == shrooms.KindKit && i.Kind != shrooms.KindKit {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE kit_id = ?`, before.ID).Scan(&n); err != nil {
			return fmt.Errorf("check kit contents: %w", err)
		}
		if n > 0 {
			return shrooms.Errorf(shrooms.EINVALID, "kind: the kit still contains items; take them out first").Keyed("items.error.db_kit_not_empty").On("kind")
		}
	}
	if !normalise {
		return nil
	}
	defs, err := itemFieldDefs(ctx, tx, i.CategoryID)
	if err != nil {
		return err
	}
	if i.Fields, err = shrooms.NormalizeFields(defs, i.Fields); err != nil {
		return err
	}
	if len(i.Fields) == 0 {
		i.Fields = nil
	}
	return nil
}

// refNotFound is the error for an item's reference to a record that does
// not exist or that the caller may not choose, on the reference's field.
func refNotFound(field shrooms.ChangeField) error {
	e := notFound("%s not found", field).On(string(field))
	switch field {
	case shrooms.ChangeCategory:
		return e.Keyed("items.error.category")
	case shrooms.ChangePlace:
		return e.Keyed("items.error.db_place_missing")
	case shrooms.ChangeOwner:
		return e.Keyed("items.error.db_owner_missing")
	case shrooms.ChangeGroup:
		return e.Keyed("items.error.db_group_missing")
	}
	return e.Keyed("items.error.db_ref_missing", "Field", string(field))
}
