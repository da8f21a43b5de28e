package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestItemsWebPhotosAndCategories: photos added and removed on the item
// page; categories renamed, moved and deleted only when empty.
func TestItemsWebPhotosAndCategories(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)
	item := createItem(t, n, &shrooms.Item{Name: "Sander", Audience: shrooms.AudienceMembers})
	path := fmt.Sprintf("/items/%d", item.ID)

	p := staff.postMultipart(path+"/photos", url.Values{}, "photos", "sander.png", testPNG(t, 2000, 1000))
	if p.Status != http.StatusOK || !p.Has("Photo added.") {
		t.Fatalf("add photo: %d\n%s", p.Status, p.Body)
	}
	got, _ := n.m.DB.Items.FindItemByID(systemCtx, item.ID)
	if len(got.Photos) != 1 || got.Photos[0].Width != 1600 || got.Photos[0].Height != 800 {
		t.Fatalf("photos: %+v", got.Photos)
	}
	thumb, err := n.m.DB.Media.FindMedia(systemCtx, got.Photos[0].ThumbID)
	if err != nil || thumb.Width != 320 || thumb.Height != 160 {
		t.Fatalf("thumb: %+v %v", thumb, err)
	}
	if p := staff.postMultipart(path+"/photos", url.Values{}, "photos", "notes.txt", []byte("not an image")); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("not an image: %d, want 422", p.Status)
	}
	p = staff.post(fmt.Sprintf("%s/photos/%d/delete", path, got.Photos[0].MediaID), nil)
	if p.Status != http.StatusOK || !p.Has("Photo removed.") {
		t.Errorf("delete photo: %d", p.Status)
	}
	if got, _ := n.m.DB.Items.FindItemByID(systemCtx, item.ID); len(got.Photos) != 0 {
		t.Errorf("photos after delete: %+v", got.Photos)
	}

	staff.post("/items/categories", url.Values{"name": {"Tools"}})
	tools := findCategory(t, n, "Tools")
	staff.post("/items/categories", url.Values{"name": {"Sanders"}})
	sanders := findCategory(t, n, "Sanders")
	if p := staff.post("/items/categories", url.Values{"name": {""}}); p.Status != http.StatusUnprocessableEntity || !p.Has("Please give the category a name.") {
		t.Errorf("empty category name: %d", p.Status)
	}
	p = staff.post(fmt.Sprintf("/items/categories/%d", sanders.ID), url.Values{"name": {"Sanding"}, "parent": {fmt.Sprint(tools.ID)}})
	if p.Status != http.StatusOK || !p.Has("Saved.") {
		t.Fatalf("move category: %d\n%s", p.Status, p.Body)
	}
	if c := findCategory(t, n, "Sanding"); c.ParentID != tools.ID || c.Path != "Tools › Sanding" {
		t.Errorf("moved category: %+v", c)
	}
	if p := staff.post(fmt.Sprintf("/items/categories/%d", tools.ID), url.Values{"name": {"Tools"}, "parent": {fmt.Sprint(sanders.ID)}}); p.Status != http.StatusConflict {
		t.Errorf("category under its own child: %d, want 409", p.Status)
	}
	if p := staff.post(fmt.Sprintf("/items/categories/%d/delete", tools.ID), nil); p.Status != http.StatusConflict || !p.Has("Only an empty category can be deleted") {
		t.Errorf("delete a category with children: %d", p.Status)
	}
	if p := staff.post(fmt.Sprintf("/items/categories/%d/delete", sanders.ID), nil); p.Status != http.StatusOK || !p.Has("Category deleted.") {
		t.Errorf("delete an empty category: %d", p.Status)
	}
}
