package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func img(tag string) (*shrooms.Media, *shrooms.Media) {
	return &shrooms.Media{ContentType: "image/jpeg", Width: 1600, Height: 1200, Data: []byte("jpeg " + tag)},
		&shrooms.Media{ContentType: "image/jpeg", Width: 320, Height: 240, Data: []byte("thumb " + tag)}
}

func TestItemPhotos(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "Drill", OwnerID: v.owner.ID})
	var first *shrooms.Photo
	for k := 0; k < shrooms.MaxPhotos; k++ {
		p, tb := img(string(rune('a' + k)))
		ph, err := v.db.Items.AddItemPhoto(as(v.owner), it.ID, p, tb)
		if err != nil {
			t.Fatalf("photo %d: %v", k, err)
		}
		if k == 0 {
			first = ph
		}
		if ph.URL != testURL+"/media/"+itoa(p.ID) || ph.ThumbURL != testURL+"/media/"+itoa(tb.ID) || ph.Width != 1600 {
			t.Fatalf("photo %+v", ph)
		}
	}
	p, tb := img("too many")
	before := count(t, v.db, `SELECT COUNT(*) FROM media`)
	_, err := v.db.Items.AddItemPhoto(as(v.staff), it.ID, p, tb)
	wantCode(t, err, shrooms.EINVALID, "photos: at most 10 per item")
	if n := count(t, v.db, `SELECT COUNT(*) FROM media`); n != before {
		t.Fatalf("media %d after refusal, want %d", n, before)
	}
	p, tb = img("member")
	_, err = v.db.Items.AddItemPhoto(as(v.member), it.ID, p, tb)
	wantCode(t, err, shrooms.EFORBIDDEN, "")
	got, _ := v.db.Items.FindItemByID(as(v.member), it.ID)
	if len(got.Photos) != 10 || got.Photos[0].MediaID != first.MediaID || got.Version != 11 {
		t.Fatalf("photos %d, first %+v, version %d", len(got.Photos), got.Photos[0], got.Version)
	}
	list, _, _ := v.db.Items.FindItems(as(v.member), shrooms.ItemFilter{})
	if len(list[0].Photos) != 1 || list[0].Photos[0].ThumbID != first.ThumbID || list[0].Photos[0].ThumbURL == "" {
		t.Fatalf("list photo %+v", list[0].Photos)
	}
	if err := v.db.Items.DeleteItemPhoto(as(v.staff), it.ID, first.MediaID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, v.db.Items.DeleteItemPhoto(as(v.staff), it.ID, first.MediaID), shrooms.ENOTFOUND, "photo not found")
	if n := count(t, v.db, `SELECT COUNT(*) FROM media WHERE id IN (?, ?)`, first.MediaID, first.ThumbID); n != 0 {
		t.Fatalf("deleted photo left %d media", n)
	}
	changes, _, _ := v.db.Items.FindItemHistory(as(v.staff), it.ID, 0, 1)
	if changes[0].Action != shrooms.ActionPhoto || !sameChange(changes[0].Fields[0], shrooms.FieldChange{Field: "photos", From: shrooms.NumberValue(10), To: shrooms.NumberValue(9)}) {
		t.Fatalf("history %+v", changes[0])
	}
	t.Run("delete item removes media", func(t *testing.T) {
		mediaBefore := count(t, v.db, `SELECT COUNT(*) FROM media`)
		if err := v.db.Items.DeleteItem(as(v.owner), it.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, v.db, `SELECT COUNT(*) FROM media`); n != mediaBefore-18 {
			t.Fatalf("media %d after delete, want %d", n, mediaBefore-18)
		}
		if n := count(t, v.db, `SELECT COUNT(*) FROM item_changes WHERE item_id = ?`, it.ID); n != 0 {
			t.Fatalf("history left: %d", n)
		}
		_, err := v.db.Items.FindItemByID(as(v.staff), it.ID)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

func TestItemPhotoVisibility(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	pub := v.item(t, &shrooms.Item{Name: "Public drill", Audience: shrooms.AudiencePublic})
	mem := v.item(t, &shrooms.Item{Name: "Members drill", Audience: shrooms.AudienceMembers})
	staffOnly := v.item(t, &shrooms.Item{Name: "Staff drill", Audience: shrooms.AudienceStaff, GroupID: v.group.ID})
	photo := func(it *shrooms.Item) *shrooms.Photo {
		p, tb := img(it.Name)
		ph, err := v.db.Items.AddItemPhoto(as(v.staff), it.ID, p, tb)
		if err != nil {
			t.Fatal(err)
		}
		return ph
	}
	pp, mp, sp := photo(pub), photo(mem), photo(staffOnly)
	for _, c := range []struct {
		name string
		ph   *shrooms.Photo
		want []bool // anonymous, member, grouper, staff
	}{
		{"public", pp, []bool{true, true, true, true}},
		{"members", mp, []bool{false, true, true, true}},
		{"staff", sp, []bool{false, false, true, true}},
	} {
		for k, who := range []*shrooms.User{nil, v.member, v.grouper, v.staff} {
			ctx := anon
			if who != nil {
				ctx = as(who)
			}
			for _, id := range []int64{c.ph.MediaID, c.ph.ThumbID} {
				_, err := v.db.Media.FindMedia(ctx, id)
				if c.want[k] && err != nil {
					t.Fatalf("%s photo for caller %d: %v", c.name, k, err)
				}
				if !c.want[k] {
					wantCode(t, err, shrooms.ENOTFOUND, "")
				}
			}
		}
	}
	setModules(t, v.db, "people")
	_, err := v.db.Media.FindMedia(anon, pp.MediaID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
}
