package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// recordChange adds one entry to an item's history, in the caller's
// transaction. The user is p's (none for the node itself); their name is
// kept so that the entry still reads right once the account is gone.
func (db *DB) recordChange(ctx context.Context, tx *sql.Tx, p shrooms.Principal, itemID int64,
	action shrooms.ChangeAction, fields []shrooms.FieldChange, note string) error {
	var userID any
	var userName string
	if p.User != nil && p.User.ID != 0 {
		userID, userName = p.User.ID, displayName(p.User.Name, p.User.Username)
	}
	if fields == nil {
		fields = []shrooms.FieldChange{}
	}
	body, err := json.Marshal(fields)
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
// an item, with values as people read them: names rather than IDs, money
// as 12.50, loan rules spelled out, custom fields by their label.
func diffItems(ctx context.Context, tx *sql.Tx, a, b *shrooms.Item) ([]shrooms.FieldChange, error) {
	var out []shrooms.FieldChange
	add := func(field, from, to string) {
		if from != to {
			out = append(out, shrooms.FieldChange{Field: field, From: from, To: to})
		}
	}
	add("kind", string(a.Kind), string(b.Kind))
	add("name", a.Name, b.Name)
	if a.Description != b.Description {
		// Both kept whole would double a long text in every entry.
		out = append(out, shrooms.FieldChange{Field: "description", From: shorten(a.Description), To: shorten(b.Description)})
	}
	add("category", a.CategoryPath, b.CategoryPath)
	add("condition", string(a.Condition), string(b.Condition))
	add("value", money(a.ValueCents), money(b.ValueCents))
	add("status", string(a.Status), string(b.Status))
	add("loanable", yesNo(a.Loanable), yesNo(b.Loanable))
	add("loan", loanRules(a.Loan), loanRules(b.Loan))
	add("owner", a.OwnerName, b.OwnerName)
	if a.GroupID != b.GroupID {
		from, err := groupName(ctx, tx, a.GroupID)
		if err != nil {
			return nil, err
		}
		to, err := groupName(ctx, tx, b.GroupID)
		if err != nil {
			return nil, err
		}
		add("group", from, to)
	}
	add("place", placePath(a.Place), placePath(b.Place))
	add("kit", kitName(a.Kit), kitName(b.Kit))
	add("audience", string(a.Audience), string(b.Audience))
	add("unit", a.Unit, b.Unit)
	add("min_quantity", strconv.FormatInt(a.MinQuantity, 10), strconv.FormatInt(b.MinQuantity, 10))
	// Custom fields by label: the new category's definitions first, then
	// any the old one had.
	seen := map[string]bool{}
	for _, defs := range [][]shrooms.CustomField{b.FieldDefs, a.FieldDefs} {
		for _, d := range defs {
			if !seen[d.Key] {
				seen[d.Key] = true
				add(d.Label, a.Fields[d.Key], b.Fields[d.Key])
			}
		}
	}
	return out, nil
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

// money writes cents as 12.50.
func money(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// loanRules spells the rules out: "at most 14 days, deposit 20.00,
// members, partners".
func loanRules(l shrooms.LoanRules) string {
	var parts []string
	if l.MaxDays > 0 {
		parts = append(parts, fmt.Sprintf("at most %d days", l.MaxDays))
	} else {
		parts = append(parts, "no time limit")
	}
	if l.DepositCents > 0 {
		parts = append(parts, "deposit "+money(l.DepositCents))
	} else {
		parts = append(parts, "no deposit")
	}
	var who []string
	if l.Members {
		who = append(who, "members")
	}
	if l.Partners {
		who = append(who, "partners")
	}
	if len(who) == 0 {
		who = append(who, "nobody")
	}
	parts = append(parts, "lent to "+strings.Join(who, " and "))
	return strings.Join(parts, ", ")
}

func placePath(p *shrooms.Place) string {
	if p == nil {
		return ""
	}
	return p.Path
}

func kitName(k *shrooms.ItemRef) string {
	if k == nil {
		return ""
	}
	return k.Name
}

func groupName(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM groups WHERE id = ?`, id).Scan(&name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("group name: %w", err)
	}
	return name, nil
}

// FindItemHistory returns the changes of an item the caller may read,
// newest first, with their total. Returns ENOTFOUND.
func (db *DB) FindItemHistory(ctx context.Context, itemID int64, offset, limit int) ([]*shrooms.ItemChange, int, error) {
	offset, limit = page(offset, limit)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	if _, _, err := db.readableItem(ctx, tx, itemID); err != nil {
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
	defer rows.Close()
	var out []*shrooms.ItemChange
	for rows.Next() {
		var ch shrooms.ItemChange
		var fields string
		var at sql.NullInt64
		if err := rows.Scan(&ch.ID, &ch.ItemID, &ch.UserID, &ch.UserName, &ch.Action, &fields, &ch.Note, &at); err != nil {
			return nil, 0, fmt.Errorf("find item history: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &ch.Fields); err != nil {
			return nil, 0, fmt.Errorf("item change %d: decode fields: %w", ch.ID, err)
		}
		ch.At = fromMS(at)
		out = append(out, &ch)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find item history: %w", err)
	}
	return out, total, nil
}
