package vocab

import (
	"slices"
	"sort"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	shrooms "github.com/shrooms-org/shrooms"
)

// ItemType is the extension type an item carries next to "Page".
// Mastodon renders a Page as a post (name as a title, summary, link) and
// ignores the extension type; SHROOMS nodes recognise items by it.
const ItemType = "shrooms:Item"

// ItemObjectType is the Activity.ObjectType of an activity about an item:
// the store sets it, vocab renders a Delete of it as a Tombstone and
// ParseActivity sets it for an embedded item.
const ItemObjectType = "Item"

// Extension properties of an item, compact IRIs in the SHROOMS namespace.
const (
	propKind        = "shrooms:kind"
	propStatus      = "shrooms:status"
	propCondition   = "shrooms:condition"
	propCategory    = "shrooms:category"
	propLoanable    = "shrooms:loanable"
	propLoanRules   = "shrooms:loanRules"
	propQuantity    = "shrooms:quantity"
	propUnit        = "shrooms:unit"
	propMinQuantity = "shrooms:minQuantity"
	propFields      = "shrooms:fields"
)

// updatedLayout writes "updated" with milliseconds: Mastodon applies an
// Update only when its object's "updated" is later than the last one it
// saw, so two edits in the same second must still differ.
const updatedLayout = "2006-01-02T15:04:05.000Z07:00"

// ItemJSON renders the document of a local item as its IRI serves it:
// a Page that is also a shrooms:Item, attributed to the organisation
// actor org and addressed to to and cc. Internal data never leaves the
// node: the value, the owner and the group are not written, nor a place
// that is not public. It returns EINVALID for a malformed IRI.
func ItemJSON(item *shrooms.Item, org *shrooms.Actor, to, cc []string) ([]byte, error) {
	m, err := itemMap(item, org.IRI, to, cc, false)
	if err != nil {
		return nil, err
	}
	m["@context"] = Context()
	return marshal(m)
}

// itemMap renders an item as a JSON object without @context. forUpdate
// always writes "updated" (an Update without it is ignored by Mastodon);
// otherwise it is written only when the item changed after its creation.
func itemMap(item *shrooms.Item, attributedTo string, to, cc []string, forUpdate bool) (map[string]any, error) {
	item = partnersThumb(item, to, cc)
	page, err := itemPage(item, attributedTo, to, cc)
	if err != nil {
		return nil, err
	}
	m, err := page.Serialize()
	if err != nil {
		return nil, err
	}
	asArray(m, "to")
	asArray(m, "cc")
	updated := item.UpdatedAt.UTC().Truncate(time.Millisecond)
	if forUpdate || updated.After(item.CreatedAt.UTC().Truncate(time.Second)) {
		m["updated"] = updated.Format(updatedLayout)
	}
	// The description as written, for servers (and SHROOMS nodes) that
	// prefer the source over the rendered HTML.
	if item.Description != "" {
		m["source"] = map[string]any{"content": item.Description, "mediaType": "text/plain"}
	}
	// PropertyValue has no go-fed type: the facts follow the photos.
	attachments, _ := m["attachment"].([]any)
	if one, ok := m["attachment"].(map[string]any); ok {
		attachments = []any{one}
	}
	for _, f := range itemFacts(item) {
		attachments = append(attachments, map[string]any{"type": "PropertyValue", "name": f.label, "value": f.value})
	}
	if len(attachments) > 0 {
		m["attachment"] = attachments
	}
	if loc, ok := m["location"].(map[string]any); ok && item.Place != nil {
		if addr := item.Place.Address(); addr != "" {
			loc["address"] = addr
		}
	}
	for k, v := range itemExtensions(item) {
		m[k] = v
	}
	return m, nil
}

// partnersThumb points the first photo's thumbnail of an item not
// addressed to the public at the item's /thumb route, which serves it to
// the partners the item is shared with (a signed fetch); /media/ID knows
// only members' sessions. The item itself is not changed.
func partnersThumb(item *shrooms.Item, to, cc []string) *shrooms.Item {
	if len(item.Photos) == 0 || item.IRI == "" || slices.Contains(to, shrooms.PublicAudience) ||
		slices.Contains(cc, shrooms.PublicAudience) {
		return item
	}
	c := *item
	c.Photos = slices.Clone(item.Photos)
	c.Photos[0].ThumbURL = item.IRI + "/thumb"
	return &c
}

// itemPage builds the go-fed Page of an item: everything but the
// PropertyValue facts and the extension properties, which itemMap adds.
func itemPage(item *shrooms.Item, attributedTo string, to, cc []string) (vocab.ActivityStreamsPage, error) {
	p := streams.NewActivityStreamsPage()
	id, err := parseIRI("item id", item.IRI)
	if err != nil {
		return nil, err
	}
	idProp := streams.NewJSONLDIdProperty()
	idProp.Set(id)
	p.SetJSONLDId(idProp)
	p.GetJSONLDType().AppendXMLSchemaString(ItemType)

	link := streams.NewActivityStreamsUrlProperty()
	link.AppendXMLSchemaAnyURI(id)
	p.SetActivityStreamsUrl(link)

	name := streams.NewActivityStreamsNameProperty()
	name.AppendXMLSchemaString(item.Name)
	p.SetActivityStreamsName(name)
	summary := streams.NewActivityStreamsSummaryProperty()
	summary.AppendXMLSchemaString(itemSummary(item))
	p.SetActivityStreamsSummary(summary)
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(itemContent(item))
	p.SetActivityStreamsContent(content)

	if attributedTo != "" {
		u, err := parseIRI("item attributedTo", attributedTo)
		if err != nil {
			return nil, err
		}
		at := streams.NewActivityStreamsAttributedToProperty()
		at.AppendIRI(u)
		p.SetActivityStreamsAttributedTo(at)
	}
	if !item.CreatedAt.IsZero() {
		pub := streams.NewActivityStreamsPublishedProperty()
		pub.Set(item.CreatedAt.UTC())
		p.SetActivityStreamsPublished(pub)
	}
	if len(to) > 0 {
		prop := streams.NewActivityStreamsToProperty()
		for _, r := range to {
			u, err := parseIRI("item to", r)
			if err != nil {
				return nil, err
			}
			prop.AppendIRI(u)
		}
		p.SetActivityStreamsTo(prop)
	}
	if len(cc) > 0 {
		prop := streams.NewActivityStreamsCcProperty()
		for _, r := range cc {
			u, err := parseIRI("item cc", r)
			if err != nil {
				return nil, err
			}
			prop.AppendIRI(u)
		}
		p.SetActivityStreamsCc(prop)
	}

	if len(item.Photos) > 0 {
		img, err := photoImage(item.Photos[0], "")
		if err != nil {
			return nil, err
		}
		prop := streams.NewActivityStreamsImageProperty()
		prop.AppendActivityStreamsImage(img)
		p.SetActivityStreamsImage(prop)
		att := streams.NewActivityStreamsAttachmentProperty()
		for _, ph := range item.Photos {
			doc, err := photoDocument(ph, item.Name)
			if err != nil {
				return nil, err
			}
			att.AppendActivityStreamsDocument(doc)
		}
		p.SetActivityStreamsAttachment(att)
	}

	if pl := item.Place; pl != nil && pl.Public {
		place := streams.NewActivityStreamsPlace()
		n := streams.NewActivityStreamsNameProperty()
		n.AppendXMLSchemaString(pl.Name)
		place.SetActivityStreamsName(n)
		if pl.HasPoint {
			lat := streams.NewActivityStreamsLatitudeProperty()
			lat.Set(pl.Latitude)
			place.SetActivityStreamsLatitude(lat)
			lon := streams.NewActivityStreamsLongitudeProperty()
			lon.Set(pl.Longitude)
			place.SetActivityStreamsLongitude(lon)
		}
		loc := streams.NewActivityStreamsLocationProperty()
		loc.AppendActivityStreamsPlace(place)
		p.SetActivityStreamsLocation(loc)
	}
	return p, nil
}

// photoImage is a photo as an Image with its size and media type; name,
// when set, is its accessible description.
func photoImage(ph shrooms.Photo, name string) (vocab.ActivityStreamsImage, error) {
	img := streams.NewActivityStreamsImage()
	if err := setMediaProps(img, ph, name); err != nil {
		return nil, err
	}
	return img, nil
}

// photoDocument is a photo as an attachment Document, as Mastodon writes
// media attachments; icon is the thumbnail Mastodon uses as a preview.
func photoDocument(ph shrooms.Photo, name string) (vocab.ActivityStreamsDocument, error) {
	doc := streams.NewActivityStreamsDocument()
	if err := setMediaProps(doc, ph, name); err != nil {
		return nil, err
	}
	if ph.ThumbURL != "" {
		u, err := parseIRI("photo thumbnail", ph.ThumbURL)
		if err != nil {
			return nil, err
		}
		thumb := streams.NewActivityStreamsImage()
		tu := streams.NewActivityStreamsUrlProperty()
		tu.AppendXMLSchemaAnyURI(u)
		thumb.SetActivityStreamsUrl(tu)
		icon := streams.NewActivityStreamsIconProperty()
		icon.AppendActivityStreamsImage(thumb)
		doc.SetActivityStreamsIcon(icon)
	}
	return doc, nil
}

// mediaObject is what Image and Document share and vocab sets.
type mediaObject interface {
	SetActivityStreamsUrl(vocab.ActivityStreamsUrlProperty)
	SetActivityStreamsMediaType(vocab.ActivityStreamsMediaTypeProperty)
	SetActivityStreamsName(vocab.ActivityStreamsNameProperty)
	GetUnknownProperties() map[string]any
}

// sizedObject is a go-fed type with width and height (Image has them,
// Document not: go-fed follows the ActivityStreams vocabulary, where they
// belong to Link, but peers read them on attachments too).
type sizedObject interface {
	SetActivityStreamsWidth(vocab.ActivityStreamsWidthProperty)
	SetActivityStreamsHeight(vocab.ActivityStreamsHeightProperty)
}

func setMediaProps(o mediaObject, ph shrooms.Photo, name string) error {
	u, err := parseIRI("photo url", ph.URL)
	if err != nil {
		return err
	}
	up := streams.NewActivityStreamsUrlProperty()
	up.AppendXMLSchemaAnyURI(u)
	o.SetActivityStreamsUrl(up)
	if ph.ContentType != "" {
		mt := streams.NewActivityStreamsMediaTypeProperty()
		mt.Set(ph.ContentType)
		o.SetActivityStreamsMediaType(mt)
	}
	if name != "" {
		n := streams.NewActivityStreamsNameProperty()
		n.AppendXMLSchemaString(name)
		o.SetActivityStreamsName(n)
	}
	if ph.Width <= 0 || ph.Height <= 0 {
		return nil
	}
	sized, ok := o.(sizedObject)
	if !ok {
		o.GetUnknownProperties()["width"] = ph.Width
		o.GetUnknownProperties()["height"] = ph.Height
		return nil
	}
	w := streams.NewActivityStreamsWidthProperty()
	w.Set(ph.Width)
	sized.SetActivityStreamsWidth(w)
	h := streams.NewActivityStreamsHeightProperty()
	h.Set(ph.Height)
	sized.SetActivityStreamsHeight(h)
	return nil
}

// itemExtensions are the shrooms: properties. The value, owner and group
// stay on the node.
func itemExtensions(item *shrooms.Item) map[string]any {
	m := map[string]any{
		propKind:      string(item.Kind),
		propStatus:    string(item.Status),
		propCondition: string(item.Condition),
		propLoanable:  item.Loanable,
	}
	if item.CategoryPath != "" {
		m[propCategory] = item.CategoryPath
	}
	if item.Loanable {
		m[propLoanRules] = map[string]any{
			"maxDays":      item.Loan.MaxDays,
			"depositCents": item.Loan.DepositCents,
			"members":      item.Loan.Members,
			"partners":     item.Loan.Partners,
		}
		if n := item.Loan.Renewals; n != nil {
			// Absent: the lender's own rule, which it does not publish.
			m[propLoanRules].(map[string]any)["renewals"] = *n
		}
	}
	if item.Kind == shrooms.KindPart {
		m[propQuantity] = item.Quantity
		m[propUnit] = item.Unit
		m[propMinQuantity] = item.MinQuantity
	}
	if len(item.Fields) > 0 {
		fields := make(map[string]any, len(item.Fields))
		for k, v := range item.Fields {
			fields[k] = v
		}
		m[propFields] = fields
	}
	return m
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
