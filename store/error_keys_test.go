package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// wantKey fails unless err carries key and field: the catalog id that
// translates it and the form field it concerns.
func wantKey(t *testing.T, err error, key, field string) {
	t.Helper()
	if shrooms.ErrorKey(err) != key || shrooms.ErrorField(err) != field {
		t.Fatalf("%v has key %q and field %q, want %q and %q", err, shrooms.ErrorKey(err), shrooms.ErrorField(err), key, field)
	}
}

// TestErrorKeys: the store's refusals carry a stable key and the field
// they concern, whether a constraint, a missing record or an import row
// raised them.
func TestErrorKeys(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	t.Run("taken username", func(t *testing.T) {
		dup := &shrooms.User{Username: "olga", Email: "olga2@example.org", Role: shrooms.RoleMember}
		wantKey(t, v.db.Users.CreateUser(sys, dup, password), "account.error.db_username_taken", "username")
	})
	t.Run("username taken by the organisation's handle", func(t *testing.T) {
		org := &shrooms.User{Username: "org", Email: "org@example.org", Role: shrooms.RoleMember}
		wantKey(t, v.db.Users.CreateUser(sys, org, password), "account.error.db_username_taken", "username")
	})
	t.Run("taken e-mail", func(t *testing.T) {
		dup := &shrooms.User{Username: "olga2", Email: v.owner.Email, Role: shrooms.RoleMember}
		wantKey(t, v.db.Users.CreateUser(sys, dup, password), "account.error.email_taken", "email")
	})
	t.Run("missing item", func(t *testing.T) {
		_, err := v.db.Items.FindItemByID(as(v.member), 999999)
		wantCode(t, err, shrooms.ENOTFOUND, "item not found")
		wantKey(t, err, "items.error.db_item_not_found", "")
	})
	t.Run("missing group", func(t *testing.T) {
		_, err := v.db.Groups.FindGroupByID(sys, 999999)
		wantKey(t, err, "admin.error.db_group_not_found", "")
	})
	t.Run("import rows", func(t *testing.T) {
		rows, err := v.db.Items.ImportItems(as(v.staff), []*shrooms.Item{
			{Name: "Lamp", PlaceID: 999},
			{Name: "Box", KitID: 999},
		}, 2, true)
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %+v, %v", rows, err)
		}
		if r := rows[0]; r.Key != "items.error.db_place_missing" || r.Field != "place" || r.Message != "place not found" {
			t.Fatalf("row %+v", r)
		}
		if r := rows[1]; r.Key != "items.error.db_kit_not_found" || r.Field != "kit" || r.Message != "kit not found" {
			t.Fatalf("row %+v", r)
		}
	})
}
