package vocab_test

import (
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// orgFollowers is the followers collection of the fixture organisation.
const orgFollowers = "https://shrooms.example/actors/org/followers"

// toolItem is a public, loanable tool with two photos, a public place
// with a point and custom fields; it carries what must not federate too
// (value, owner, group) so that the golden file shows it does not.
func toolItem() *shrooms.Item {
	return &shrooms.Item{
		ID:           42,
		IRI:          "https://shrooms.example/items/42",
		Kind:         shrooms.KindTool,
		Name:         "Cordless drill",
		Description:  "18 V drill with two batteries & a charger.\nBits are in the case.\n\nAsk for the <b>long</b> bits at the desk.",
		CategoryID:   3,
		CategoryPath: "Tools › Power tools",
		Condition:    shrooms.ConditionGood,
		ValueCents:   12990,
		Status:       shrooms.StatusAvailable,
		Loanable:     true,
		Loan:         shrooms.LoanRules{MaxDays: 14, DepositCents: 2000, Members: true, Partners: true},
		OwnerID:      7,
		OwnerName:    "Alice Martin",
		GroupID:      2,
		PlaceID:      5,
		Place: &shrooms.Place{ID: 5, Kind: shrooms.PlaceWorkshop, Name: "Main workshop", Street: "12 rue des Lilas",
			PostalCode: "75011", City: "Paris", Country: "France", HasPoint: true, Latitude: 48.8566, Longitude: 2.3522, Public: true},
		Audience: shrooms.AudiencePublic,
		Fields:   map[string]string{"voltage": "18", "brushless": "true", "bought": "2024-11-05"},
		FieldDefs: []shrooms.CustomField{
			{Key: "voltage", Label: "Voltage (V)", Type: shrooms.FieldNumber},
			{Key: "brushless", Label: "Brushless", Type: shrooms.FieldBool},
			{Key: "bought", Label: "Bought on", Type: shrooms.FieldDate},
		},
		Photos: []shrooms.Photo{
			{MediaID: 11, ThumbID: 12, URL: "https://shrooms.example/media/11", ThumbURL: "https://shrooms.example/media/12", Width: 1600, Height: 1200, ContentType: "image/jpeg"},
			{MediaID: 13, ThumbID: 14, URL: "https://shrooms.example/media/13", ThumbURL: "https://shrooms.example/media/14", Width: 800, Height: 800, ContentType: "image/png"},
		},
		Version:   3,
		CreatedAt: published,
		UpdatedAt: published.Add(26*time.Hour + 1500*time.Millisecond),
	}
}

// partItem is a public spare part with a stock level, no photo and a
// place that is not public (it must not federate).
func partItem() *shrooms.Item {
	return &shrooms.Item{
		ID:          43,
		IRI:         "https://shrooms.example/items/43",
		Kind:        shrooms.KindPart,
		Name:        "Fuse 5 A",
		Description: "Glass fuse, 5 × 20 mm.",
		Condition:   shrooms.ConditionNew,
		Status:      shrooms.StatusAvailable,
		PlaceID:     9,
		Place:       &shrooms.Place{ID: 9, Kind: shrooms.PlaceShelf, Name: "Back shelf", Public: false},
		Audience:    shrooms.AudiencePublic,
		Quantity:    12,
		Unit:        "pcs",
		MinQuantity: 5,
		Version:     1,
		CreatedAt:   published,
		UpdatedAt:   published,
	}
}

// itemActivity is an activity of the organisation about an item, as the
// store writes it to the outbox.
func itemActivity(typ shrooms.ActivityType, suffix string, item *shrooms.Item) *shrooms.Activity {
	a := &shrooms.Activity{
		IRI:        "https://shrooms.example/activities/" + suffix,
		Type:       typ,
		Actor:      "https://shrooms.example/actors/org",
		Object:     "https://shrooms.example/items/42",
		ObjectType: "Item",
		Item:       item,
		To:         []string{shrooms.PublicAudience},
		CC:         []string{orgFollowers},
		Published:  published,
	}
	if item != nil {
		a.Object = item.IRI
		a.Published = item.UpdatedAt
	}
	return a
}
