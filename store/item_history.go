package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// recordChange adds one entry to an item's history, in the caller's
// transaction. The user is p's (none for the node itself); their name is
// kept so that the entry still reads right once the account is gone.
// Fields are stored as keys, IDs and raw values: names and words are for
// FindItemHistory to add, for each reader in their rights and the
// handlers in their language.
func (db *DB) recordChange(ctx context.Context, tx *sql.Tx, p shrooms.Principal, itemID int64,
	action shrooms.ChangeAction, fields []shrooms.FieldChange, note string) error {
	var userID any
	var userName string
	if p.User != nil && p.User.ID != 0 {
		userID, userName = p.User.ID, displayName(p.User.Name, p.User.Username)
	}
	stored := make([]shrooms.FieldChange, 0, len(fields))
	for _, f := range fields {
		// A name in a stored entry would show to readers who may not read
		// the record it names.
		f.From.Name, f.From.Hidden, f.To.Name, f.To.Hidden = "", false, "", false
		stored = append(stored, f)
	}
	body, err := json.Marshal(stored)
	if err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_changes (item_id, user_id, user_name, action, fields, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, itemID, userID, userName, string(action), string(body), note,
		db.now().UnixMilli()); err != nil {
		return dbError(err, nil)
	}
	return nil
}

// diffItems lists the fields that differ between two loaded versions of
// an item: references by ID, money in cents, loan rules as numbers and
// booleans, codes as codes, custom fields by their key (with their label).
func diffItems(a, b *shrooms.Item) []shrooms.FieldChange {
	var out []shrooms.FieldChange
	add := func(field shrooms.ChangeField, from, to shrooms.ChangeValue) {
		if !from.Equal(to) {
			out = append(out, shrooms.FieldChange{Field: field, From: from, To: to})
		}
	}
	text := shrooms.TextValue
	add(shrooms.ChangeKind, text(string(a.Kind)), text(string(b.Kind)))
	add(shrooms.ChangeName, text(a.Name), text(b.Name))
	if a.Description != b.Description {
		// Both kept whole would double a long text in every entry.
		out = append(out, shrooms.FieldChange{Field: shrooms.ChangeDescription,
			From: text(shorten(a.Description)), To: text(shorten(b.Description))})
	}
	add(shrooms.ChangeCategory, shrooms.RefValue(a.CategoryID), shrooms.RefValue(b.CategoryID))
	add(shrooms.ChangeCondition, text(string(a.Condition)), text(string(b.Condition)))
	add(shrooms.ChangeValueCents, shrooms.NumberValue(a.ValueCents), shrooms.NumberValue(b.ValueCents))
	add(shrooms.ChangeStatus, text(string(a.Status)), text(string(b.Status)))
	add(shrooms.ChangeLoanable, shrooms.BoolValue(a.Loanable), shrooms.BoolValue(b.Loanable))
	add(shrooms.ChangeLoan, shrooms.LoanValue(a.Loan), shrooms.LoanValue(b.Loan))
	add(shrooms.ChangeOwner, shrooms.RefValue(a.OwnerID), shrooms.RefValue(b.OwnerID))
	add(shrooms.ChangeGroup, shrooms.RefValue(a.GroupID), shrooms.RefValue(b.GroupID))
	add(shrooms.ChangePlace, shrooms.RefValue(a.PlaceID), shrooms.RefValue(b.PlaceID))
	add(shrooms.ChangeKit, shrooms.RefValue(a.KitID), shrooms.RefValue(b.KitID))
	add(shrooms.ChangeAudience, text(string(a.Audience)), text(string(b.Audience)))
	add(shrooms.ChangeUnit, text(a.Unit), text(b.Unit))
	add(shrooms.ChangeMinQuantity, shrooms.NumberValue(a.MinQuantity), shrooms.NumberValue(b.MinQuantity))
	// Custom fields: the new category's definitions first, then any the
	// old one had.
	seen := map[string]bool{}
	for _, defs := range [][]shrooms.CustomField{b.FieldDefs, a.FieldDefs} {
		for _, d := range defs {
			if seen[d.Key] {
				continue
			}
			seen[d.Key] = true
			if from, to := a.Fields[d.Key], b.Fields[d.Key]; from != to {
				out = append(out, shrooms.FieldChange{Field: shrooms.ChangeCustom, Key: d.Key, Label: d.Label,
					From: customValue(d, from), To: customValue(d, to)})
			}
		}
	}
	return out
}

// customValue is a custom field's value in the history: yes or no for a
// boolean field, so that it reads in the reader's language.
func customValue(d shrooms.CustomField, v string) shrooms.ChangeValue {
	switch {
	case v == "":
		return shrooms.ChangeValue{}
	case d.Type == shrooms.FieldBool && (v == "true" || v == "false"):
		return shrooms.BoolValue(v == "true")
	}
	return shrooms.TextValue(v)
}

// quantityValue is a stock quantity with its unit.
func quantityValue(n int64, unit string) shrooms.ChangeValue {
	v := shrooms.NumberValue(n)
	v.Text = unit
	return v
}

// shorten keeps history entries readable when a long text changes.
func shorten(s string) string {
	const max = 300
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// FindItemHistory returns the changes of an item the caller may read,
// newest first, with their total. Each reference shows the name the
// caller may read, or Hidden (also when the record is gone); the name of
// who made a change shows to local users only. Returns ENOTFOUND.
func (s *ItemService) FindItemHistory(ctx context.Context, itemID int64, offset, limit int) ([]*shrooms.ItemChange, int, error) {
	offset, limit = page(offset, limit)
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	c, _, err := s.db.readableItem(ctx, tx, itemID)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM item_changes WHERE item_id = ?`, itemID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count item history: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, item_id, COALESCE(user_id, 0), user_name, action, fields, note, at
		FROM item_changes WHERE item_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, itemID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("find item history: %w", err)
	}
	var out []*shrooms.ItemChange
	for rows.Next() {
		var ch shrooms.ItemChange
		var fields string
		var at sql.NullInt64
		if err := rows.Scan(&ch.ID, &ch.ItemID, &ch.UserID, &ch.UserName, &ch.Action, &fields, &ch.Note, &at); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("find item history: %w", err)
		}
		if ch.Fields, err = decodeChanges([]byte(fields)); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("item change %d: %w", ch.ID, err)
		}
		ch.At = fromMS(at)
		out = append(out, &ch)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("find item history: %w", err)
	}
	r := newRefReader(c)
	for _, ch := range out {
		if c.p.User == nil && !c.p.System && (ch.UserID != 0 || ch.UserName != "") {
			// Members' names stay with members, as the item's owner's do.
			ch.UserID, ch.UserName, ch.UserHidden = 0, "", true
		}
		for k := range ch.Fields {
			f := &ch.Fields[k]
			if !f.Field.IsReference() {
				continue
			}
			for _, v := range []*shrooms.ChangeValue{&f.From, &f.To} {
				if err := r.resolve(ctx, tx, f.Field, v); err != nil {
					return nil, 0, err
				}
			}
		}
	}
	return out, total, nil
}

// resolve puts in v the name of the record it points at, when the
// caller may read it, or Hidden. A name without an ID comes from history
// written before the history was structured (see readsEvery).
func (r *refReader) resolve(ctx context.Context, tx *sql.Tx, field shrooms.ChangeField, v *shrooms.ChangeValue) error {
	switch {
	case v.ID != 0:
		name, ok, err := r.name(ctx, tx, field, v.ID)
		if err != nil {
			return err
		}
		if ok {
			v.Name, v.Hidden = name, false
		} else {
			*v = shrooms.ChangeValue{Hidden: true}
		}
	case v.Name != "":
		ok, err := r.readsEvery(ctx, tx, field)
		if err != nil {
			return err
		}
		if !ok {
			*v = shrooms.ChangeValue{Hidden: true}
		}
	}
	return nil
}

// decodeChanges reads an entry's stored fields, in either shape: values
// as objects since the history is structured, or as the English text
// written before (see legacyChange).
func decodeChanges(b []byte) ([]shrooms.FieldChange, error) {
	var raw []struct {
		Field string          `json:"field"`
		Key   string          `json:"key"`
		Label string          `json:"label"`
		From  json.RawMessage `json:"from"`
		To    json.RawMessage `json:"to"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decode fields: %w", err)
	}
	out := make([]shrooms.FieldChange, 0, len(raw))
	for _, f := range raw {
		from, to := bytes.TrimSpace(f.From), bytes.TrimSpace(f.To)
		if len(from) > 0 && from[0] == '"' || len(to) > 0 && to[0] == '"' {
			var a, b string
			if err := json.Unmarshal(orEmpty(from), &a); err != nil {
				return nil, fmt.Errorf("decode fields: %w", err)
			}
			if err := json.Unmarshal(orEmpty(to), &b); err != nil {
				return nil, fmt.Errorf("decode fields: %w", err)
			}
			out = append(out, legacyChange(f.Field, a, b))
			continue
		}
		fc := shrooms.FieldChange{Field: shrooms.ChangeField(f.Field), Key: f.Key, Label: f.Label}
		for _, side := range []struct {
			raw []byte
			dst *shrooms.ChangeValue
		}{{from, &fc.From}, {to, &fc.To}} {
			if len(side.raw) == 0 || string(side.raw) == "null" {
				continue
			}
			if err := json.Unmarshal(side.raw, side.dst); err != nil {
				return nil, fmt.Errorf("decode fields: %w", err)
			}
		}
		out = append(out, fc)
	}
	return out, nil
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 || string(b) == "null" {
		return []byte(`""`)
	}
	return b
}
