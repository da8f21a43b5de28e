package shrooms

import "time"

// ItemChange is one entry of an item's history, as FindItemHistory shows
// it to its reader.
type ItemChange struct {
	ID     int64 `json:"id"`
	ItemID int64 `json:"item_id"`
	// UserID is who did it, 0 for the node itself; UserName their name as
	// it was then. Readers who are not local users get neither (members'
	// names stay with members) but UserHidden.
	UserID     int64         `json:"user_id"`
	UserName   string        `json:"user_name"`
	UserHidden bool          `json:"user_hidden,omitempty"`
	Action     ChangeAction  `json:"action"`
	Fields     []FieldChange `json:"fields,omitempty"`
	Note       string        `json:"note,omitempty"`
	At         time.Time     `json:"at"`
}

// ChangeAction says what happened to an item.
type ChangeAction string

// History actions.
const (
	ActionCreated    ChangeAction = "created"
	ActionUpdated    ChangeAction = "updated"
	ActionCheckedOut ChangeAction = "checked_out"
	ActionCheckedIn  ChangeAction = "checked_in"
	ActionStock      ChangeAction = "stock"
	ActionPhoto      ChangeAction = "photo"
	ActionImported   ChangeAction = "imported"
)

// ChangeField is the stable key of a field in an item's history, for the
// API and for translations: the history stores keys and values, never
// words of one language.
type ChangeField string

// History field keys and what their ChangeValues hold.
const (
	ChangeKind        ChangeField = "kind"         // Text: an ItemKind
	ChangeName        ChangeField = "name"         // Text
	ChangeDescription ChangeField = "description"  // Text, cut to 300 characters
	ChangeCategory    ChangeField = "category"     // a reference
	ChangeCondition   ChangeField = "condition"    // Text: a Condition
	ChangeValueCents  ChangeField = "value"        // Number: cents
	ChangeStatus      ChangeField = "status"       // Text: an ItemStatus
	ChangeLoanable    ChangeField = "loanable"     // Bool
	ChangeLoan        ChangeField = "loan"         // Loan
	ChangeOwner       ChangeField = "owner"        // a reference to a user
	ChangeGroup       ChangeField = "group"        // a reference
	ChangePlace       ChangeField = "place"        // a reference
	ChangeKit         ChangeField = "kit"          // a reference to an item
	ChangeAudience    ChangeField = "audience"     // Text: an Audience
	ChangeUnit        ChangeField = "unit"         // Text
	ChangeMinQuantity ChangeField = "min_quantity" // Number
	ChangeQuantity    ChangeField = "quantity"     // Number, and Text the unit
	ChangePhotos      ChangeField = "photos"       // Number: how many
	ChangeCustom      ChangeField = "custom"       // Text or Bool; FieldChange.Key and Label name it
)

// IsReference reports whether the field points at another record, whose
// name each reader sees only when they may read it.
func (f ChangeField) IsReference() bool {
	switch f {
	case ChangeCategory, ChangeOwner, ChangeGroup, ChangePlace, ChangeKit:
		return true
	}
	return false
}

// FieldChange is one field's old and new value.
type FieldChange struct {
	Field ChangeField `json:"field"`
	// Key and Label name a custom field (Field "custom"): its key, and its
	// label when the change was made (labels are the admins' words, not
	// the interface's). History written before fields had keys has only
	// the label.
	Key   string      `json:"key,omitempty"`
	Label string      `json:"label,omitempty"`
	From  ChangeValue `json:"from"`
	To    ChangeValue `json:"to"`
}

// ChangeValue is one side of a FieldChange; the zero value is "none".
// Stored, it holds what the field held: a reference's ID, or the raw
// value. FindItemHistory adds to a reference the name its reader may see
// or, when they may not see it (or it is gone), leaves only Hidden, so
// that an entry tells nothing its reader may not know.
type ChangeValue struct {
	ID     int64      `json:"id,omitempty"`
	Name   string     `json:"name,omitempty"`
	Hidden bool       `json:"hidden,omitempty"`
	Text   string     `json:"text,omitempty"`
	Number *int64     `json:"number,omitempty"`
	Bool   *bool      `json:"bool,omitempty"`
	Loan   *LoanRules `json:"loan,omitempty"`
}

// Equal reports whether two values say the same.
func (v ChangeValue) Equal(w ChangeValue) bool {
	switch {
	case v.ID != w.ID || v.Name != w.Name || v.Hidden != w.Hidden || v.Text != w.Text:
		return false
	case (v.Number == nil) != (w.Number == nil) || v.Number != nil && *v.Number != *w.Number:
		return false
	case (v.Bool == nil) != (w.Bool == nil) || v.Bool != nil && *v.Bool != *w.Bool:
		return false
	case (v.Loan == nil) != (w.Loan == nil) || v.Loan != nil && !v.Loan.Equal(*w.Loan):
		return false
	}
	return true
}

// RefValue is a reference to the record id, "none" for 0.
func RefValue(id int64) ChangeValue { return ChangeValue{ID: id} }

// TextValue is a text or a code.
func TextValue(s string) ChangeValue { return ChangeValue{Text: s} }

// NumberValue is a number: cents, a count, a quantity.
func NumberValue(n int64) ChangeValue { return ChangeValue{Number: &n} }

// BoolValue is yes or no.
func BoolValue(b bool) ChangeValue { return ChangeValue{Bool: &b} }

// LoanValue is a set of loan rules.
func LoanValue(l LoanRules) ChangeValue { return ChangeValue{Loan: &l} }
