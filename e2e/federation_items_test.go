package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// received is an activity a node's inbox holds, parsed, with its raw JSON.
type received struct {
	*shrooms.Activity
	raw map[string]any
}

// inboxActivities returns what n's inbox received, oldest first.
func inboxActivities(t *testing.T, n *testNode) []received {
	t.Helper()
	acts, _, err := n.m.DB.Inbox.FindInboxActivities(context.Background(), shrooms.InboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []received
	for i := len(acts) - 1; i >= 0; i-- { // newest first in the store
		a, err := vocab.ParseActivity(acts[i].Raw)
		if err != nil {
			t.Fatalf("inbox holds an unparsable activity: %v\n%s", err, acts[i].Raw)
		}
		var raw map[string]any
		if err := json.Unmarshal(acts[i].Raw, &raw); err != nil {
			t.Fatal(err)
		}
		out = append(out, received{a, raw})
	}
	return out
}

// newActivities returns the activities received since the first seen.
func newActivities(t *testing.T, n *testNode, seen int) []received {
	t.Helper()
	all := inboxActivities(t, n)
	if len(all) < seen {
		t.Fatalf("inbox shrank from %d to %d", seen, len(all))
	}
	return all[seen:]
}

// propertyValues returns the PropertyValue attachments of a raw object.
func propertyValues(obj map[string]any) map[string]string {
	out := map[string]string{}
	atts, _ := obj["attachment"].([]any)
	for _, a := range atts {
		if m, ok := a.(map[string]any); ok && m["type"] == "PropertyValue" {
			out[m["name"].(string)], _ = m["value"].(string)
		}
	}
	return out
}

// followedNode starts nodes A and B, has B's organisation follow A's, and
// returns A with a function that drains both and returns what B's inbox
// received since the last call, failing unless there are want of them.
func followedNode(t *testing.T, clock *testClock) (*testNode, func(want int) []received) {
	t.Helper()
	a, b := startNode(t, clock), startNode(t, clock)
	b.mustCLI("admin", "follow", a.acct())
	drain(t, a, b)
	// An organisation following an organisation asks for a partnership:
	// it waits for A's admin, whose approval follows B back.
	for _, r := range a.follows(true, shrooms.FollowPending) {
		if _, err := a.m.DB.Follows.ApproveFollowRequest(systemCtx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, a, b)
	if got := a.follows(true, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("A followers = %d, want B", len(got))
	}
	seen := len(inboxActivities(t, b))
	return a, func(want int) []received {
		t.Helper()
		drain(t, a, b)
		got := newActivities(t, b, seen)
		if len(got) != want {
			t.Fatalf("B received %d new activities, want %d: %+v", len(got), want, got)
		}
		seen += len(got)
		return got
	}
}

// TestItemsFederate: B's organisation follows A's; A's public items reach
// B as Create, their changes as Update, and their withdrawal as Delete;
// members items never leave A; the item's IRI serves its document to
// anyone for a public item only.
func TestItemsFederate(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, next := followedNode(t, clock)

	// A public tool: a Create with the item embedded.
	drill := &shrooms.Item{Kind: shrooms.KindTool, Name: "Cordless drill", Description: "18 V, two batteries.",
		Condition: shrooms.ConditionGood, Status: shrooms.StatusAvailable, Loanable: true,
		Loan: shrooms.LoanRules{MaxDays: 14, Members: true}, ValueCents: 12990, Audience: shrooms.AudiencePublic}
	if err := a.m.DB.Items.CreateItem(systemCtx, drill); err != nil {
		t.Fatal(err)
	}
	got := next(1)[0]
	create := got.IRI
	if got.Type != shrooms.ActivityCreate || got.Actor != a.org().IRI || got.Object != drill.IRI || !got.IsPublic() {
		t.Fatalf("Create: %+v", got.Activity)
	}
	if got.Item == nil || got.Item.Name != "Cordless drill" || got.Item.Loan.MaxDays != 14 || got.Item.IRI != drill.IRI {
		t.Fatalf("Create carries item %+v", got.Item)
	}
	obj := got.raw["object"].(map[string]any)
	if typ, _ := obj["type"].([]any); len(typ) != 2 || typ[0] != "Page" || typ[1] != "shrooms:Item" {
		t.Fatalf("object type %v", obj["type"])
	}
	if pv := propertyValues(obj); pv["Status"] != "available" || pv["Condition"] != "good" || pv["Loans"] != "up to 14 days" {
		t.Fatalf("PropertyValues %v", pv)
	}
	if strings.Contains(mustMarshal(t, got.raw), "12990") {
		t.Fatalf("the item's value left the node: %v", obj)
	}

	// The item's IRI answers its document to an unsigned fetch.
	status, hdr, body := a.get("/items/"+itoa(drill.ID), "application/activity+json")
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), vocab.ContentType) {
		t.Fatalf("GET item document: %d %s %s", status, hdr.Get("Content-Type"), body)
	}
	doc, _, err := vocab.ParseItem(body)
	if err != nil || doc.IRI != drill.IRI || doc.Name != "Cordless drill" || doc.Audience != shrooms.AudiencePublic {
		t.Fatalf("item document: %v %+v\n%s", err, doc, body)
	}
	status, _, body = a.get("/items/"+itoa(drill.ID), `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	if status != http.StatusOK || !strings.Contains(string(body), `"shrooms:Item"`) {
		t.Fatalf("GET item document as ld+json: %d %s", status, body)
	}

	// A browser at the same URL gets the web page.
	if status, hdr, _ := a.get("/items/"+itoa(drill.ID), "text/html"); status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("GET item page as HTML: %d %s", status, hdr.Get("Content-Type"))
	}

	// A change: an Update whose object has the new name and a later
	// "updated".
	clock.Advance(time.Minute)
	name := "Cordless drill 18 V"
	if _, err := a.m.DB.Items.UpdateItem(systemCtx, drill.ID, shrooms.ItemUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	got = next(1)[0]
	obj = got.raw["object"].(map[string]any)
	if got.Type != shrooms.ActivityUpdate || got.Item == nil || got.Item.Name != name || obj["updated"] == nil {
		t.Fatalf("Update: %+v object %v", got.Activity, obj)
	}
	if !got.Item.UpdatedAt.After(got.Item.CreatedAt) {
		t.Fatalf("Update: updated %v is not after published %v", got.Item.UpdatedAt, got.Item.CreatedAt)
	}

	// A photo: the Update attaches it as a Document with its media type,
	// and anyone can fetch it (the item is public).
	clock.Advance(time.Minute)
	photo := &shrooms.Media{ContentType: "image/png", Width: 40, Height: 30, Data: testPNG(t, 40, 30)}
	thumb := &shrooms.Media{ContentType: "image/png", Width: 20, Height: 15, Data: testPNG(t, 20, 15)}
	ph, err := a.m.DB.Items.AddItemPhoto(systemCtx, drill.ID, photo, thumb)
	if err != nil {
		t.Fatal(err)
	}
	got = next(1)[0]
	if got.Type != shrooms.ActivityUpdate || got.Item == nil || len(got.Item.Photos) != 1 {
		t.Fatalf("Update after a photo: %+v item %+v", got.Activity, got.Item)
	}
	if p := got.Item.Photos[0]; p.URL != ph.URL || p.ContentType != "image/png" || p.Width != 40 || p.ThumbURL != ph.ThumbURL {
		t.Fatalf("photo attachment %+v, want %+v as image/png", p, ph)
	}
	photoResp, err := http.Get(ph.URL)
	if err != nil {
		t.Fatal(err)
	}
	photoResp.Body.Close()
	if photoResp.StatusCode != http.StatusOK || photoResp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s anonymously: %d %s", ph.URL, photoResp.StatusCode, photoResp.Header.Get("Content-Type"))
	}

	// Members only from now on: a Delete with a Tombstone, and the
	// document is gone.
	members := shrooms.AudienceMembers
	if _, err := a.m.DB.Items.UpdateItem(systemCtx, drill.ID, shrooms.ItemUpdate{Audience: &members}); err != nil {
		t.Fatal(err)
	}
	got = next(1)[0]
	obj, _ = got.raw["object"].(map[string]any)
	if got.Type != shrooms.ActivityDelete || got.Object != drill.IRI || obj["type"] != "Tombstone" || got.Item != nil {
		t.Fatalf("Delete: %+v object %v", got.Activity, got.raw["object"])
	}
	if status, _, body := a.get("/items/"+itoa(drill.ID), "application/activity+json"); status != http.StatusNotFound {
		t.Fatalf("members item document: %d %s", status, body)
	}
	// Its Create, still listed in the outbox, names the item by IRI only.
	status, _, body = a.get(strings.TrimPrefix(create, a.url()), "application/activity+json")
	if status != http.StatusOK || !strings.Contains(string(body), `"object":"`+drill.IRI+`"`) || strings.Contains(string(body), "Cordless") {
		t.Fatalf("GET the Create after the item left public: %d %s", status, body)
	}

	// A members item never produces an activity, nor does its change.
	saw := &shrooms.Item{Kind: shrooms.KindTool, Name: "Hand saw", Audience: shrooms.AudienceMembers}
	if err := a.m.DB.Items.CreateItem(systemCtx, saw); err != nil {
		t.Fatal(err)
	}
	newName := "Japanese hand saw"
	if _, err := a.m.DB.Items.UpdateItem(systemCtx, saw.ID, shrooms.ItemUpdate{Name: &newName}); err != nil {
		t.Fatal(err)
	}
	next(0)
	if status, _, _ := a.get("/items/"+itoa(saw.ID), "application/activity+json"); status != http.StatusNotFound {
		t.Fatalf("members item document: %d", status)
	}
	if status, _, _ := a.get("/items/99999", "application/activity+json"); status != http.StatusNotFound {
		t.Fatalf("unknown item document: %d", status)
	}
}

// TestPartStockFederates: a stock movement of a public part is an Update
// with the new quantity.
func TestPartStockFederates(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, next := followedNode(t, clock)
	// A public part: its stock level travels with it.
	fuse := &shrooms.Item{Kind: shrooms.KindPart, Name: "Fuse 5 A", Quantity: 12, MinQuantity: 5, Audience: shrooms.AudiencePublic}
	if err := a.m.DB.Items.CreateItem(systemCtx, fuse); err != nil {
		t.Fatal(err)
	}
	got := next(1)[0]
	if got.Type != shrooms.ActivityCreate || got.Item == nil || got.Item.Quantity != 12 || propertyValues(got.raw["object"].(map[string]any))["Stock"] != "12 pcs" {
		t.Fatalf("Create of a part: %+v item %+v", got.Activity, got.Item)
	}
	clock.Advance(time.Minute)
	if err := a.m.DB.Stock.MoveStock(systemCtx, &shrooms.StockMovement{ItemID: fuse.ID, Kind: shrooms.MoveOut, Amount: 2, Reason: "repair café"}); err != nil {
		t.Fatal(err)
	}
	got = next(1)[0]
	obj := got.raw["object"].(map[string]any)
	if got.Type != shrooms.ActivityUpdate || got.Item == nil || got.Item.Quantity != 10 || obj["shrooms:quantity"] != 10.0 || propertyValues(obj)["Stock"] != "10 pcs" {
		t.Fatalf("Update after a stock movement: %+v object %v", got.Activity, obj)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
