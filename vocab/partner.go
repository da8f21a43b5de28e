package vocab

import (
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// propInviteToken carries a partner invite's token on the Follow that
// uses it. It is written as a compact IRI in the SHROOMS namespace; the
// context also defines the bare term inviteToken for readers that compact
// against it.
const propInviteToken = "shrooms:inviteToken"

// maxInviteToken bounds a received token: real ones are far shorter, and
// ParseInviteURL refuses longer ones too.
const maxInviteToken = 200

// finishActivity reads from the raw document what the domain activity
// carries beyond ActivityStreams: the invite token of a Follow, the raw
// object and its time of a Create or Update of an item, and the deletion
// time of a Delete.
func finishActivity(a *shrooms.Activity, m map[string]any) error {
	obj, _ := firstRaw(m["object"]).(map[string]any)
	switch a.Type {
	case shrooms.ActivityOffer, shrooms.ActivityAccept, shrooms.ActivityReject:
		return finishLoan(a, m)
	case shrooms.ActivityFollow:
		tok, _ := ext(m, "inviteToken").(string)
		if tok == "" {
			tok, _ = m["inviteToken"].(string)
		}
		if len(tok) > maxInviteToken {
			return shrooms.Errorf(shrooms.EINVALID, "invite token longer than %d characters", maxInviteToken).Keyed("federation.error.invite_token_long", "Max", maxInviteToken)
		}
		a.InviteToken = tok
	case shrooms.ActivityCreate, shrooms.ActivityUpdate:
		if obj != nil && a.Type == shrooms.ActivityUpdate && isLoan(obj) {
			return finishLoan(a, m)
		}
		if obj == nil || !isItem(obj) {
			return nil
		}
		raw, err := marshal(obj)
		if err != nil {
			return err
		}
		a.Raw = raw
		a.Updated = rawTime(obj, "updated")
		if a.Updated.IsZero() {
			a.Updated = rawTime(obj, "published")
		}
	case shrooms.ActivityDelete:
		if obj != nil {
			a.Updated = rawTime(obj, "deleted")
		}
		if a.Updated.IsZero() {
			a.Updated = a.Published
		}
	}
	return nil
}

// rawTime reads an xsd:dateTime property, zero when absent or invalid.
func rawTime(m map[string]any, key string) time.Time {
	s := rawString(m, key)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
