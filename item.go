package shrooms

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// ItemKind says what an item is. A kit contains other items; a part is a
// consumable spare part whose quantity the stock module tracks.
type ItemKind string

// Item kinds.
const (
	KindTool   ItemKind = "tool"
	KindDevice ItemKind = "device"
	KindPart   ItemKind = "part"
	KindKit    ItemKind = "kit"
)

// ItemKinds lists every kind, in form order.
var ItemKinds = []ItemKind{KindTool, KindDevice, KindPart, KindKit}

// ItemStatus is where an item stands.
type ItemStatus string

// Item statuses.
const (
	StatusAvailable ItemStatus = "available"
	StatusOnLoan    ItemStatus = "on_loan"
	StatusInRepair  ItemStatus = "in_repair"
	StatusRetired   ItemStatus = "retired"
)

// ItemStatuses lists every status, in form order.
var ItemStatuses = []ItemStatus{StatusAvailable, StatusOnLoan, StatusInRepair, StatusRetired}

// Condition is an item's physical state, as lending libraries grade it.
type Condition string

// Conditions.
const (
	ConditionNew    Condition = "new"
	ConditionGood   Condition = "good"
	ConditionFair   Condition = "fair"
	ConditionPoor   Condition = "poor"
	ConditionBroken Condition = "broken"
)

// Conditions lists every condition, best first.
var Conditions = []Condition{ConditionNew, ConditionGood, ConditionFair, ConditionPoor, ConditionBroken}

// LoanRules say how a loanable item may be lent.
type LoanRules struct {
	// MaxDays is the longest loan, 0 for no limit.
	MaxDays int `json:"max_days"`
	// DepositCents is the deposit asked, in cents of the node's currency.
	DepositCents int64 `json:"deposit_cents"`
	// Members and Partners say who may borrow: this node's members, and
	// members of partner organisations.
	Members  bool `json:"members"`
	Partners bool `json:"partners"`
	// Renewals is how many times a loan of the item may be renewed; nil
	// follows the organisation's LendingRules.RenewalLimit, 0 allows none.
	// A pointer, so that a client that never heard of it (and omits it)
	// keeps the organisation's rule rather than forbidding renewals.
	Renewals *int `json:"renewals,omitempty"`
}

// MaxRenewals is the most renewals an item's rules may allow.
const MaxRenewals = 100

// Equal reports whether two sets of loan rules say the same.
func (l LoanRules) Equal(m LoanRules) bool {
	if (l.Renewals == nil) != (m.Renewals == nil) || l.Renewals != nil && *l.Renewals != *m.Renewals {
		return false
	}
	l.Renewals, m.Renewals = nil, nil
	return l == m
}

// Photo is one image of an item: the re-encoded picture and its thumbnail,
// both Media rows.
type Photo struct {
	MediaID int64 `json:"media_id"`
	ThumbID int64 `json:"thumb_id"`
	// URL and ThumbURL are absolute, set by the store.
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	// ContentType is the photo's media type (image/jpeg or image/png),
	// set by the store; federation publishes it as the mediaType.
	ContentType string `json:"content_type,omitempty"`
}

// MaxPhotos is how many photos an item may have.
const MaxPhotos = 10

// ItemRef names another item: a kit's content or the kit an item is in.
type ItemRef struct {
	ID     int64      `json:"id"`
	Name   string     `json:"name"`
	Status ItemStatus `json:"status"`
}

// Item is a thing the organisation owns or manages: a tool, a device, a
// spare part or a kit. The owner is the organisation (OwnerID 0) or one of
// its members, who lends it through the organisation.
type Item struct {
	ID          int64    `json:"id"`
	IRI         string   `json:"iri"` // also the item's web page
	Kind        ItemKind `json:"kind"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	// CategoryID is 0 for none; CategoryPath ("Tools › Power tools") is
	// set by the store.
	CategoryID   int64      `json:"category_id"`
	CategoryPath string     `json:"category_path,omitempty"`
	Condition    Condition  `json:"condition"`
	ValueCents   int64      `json:"value_cents"`
	Status       ItemStatus `json:"status"`
	Loanable     bool       `json:"loanable"`
	Loan         LoanRules  `json:"loan"`
	// OwnerID is the member who owns the item, 0 for the organisation;
	// OwnerName is set by the store. GroupID is the team that manages it.
	OwnerID   int64  `json:"owner_id"`
	OwnerName string `json:"owner_name,omitempty"`
	GroupID   int64  `json:"group_id"`
	// PlaceID is where the item is, 0 for unknown. Place is set by the
	// store when the caller may see it.
	PlaceID int64  `json:"place_id"`
	Place   *Place `json:"place,omitempty"`
	// KitID is the kit this item belongs to, 0 for none. Contents lists a
	// kit's items (set by FindItemByID).
	KitID    int64     `json:"kit_id"`
	Kit      *ItemRef  `json:"kit,omitempty"`
	Contents []ItemRef `json:"contents,omitempty"`
	// Audience is who may see the item, here and across the federation.
	Audience Audience `json:"audience"`
	// Fields holds the custom field values by field key, normalised by
	// NormalizeFields.
	Fields map[string]string `json:"fields,omitempty"`
	// FieldDefs are the custom fields of the item's category and its
	// ancestors (set by FindItemByID), in display order.
	FieldDefs []CustomField `json:"field_defs,omitempty"`
	Photos    []Photo       `json:"photos,omitempty"`
	// Stock, for parts: quantity on hand, its unit and the alert level.
	Quantity    int64  `json:"quantity"`
	Unit        string `json:"unit,omitempty"`
	MinQuantity int64  `json:"min_quantity"`
	// Version grows with every change; UpdateItem refuses a stale one.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ownership is the item's owner and group with the mode its audience
// implies.
func (i *Item) Ownership() Ownership {
	return Ownership{OwnerID: i.OwnerID, GroupID: i.GroupID, Mode: ModeFor(i.Audience)}
}

// LowStock reports whether a part is at or below its minimum level.
func (i *Item) LowStock() bool {
	return i.Kind == KindPart && i.MinQuantity > 0 && i.Quantity <= i.MinQuantity
}

// ModeFor is the mode of a record shared with audience a: owner and group
// read and change it; each wider class may read it when a includes it.
func ModeFor(a Audience) Mode {
	m := Mode{Owner: AccessReadWrite, Group: AccessReadWrite}
	if a.Includes(AudienceMembers) {
		m.Members = AccessRead
	}
	if a.Includes(AudiencePartners) {
		m.Partners = AccessRead
	}
	if a.Includes(AudiencePublic) {
		m.Public = AccessRead
	}
	return m
}

// Bounds of item fields.
const (
	MaxItemName        = 200
	MaxItemDescription = 20000
	MaxUnit            = 20
	MaxMoneyCents      = 100_000_000_00 // 100 million
	MaxQuantity        = 1_000_000_000
	// MaxLoanDays bounds an item's longest loan: ten years, beyond which
	// a "loan" is a gift.
	MaxLoanDays = 3650
)

// Validate checks and normalises an item's own fields (not the custom
// fields, which need their definitions, nor references, which the store
// checks). Defaults: kind tool, status available, condition good,
// audience members. Returns EINVALID naming the field.
func (i *Item) Validate() error {
	i.Name = strings.TrimSpace(i.Name)
	i.Description = strings.TrimSpace(i.Description)
	i.Unit = strings.TrimSpace(i.Unit)
	if i.Kind == "" {
		i.Kind = KindTool
	}
	if i.Status == "" {
		i.Status = StatusAvailable
	}
	if i.Condition == "" {
		i.Condition = ConditionGood
	}
	if i.Audience == "" {
		i.Audience = AudienceMembers
	}
	switch {
	case i.Name == "":
		return Errorf(EINVALID, "name: required").Keyed("items.error.name_required").On("name")
	case utf8.RuneCountInString(i.Name) > MaxItemName:
		return Errorf(EINVALID, "name: must be at most %d characters", MaxItemName).Keyed("items.error.name_long", "Max", MaxItemName).On("name")
	case utf8.RuneCountInString(i.Description) > MaxItemDescription:
		return Errorf(EINVALID, "description: must be at most %d characters", MaxItemDescription).Keyed("items.error.description_long", "Max", MaxItemDescription).On("description")
	case !oneOf(i.Kind, ItemKinds):
		return Errorf(EINVALID, "kind: must be one of tool, device, part, kit").Keyed("items.error.kind").On("kind")
	case !oneOf(i.Status, ItemStatuses):
		return Errorf(EINVALID, "status: must be one of available, on_loan, in_repair, retired").Keyed("items.error.status").On("status")
	case !oneOf(i.Condition, Conditions):
		return Errorf(EINVALID, "condition: must be one of new, good, fair, poor, broken").Keyed("items.error.condition").On("condition")
	case !oneOf(i.Audience, Audiences):
		return Errorf(EINVALID, "audience: must be one of public, partners, members, staff").Keyed("items.error.audience").On("audience")
	case i.ValueCents < 0 || i.ValueCents > MaxMoneyCents:
		return Errorf(EINVALID, "value: must be between 0 and 100000000").Keyed("items.error.value_range").On("value")
	case i.Loan.DepositCents < 0 || i.Loan.DepositCents > MaxMoneyCents:
		return Errorf(EINVALID, "deposit: must be between 0 and 100000000").Keyed("items.error.deposit_range").On("deposit")
	case i.Loan.MaxDays < 0 || i.Loan.MaxDays > MaxLoanDays:
		return Errorf(EINVALID, "max_days: must be between 0 and %d", MaxLoanDays).Keyed("items.error.max_days", "Max", MaxLoanDays).On("max_days")
	case i.Loan.Renewals != nil && (*i.Loan.Renewals < 0 || *i.Loan.Renewals > MaxRenewals):
		return Errorf(EINVALID, "renewals: must be between 0 and %d", MaxRenewals).Keyed("items.error.renewals", "Max", MaxRenewals).On("renewals")
	case i.Quantity < 0:
		return Errorf(EINVALID, "quantity: must not be negative").Keyed("items.error.quantity_negative").On("quantity")
	case i.Quantity > MaxQuantity || i.MinQuantity > MaxQuantity:
		return Errorf(EINVALID, "quantity: must be at most %d", MaxQuantity).Keyed("items.error.quantity_max", "Max", MaxQuantity).On("quantity")
	case i.MinQuantity < 0:
		return Errorf(EINVALID, "min_quantity: must not be negative").Keyed("items.error.min_quantity_negative").On("min_quantity")
	case utf8.RuneCountInString(i.Unit) > MaxUnit:
		return Errorf(EINVALID, "unit: must be at most %d characters", MaxUnit).Keyed("items.error.unit_long", "Max", MaxUnit).On("unit")
	case i.Kind != KindPart && (i.Quantity != 0 || i.MinQuantity != 0 || i.Unit != ""):
		return Errorf(EINVALID, "quantity: only parts have a stock quantity").Keyed("stock.error.parts_only").On("quantity")
	case i.Kind == KindKit && i.KitID != 0:
		return Errorf(EINVALID, "kit: a kit cannot be inside another kit").Keyed("items.error.kit_nested").On("kit")
	}
	if i.Kind == KindPart && i.Unit == "" {
		i.Unit = "pcs"
	}
	return nil
}

func oneOf[T comparable](v T, set []T) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// ItemSort is a catalogue order.
type ItemSort string

// Catalogue orders; "-" in front means descending.
const (
	SortName     ItemSort = "name"
	SortNameDesc ItemSort = "-name"
	SortNewest   ItemSort = "-created"
	SortOldest   ItemSort = "created"
	SortUpdated  ItemSort = "-updated"
)

// ItemSorts lists every order, the default first.
var ItemSorts = []ItemSort{SortName, SortNameDesc, SortNewest, SortOldest, SortUpdated}

// ItemFilter selects items. Zero fields do not filter.
type ItemFilter struct {
	// Query searches name, description and custom field values (words,
	// each a prefix; never raw FTS syntax).
	Query  string
	Kind   ItemKind
	Status ItemStatus
	// CategoryID and PlaceID include their descendants.
	CategoryID int64
	PlaceID    int64
	OwnerID    int64
	KitID      int64
	Loanable   *bool
	Audience   Audience
	// LowStock keeps parts at or below their minimum.
	LowStock bool
	Sort     ItemSort
	Offset   int
	Limit    int
}

// ItemUpdate changes some fields of an item; nil fields stay. Version,
// when not 0, must match the stored one (ECONFLICT otherwise), so that two
// people editing the same item do not silently overwrite each other.
type ItemUpdate struct {
	Version     int64
	Kind        *ItemKind
	Name        *string
	Description *string
	CategoryID  *int64
	Condition   *Condition
	ValueCents  *int64
	Status      *ItemStatus
	Loanable    *bool
	Loan        *LoanRules
	OwnerID     *int64
	GroupID     *int64
	PlaceID     *int64
	KitID       *int64
	Audience    *Audience
	// Fields replaces every custom field value.
	Fields      map[string]string
	Unit        *string
	MinQuantity *int64
	// Note explains the change in the history (check-out to whom, why).
	Note string
}

// ItemService manages the inventory. Reads show what the caller's grants
// and each item's mode allow (others are ENOTFOUND); writes need the
// inventory module's write grant, or the owner's or group's write bit.
// Creating, changing and deleting an item records its history and, for
// items the federation may see, writes the Create, Update or Delete to
// the outbox in the same transaction.
type ItemService interface {
	// FindItemByID returns the item with its place, kit contents, field
	// definitions and photos. Returns ENOTFOUND.
	FindItemByID(ctx context.Context, id int64) (*Item, error)

	// FindItems returns a page of the items the caller may see and how
	// many match in all. Returns EINVALID for a bad sort.
	FindItems(ctx context.Context, f ItemFilter) ([]*Item, int, error)

	// CreateItem validates and stores a new item, setting its ID, IRI,
	// Version and times. Each reference must point at a record the caller
	// may read (a group: one of theirs, unless they manage the inventory).
	// Returns EINVALID naming the field (custom fields included),
	// ENOTFOUND for an unknown category, place, owner, group or kit, or
	// one the caller may not read, EFORBIDDEN, EUNAUTHORIZED.
	CreateItem(ctx context.Context, i *Item) error

	// UpdateItem applies u and records which fields changed, from what to
	// what; references it changes are checked as CreateItem's. Returns as
	// CreateItem, and ECONFLICT for a stale Version.
	UpdateItem(ctx context.Context, id int64, u ItemUpdate) (*Item, error)

	// DeleteItem removes an item, its photos and history; a kit's
	// contents leave the kit. Federated items get a Delete. Returns
	// ENOTFOUND, EFORBIDDEN.
	DeleteItem(ctx context.Context, id int64) error

	// AddItemPhoto stores an image and its thumbnail (both already
	// re-encoded) as the item's last photo. Returns EINVALID beyond
	// MaxPhotos, ENOTFOUND, EFORBIDDEN.
	AddItemPhoto(ctx context.Context, itemID int64, photo, thumb *Media) (*Photo, error)

	// DeleteItemPhoto removes a photo (by its MediaID). Returns ENOTFOUND,
	// EFORBIDDEN.
	DeleteItemPhoto(ctx context.Context, itemID, mediaID int64) error

	// FindItemHistory returns the item's changes, newest first, with
	// their total, as the caller may see them: references by the names
	// they may read, Hidden for the others. Returns ENOTFOUND.
	FindItemHistory(ctx context.Context, itemID int64, offset, limit int) ([]*ItemChange, int, error)

	// FindComments returns the item's comments, oldest first. Returns
	// ENOTFOUND.
	FindComments(ctx context.Context, itemID int64) ([]*Comment, error)

	// CreateComment adds a comment by the caller, who must be able to
	// read the item and be an active member. Returns EINVALID, ENOTFOUND,
	// EUNAUTHORIZED.
	CreateComment(ctx context.Context, c *Comment) error

	// DeleteComment removes a comment; its author or inventory managers
	// may. Returns ENOTFOUND, EFORBIDDEN.
	DeleteComment(ctx context.Context, id int64) error

	// ImportItems validates every item and, when all are valid and dryRun
	// is false, creates them all in one transaction. When any row fails,
	// it returns the row errors and writes nothing. Row numbers are the
	// index in items plus first. Returns EFORBIDDEN, EUNAUTHORIZED.
	ImportItems(ctx context.Context, items []*Item, first int, dryRun bool) ([]RowError, error)

	// FindSharedItems returns the page after item afterID (ascending ID)
	// of what the organisation shares with the caller of ctx: of the
	// public and partners-only items, those it may read (a partner's
	// signed request gets the partners-only items of the modules its
	// policy shares, anyone else the public ones), as snapshots that may
	// leave the node, and how many there are in all. Federation passes the
	// context of the request's verified signer (NewRemoteContext).
	FindSharedItems(ctx context.Context, afterID int64, limit int) ([]*Item, int, error)

	// FindSharedItem returns one item as FindSharedItems would, or
	// ENOTFOUND whether it exists or not.
	FindSharedItem(ctx context.Context, id int64) (*Item, error)
}

// RowError is what is wrong with one row of an import. Key and Args,
// when set, are those of the Error behind it: they translate Message.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// Key is the catalog key that translates Message, when it has one;
	// Args fill its template.
	Key  string `json:"key,omitempty"`
	Args []any  `json:"args,omitempty"`
}

// Comment is a member's remark on an item.
type Comment struct {
	ID         int64     `json:"id"`
	ItemID     int64     `json:"item_id"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxCommentLength bounds a comment's body.
const MaxCommentLength = 5000

// Validate trims the body and checks its length. Returns EINVALID.
func (c *Comment) Validate() error {
	c.Body = strings.TrimSpace(c.Body)
	if c.Body == "" {
		return Errorf(EINVALID, "comment: must not be empty").Keyed("items.error.comment_empty").On("comment")
	}
	if utf8.RuneCountInString(c.Body) > MaxCommentLength {
		return Errorf(EINVALID, "comment: must be at most %d characters", MaxCommentLength).Keyed("items.error.comment_long", "Max", MaxCommentLength).On("comment")
	}
	return nil
}
