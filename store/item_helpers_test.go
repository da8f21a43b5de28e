package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// inv is a node with people (see newPeople), an owner and a group member
// (both members), a group, a category tree with custom fields and a
// place tree, written straight into the database so that these tests do
// not depend on the category and place services.
type inv struct {
	*people
	raw     *sql.DB
	owner   *shrooms.User
	grouper *shrooms.User
	group   *shrooms.Group
	// tools › power (field watts: number, required) › drills (field
	// chuck: choice 10mm/13mm); kitchen.
	tools, power, drills, kitchen int64
	// workshop (public) › shelf (not public); storage (not public).
	workshop, shelf, storage int64
}

func newInv(t *testing.T) *inv {
	t.Helper()
	p := newPeople(t)
	v := &inv{people: p, raw: rawDB(t, p.db.Path())}
	v.owner = createUser(t, p.db, "olga", shrooms.RoleMember)
	v.grouper = createUser(t, p.db, "gus", shrooms.RoleMember)
	v.group = &shrooms.Group{Name: "Woodwork"}
	if err := p.db.Groups.CreateGroup(sys, v.group); err != nil {
		t.Fatal(err)
	}
	if err := p.db.Groups.SetGroupMembers(sys, v.group.ID, []int64{v.grouper.ID}); err != nil {
		t.Fatal(err)
	}
	v.tools = v.exec(t, `INSERT INTO categories (parent_id, name, created_at) VALUES (NULL, 'Tools', 0)`)
	v.power = v.exec(t, `INSERT INTO categories (parent_id, name, created_at) VALUES (?, 'Power tools', 0)`, v.tools)
	v.drills = v.exec(t, `INSERT INTO categories (parent_id, name, created_at) VALUES (?, 'Drills', 0)`, v.power)
	v.kitchen = v.exec(t, `INSERT INTO categories (parent_id, name, created_at) VALUES (NULL, 'Kitchen', 0)`)
	v.exec(t, `INSERT INTO custom_fields (category_id, key, label, type, required, position) VALUES (?, 'watts', 'Power (W)', 'number', 1, 1)`, v.power)
	v.exec(t, `INSERT INTO custom_fields (category_id, key, label, type, choices, position) VALUES (?, 'chuck', 'Chuck', 'choice', '["10mm","13mm"]', 1)`, v.drills)
	v.workshop = v.exec(t, `INSERT INTO places (parent_id, kind, name, public, created_at, updated_at) VALUES (NULL, 'workshop', 'Workshop', 1, 0, 0)`)
	v.shelf = v.exec(t, `INSERT INTO places (parent_id, kind, name, public, created_at, updated_at) VALUES (?, 'shelf', 'Shelf A', 0, 0, 0)`, v.workshop)
	v.storage = v.exec(t, `INSERT INTO places (parent_id, kind, name, public, created_at, updated_at) VALUES (NULL, 'storage', 'Cellar', 0, 0, 0)`)
	return v
}

// exec runs a statement on the raw database and returns the last row ID.
func (v *inv) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	res, err := v.raw.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// item creates an item as staff.
func (v *inv) item(t *testing.T, i *shrooms.Item) *shrooms.Item {
	t.Helper()
	if err := v.db.Items.CreateItem(as(v.staff), i); err != nil {
		t.Fatalf("CreateItem %s: %v", i.Name, err)
	}
	return i
}

// outbox returns the item activities in the outbox, oldest first.
func (v *inv) outbox(t *testing.T) []*shrooms.Activity {
	t.Helper()
	entries, _, err := v.db.Outbox.FindOutboxEntries(sys, shrooms.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []*shrooms.Activity
	for k := len(entries) - 1; k >= 0; k-- {
		if a := entries[k].Activity; a.ObjectType == "Item" {
			out = append(out, &a)
		}
	}
	return out
}

var bg = context.Background()

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
