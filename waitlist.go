package shrooms

import "time"

// WaitState is where a place on an item's waiting list stands. Places are
// served in order: when the item is back on the shelf, the first one
// waiting is offered it, with a pickup deadline in open days; it is then
// fulfilled (checked out to them), or expires and the next is offered.
type WaitState string

// Waiting list states.
const (
	WaitWaiting   WaitState = "waiting"
	WaitOffered   WaitState = "offered"
	WaitFulfilled WaitState = "fulfilled"
	WaitExpired   WaitState = "expired"
	WaitCancelled WaitState = "cancelled"
)

// WaitAction is what happens to a place on a waiting list.
type WaitAction string

// Waiting list actions.
const (
	WaitOffer   WaitAction = "offer"
	WaitFulfil  WaitAction = "fulfil"
	WaitExpire  WaitAction = "expire"
	WaitCancel  WaitAction = "cancel"
	WaitRequeue WaitAction = "requeue"
)

var waitTransitions = map[WaitState]map[WaitAction]WaitState{
	WaitWaiting: {WaitOffer: WaitOffered, WaitCancel: WaitCancelled},
	// An offer withdrawn because the item went back out of reach (sent to
	// repair) puts the place back where it was.
	WaitOffered: {WaitFulfil: WaitFulfilled, WaitExpire: WaitExpired, WaitCancel: WaitCancelled, WaitRequeue: WaitWaiting},
}

// NextWaitState returns the state action a leads to from s, or ECONFLICT.
func NextWaitState(s WaitState, a WaitAction) (WaitState, error) {
	if to, ok := waitTransitions[s][a]; ok {
		return to, nil
	}
	return "", Errorf(ECONFLICT, "a %s place on the waiting list cannot be %s", s, a).
		Keyed("loans.error.wait_transition", "State", string(s), "Action", string(a))
}

// Active reports whether a place in state s is still in the line.
func (s WaitState) Active() bool { return s == WaitWaiting || s == WaitOffered }

// WaitEntry is one borrower's place on an item's waiting list.
type WaitEntry struct {
	ID       int64     `json:"id"`
	ItemID   int64     `json:"item_id"`
	ItemName string    `json:"item_name"`
	Borrower Borrower  `json:"borrower"`
	State    WaitState `json:"state"`
	// Position is the place in the line among active places, from 1.
	Position int `json:"position"`
	// PickupBy is the last open day to pick the item up once offered.
	PickupBy  Date      `json:"pickup_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OfferDeadline is the last day to pick up an item offered on day today:
// PickupDays open days after it.
func (r *LendingRules) OfferDeadline(today Date) Date {
	if d, ok := r.Opening.AddOpenDays(today, r.PickupDays); ok {
		return d
	}
	return today.AddDays(r.PickupDays)
}
