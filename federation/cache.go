package federation

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxSummary bounds the summary kept for search results, in characters.
const maxSummary = 300

// remoteObject is what the cache keeps of a partner's item: the
// searchable text, the links a result needs, and the document as received.
func remoteObject(item *shrooms.Item, raw []byte, public bool, updated time.Time) shrooms.RemoteObject {
	o := shrooms.RemoteObject{
		IRI:     item.IRI,
		Type:    "Item",
		Kind:    item.Kind,
		Status:  item.Status,
		Name:    item.Name,
		Summary: excerpt(item.Description, maxSummary),
		Content: itemText(item),
		URL:     item.IRI,
		Public:  public,
		Updated: updated,
		Raw:     raw,
	}
	if len(item.Photos) > 0 {
		o.ImageURL = item.Photos[0].ThumbURL
		if o.ImageURL == "" {
			o.ImageURL = item.Photos[0].URL
		}
	}
	return o
}

// itemText is the plain text indexed besides name and summary: the
// description, the category, the custom field values and the kind, so
// that "drill" and "tool" both find a drill.
func itemText(item *shrooms.Item) string {
	parts := []string{item.Description, item.CategoryPath}
	keys := make([]string, 0, len(item.Fields))
	for k := range item.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, item.Fields[k])
	}
	parts = append(parts, string(item.Kind))
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// excerpt is s on one line, cut at max characters.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// cacheScope remembers, for one batch, our organisation and the senders'
// followers collections, so that checking each activity's audience costs
// no query after the first of each sender.
type cacheScope struct {
	f         *Federation
	org       *shrooms.Actor
	followers map[string]string // actor IRI → its followers collection
}

func (f *Federation) newCacheScope() *cacheScope {
	return &cacheScope{f: f, followers: map[string]string{}}
}

// cacheChange turns a received Create, Update or Delete into a change of
// the remote cache; nil when the activity is not about the cache (a
// Create of a Note, a Delete of an actor). A Create or Update whose
// audience does not include this node withdraws the object: it was
// shared with us before and is not any more.
func (s *cacheScope) cacheChange(ctx context.Context, act *shrooms.Activity) (*shrooms.RemoteChange, error) {
	switch act.Type {
	case shrooms.ActivityCreate, shrooms.ActivityUpdate:
		if act.Item == nil {
			return nil, nil
		}
		updated := act.Updated
		if updated.IsZero() {
			updated = act.Published
		}
		if updated.IsZero() {
			updated = s.f.cfg.Now()
		}
		ours, err := s.addressedToUs(ctx, act)
		if err != nil {
			return nil, err
		}
		if !ours {
			return &shrooms.RemoteChange{Op: shrooms.RemoteWithdraw, ActorIRI: act.Actor,
				Object: shrooms.RemoteObject{IRI: act.Item.IRI, Type: "Item", Updated: updated}}, nil
		}
		return &shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: act.Actor,
			Object: remoteObject(act.Item, act.Raw, act.IsPublic(), updated)}, nil
	case shrooms.ActivityDelete:
		if act.Object == "" || act.Object == act.Actor || act.Embedded != nil {
			return nil, nil
		}
		updated := act.Updated
		if updated.IsZero() {
			updated = s.f.cfg.Now()
		}
		return &shrooms.RemoteChange{Op: shrooms.RemoteDelete, ActorIRI: act.Actor,
			Object: shrooms.RemoteObject{IRI: act.Object, Updated: updated}}, nil
	}
	return nil, nil
}

// addressedToUs reports whether an activity's audience includes this
// node: the public, our organisation, or the sender's followers (which we
// are when we receive it).
func (s *cacheScope) addressedToUs(ctx context.Context, act *shrooms.Activity) (bool, error) {
	if act.IsPublic() {
		return true, nil
	}
	if s.org == nil {
		org, err := s.f.orgActor(ctx)
		if err != nil {
			return false, err
		}
		s.org = org
	}
	followers, ok := s.followers[act.Actor]
	if !ok {
		a, err := s.f.svc.Actors.FindActorByIRI(ctx, act.Actor)
		if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			return false, err
		}
		if a != nil {
			followers = a.Followers
		}
		s.followers[act.Actor] = followers
	}
	for _, r := range act.Recipients() {
		if r == s.org.IRI || (followers != "" && r == followers) {
			return true, nil
		}
	}
	return false, nil
}
