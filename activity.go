package shrooms

import "time"

// ActivityType is an ActivityStreams activity type.
type ActivityType string

// Activity types the node emits or handles.
const (
	ActivityFollow ActivityType = "Follow"
	ActivityAccept ActivityType = "Accept"
	ActivityReject ActivityType = "Reject"
	ActivityUndo   ActivityType = "Undo"
	ActivityCreate ActivityType = "Create"
	ActivityUpdate ActivityType = "Update"
	ActivityDelete ActivityType = "Delete"
	ActivityBlock  ActivityType = "Block"
	ActivityOffer  ActivityType = "Offer"
)

// Activity is the domain view of an ActivityStreams activity: what the node
// stores in its outbox and what vocab parses incoming JSON-LD into.
type Activity struct {
	IRI   string       `json:"iri"`
	Type  ActivityType `json:"type"`
	Actor string       `json:"actor"`
	// Object is the IRI of the object (for a Follow, the followed actor;
	// for an Accept, the accepted activity).
	Object string `json:"object,omitempty"`
	// Embedded is the object itself when it is an activity and is carried
	// inline (Accept, Reject and Undo of a Follow embed the Follow).
	Embedded *Activity `json:"embedded,omitempty"`
	// ObjectType is the ActivityStreams type of the object when known.
	ObjectType string `json:"object_type,omitempty"`
	// Item is the item a Create or Update carries, as it was when the
	// change was committed; vocab renders it. A Delete carries only the
	// Object IRI.
	Item *Item `json:"item,omitempty"`
	// Loan is the loan an activity is about: the request an Offer makes
	// (no IRI yet), the loan an Accept or Reject answers with (its
	// result), the loan an Update carries. vocab renders and parses it.
	Loan *Loan `json:"loan,omitempty"`
	// InviteToken is a partner invite's token, carried by the Follow that
	// uses it (the shrooms:inviteToken property).
	InviteToken string `json:"invite_token,omitempty"`
	// Raw is the object of a received Create or Update as it came (JSON),
	// unknown properties included; Updated is the object's "updated" (or
	// a Tombstone's "deleted"), zero when absent. Set by vocab's parser.
	Raw     []byte    `json:"-"`
	Updated time.Time `json:"-"`
	// Except lists actor IRIs that must not receive the activity although
	// a followers collection it is addressed to includes them: the partners
	// that keep an object whose public copy is deleted.
	Except    []string  `json:"except,omitempty"`
	To        []string  `json:"to,omitempty"`
	CC        []string  `json:"cc,omitempty"`
	Published time.Time `json:"published"`
}

// Recipients returns To and CC, in order, without duplicates.
func (a *Activity) Recipients() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range append(append([]string(nil), a.To...), a.CC...) {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// IsPublic reports whether the activity is addressed to the public collection.
func (a *Activity) IsPublic() bool {
	for _, r := range a.Recipients() {
		if r == PublicAudience || r == "as:Public" || r == "Public" {
			return true
		}
	}
	return false
}

// VisibleTo reports whether the actor with this IRI may read the activity:
// it is public, or the actor sent it or is addressed by it.
func (a *Activity) VisibleTo(actorIRI string) bool {
	if a.IsPublic() {
		return true
	}
	if actorIRI == "" {
		return false
	}
	if a.Actor == actorIRI {
		return true
	}
	for _, r := range a.Recipients() {
		if r == actorIRI {
			return true
		}
	}
	return false
}
