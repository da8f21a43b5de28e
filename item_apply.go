package shrooms

// Apply returns the item that u makes of i, checked and normalised by
// Validate, and the action the history records for the change. i is left
// as it is. The rules, the same whoever changes the item:
//
//   - Only the fields u sets change; Fields replaces every custom value.
//   - An item that is not a part and holds no stock loses its unit and
//     minimum: a part that becomes a tool has no stock left to describe.
//     (A part with stock left stays refused by Validate, so the stock is
//     moved out first rather than silently dropped.)
//   - A move to on_loan is a check-out, a move from on_loan back to
//     available a check-in; every other change is an update.
//
// The quantity is never changed here: only stock movements change it.
// Returns EINVALID naming the field.
func (i *Item) Apply(u ItemUpdate) (*Item, ChangeAction, error) {
	out := *i
	out.applySet(u)
	if out.Kind != KindPart && out.Quantity == 0 {
		out.Unit, out.MinQuantity = "", 0
	}
	if err := out.Validate(); err != nil {
		return nil, "", err
	}
	action := ActionUpdated
	switch {
	case i.Status != StatusOnLoan && out.Status == StatusOnLoan:
		action = ActionCheckedOut
	case i.Status == StatusOnLoan && out.Status == StatusAvailable:
		action = ActionCheckedIn
	}
	return &out, action, nil
}

// applySet copies the fields u sets onto i.
func (i *Item) applySet(u ItemUpdate) {
	set := func(dst *int64, src *int64) {
		if src != nil {
			*dst = *src
		}
	}
	if u.Kind != nil {
		i.Kind = *u.Kind
	}
	if u.Name != nil {
		i.Name = *u.Name
	}
	if u.Description != nil {
		i.Description = *u.Description
	}
	if u.Condition != nil {
		i.Condition = *u.Condition
	}
	if u.Status != nil {
		i.Status = *u.Status
	}
	if u.Loanable != nil {
		i.Loanable = *u.Loanable
	}
	if u.Loan != nil {
		i.Loan = *u.Loan
	}
	if u.Audience != nil {
		i.Audience = *u.Audience
	}
	if u.Unit != nil {
		i.Unit = *u.Unit
	}
	set(&i.CategoryID, u.CategoryID)
	set(&i.ValueCents, u.ValueCents)
	set(&i.OwnerID, u.OwnerID)
	set(&i.GroupID, u.GroupID)
	set(&i.PlaceID, u.PlaceID)
	set(&i.KitID, u.KitID)
	set(&i.MinQuantity, u.MinQuantity)
	if u.Fields != nil {
		i.Fields = u.Fields
	}
}

// CheckLendingStatus refuses moving a loanable item in or out of on_loan
// by hand while lending is on: the desk checks it out and in through its
// loans, so that an item's status and its loans never disagree. Returns
// ECONFLICT naming the status field.
func CheckLendingStatus(before, after *Item, lending bool) error {
	if !lending || !before.Loanable && !after.Loanable {
		return nil
	}
	if (before.Status == StatusOnLoan) != (after.Status == StatusOnLoan) {
		return Errorf(ECONFLICT, "status: a loanable item goes out and comes back through the lending desk").
			Keyed("items.error.status_desk").On("status")
	}
	return nil
}
