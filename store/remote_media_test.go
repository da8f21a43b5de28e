package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// withImage is obj with a thumbnail address on the partner.
func withImage(o shrooms.RemoteObject, img string) shrooms.RemoteObject {
	o.ImageURL = img
	return o
}

// due returns the due thumbnails' source URLs by object IRI.
func (c *cache) due(t *testing.T) map[string]*shrooms.RemoteMediaJob {
	t.Helper()
	jobs, err := c.db.RemoteMedia.FindDueRemoteMedia(sys, 100)
	if err != nil {
		t.Fatalf("FindDueRemoteMedia: %v", err)
	}
	out := map[string]*shrooms.RemoteMediaJob{}
	for _, j := range jobs {
		out[j.ObjectIRI] = j
	}
	return out
}

var jpegThumb = &shrooms.Media{ContentType: "image/jpeg", Width: 4, Height: 3, Data: []byte("\xff\xd8 not really")}

// TestRemoteMediaQueue: a Put with an image queues its thumbnail; a newer
// version with another image queues the new address; one without an
// image, a Delete and a Withdraw drop it; a fetch that finishes after the
// image changed stores nothing.
func TestRemoteMediaQueue(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied, applied},
		put(c.a, withImage(obj(c.a, "1", "Drill", 1), "https://a.example/media/1")),
		put(c.a, obj(c.a, "2", "Saw", 1)))
	due := c.due(t)
	j := due["https://a.example/items/1"]
	if len(due) != 1 || j == nil || j.SourceURL != "https://a.example/media/1" || j.Attempts != 0 {
		t.Fatalf("due = %+v, want the drill's image only", due)
	}
	c.apply(t, []shrooms.RemoteResult{applied, applied},
		put(c.a, withImage(obj(c.a, "1", "Drill", 2), "https://a.example/media/2")),
		put(c.a, withImage(obj(c.a, "2", "Saw", 2), "https://a.example/media/3")))
	// The fetch of the old address ends after the change: not stored.
	if err := c.db.RemoteMedia.SaveRemoteMedia(sys, j, jpegThumb); err != nil {
		t.Fatal(err)
	}
	due = c.due(t)
	if len(due) != 2 || due["https://a.example/items/1"].SourceURL != "https://a.example/media/2" {
		t.Fatalf("due = %+v, want both, the drill at its new address", due)
	}
	for _, j := range due {
		if err := c.db.RemoteMedia.SaveRemoteMedia(sys, j, jpegThumb); err != nil {
			t.Fatal(err)
		}
	}
	if due = c.due(t); len(due) != 0 {
		t.Fatalf("due after saving = %+v", due)
	}
	o, err := c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.db.RemoteMedia.FindRemoteMedia(as(c.member), o.ID)
	if err != nil || m.ContentType != "image/jpeg" || string(m.Data) != string(jpegThumb.Data) || m.Width != 4 {
		t.Fatalf("FindRemoteMedia = %+v, %v", m, err)
	}
	// A version without an image drops the thumbnail; a Delete too.
	saw, _ := c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/2")
	c.apply(t, []shrooms.RemoteResult{applied, applied},
		put(c.a, obj(c.a, "1", "Drill", 3)),
		shrooms.RemoteChange{Op: shrooms.RemoteDelete, ActorIRI: c.a.IRI,
			Object: shrooms.RemoteObject{IRI: "https://a.example/items/2", Updated: at(3)}})
	for _, id := range []int64{o.ID, saw.ID} {
		_, err := c.db.RemoteMedia.FindRemoteMedia(as(c.member), id)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	}
	if n := c.count(t, `SELECT COUNT(*) FROM remote_media`); n != 0 {
		t.Fatalf("%d thumbnails kept without an image or after a delete", n)
	}
}

// count runs a COUNT query on the raw database.
func (c *cache) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := c.raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestRemoteMediaVisibility: members see a partner's cached thumbnail,
// anonymous callers do not; unlinking the partner hides it and purging
// drops it; only the system fetches and stores.
func TestRemoteMediaVisibility(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied, applied},
		put(c.a, withImage(obj(c.a, "1", "Drill", 1), "https://a.example/media/1")),
		put(c.b, withImage(obj(c.b, "1", "Ladder", 1), "https://b.example/media/1")))
	for _, j := range c.due(t) {
		if err := c.db.RemoteMedia.SaveRemoteMedia(sys, j, jpegThumb); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/1")
	b, _ := c.db.Remote.FindRemoteObject(as(c.member), "https://b.example/items/1")
	thumbs, err := c.db.RemoteMedia.FindRemoteThumbs(as(c.member), []int64{a.ID, b.ID, 999})
	if err != nil || len(thumbs) != 2 || thumbs[a.ID].Width != 4 || thumbs[a.ID].Data != nil {
		t.Fatalf("FindRemoteThumbs = %+v, %v", thumbs, err)
	}
	_, err = c.db.RemoteMedia.FindRemoteMedia(anon, a.ID)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	_, err = c.db.RemoteMedia.FindRemoteThumbs(anon, []int64{a.ID})
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	for name, call := range map[string]func() error{
		"due": func() error { _, err := c.db.RemoteMedia.FindDueRemoteMedia(as(c.admin), 10); return err },
		"save": func() error {
			return c.db.RemoteMedia.SaveRemoteMedia(as(c.admin), &shrooms.RemoteMediaJob{ObjectID: a.ID}, jpegThumb)
		},
		"fail": func() error {
			return c.db.RemoteMedia.FailRemoteMedia(as(c.admin), &shrooms.RemoteMediaJob{ObjectID: a.ID}, true, false, "x")
		},
	} {
		if err := call(); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
			t.Errorf("%s as admin: %v, want forbidden", name, err)
		}
	}
	// B is no longer a partner (our follow undone): its thumbnail is hidden
	// like its objects, though kept until the purge.
	c.exec(t, `DELETE FROM follows WHERE follower_id = ? AND followee_id = ?`, c.org.ID, c.b.ID)
	_, err = c.db.RemoteMedia.FindRemoteMedia(as(c.member), b.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	if thumbs, _ := c.db.RemoteMedia.FindRemoteThumbs(as(c.member), []int64{a.ID, b.ID}); len(thumbs) != 1 || thumbs[a.ID] == nil {
		t.Fatalf("thumbs after unlinking B = %+v", thumbs)
	}
	if _, err := c.db.Remote.PurgeRemote(sys, c.a.ID); err != nil {
		t.Fatal(err)
	}
	if n := c.count(t, `SELECT COUNT(*) FROM remote_media WHERE object_id = ?`, a.ID); n != 0 {
		t.Fatalf("purge kept %d thumbnails", n)
	}
}

// TestRemoteMediaBackoff: a failed fetch waits HostBackoff, the last
// attempt or a permanent failure gives up; a failed row is never due.
func TestRemoteMediaBackoff(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied, applied},
		put(c.a, withImage(obj(c.a, "1", "Drill", 1), "https://a.example/media/1")),
		put(c.a, withImage(obj(c.a, "2", "Saw", 1), "https://a.example/media/2")))
	drill := c.due(t)["https://a.example/items/1"]
	if err := c.db.RemoteMedia.FailRemoteMedia(sys, c.due(t)["https://a.example/items/2"], true, false, "not an image"); err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= shrooms.RemoteMediaMaxAttempts; k++ {
		if err := c.db.RemoteMedia.FailRemoteMedia(sys, drill, false, false, "answered 503"); err != nil {
			t.Fatal(err)
		}
		if due := c.due(t); len(due) != 0 {
			t.Fatalf("attempt %d: due at once after a failure: %+v", k, due)
		}
		c.clock.Add(shrooms.HostBackoff(k))
		due := c.due(t)
		if k == shrooms.RemoteMediaMaxAttempts {
			if len(due) != 0 {
				t.Fatalf("still due after %d attempts: %+v", k, due)
			}
			break
		}
		if drill = due["https://a.example/items/1"]; len(due) != 1 || drill == nil || drill.Attempts != k {
			t.Fatalf("attempt %d: due = %+v", k, due)
		}
	}
	if n := c.count(t, `SELECT COUNT(*) FROM remote_media WHERE state = 'failed'`); n != 2 {
		t.Fatalf("failed = %d, want 2", n)
	}
}

// TestRemoteMediaHostDown: a partner that does not answer puts off its
// other pending thumbnails for the backoff, not another partner's.
func TestRemoteMediaHostDown(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied, applied, applied},
		put(c.a, withImage(obj(c.a, "1", "Drill", 1), "https://a.example/media/1")),
		put(c.a, withImage(obj(c.a, "2", "Saw", 1), "https://a.example/media/2")),
		put(c.b, withImage(obj(c.b, "1", "Ladder", 1), "https://b.example/media/1")))
	if err := c.db.RemoteMedia.FailRemoteMedia(sys, c.due(t)["https://a.example/items/1"], false, true, "timeout"); err != nil {
		t.Fatal(err)
	}
	due := c.due(t)
	if len(due) != 1 || due["https://b.example/items/1"] == nil {
		t.Fatalf("due = %+v, want B's only while A is down", due)
	}
	c.clock.Add(shrooms.HostBackoff(1))
	due = c.due(t)
	if len(due) != 3 || due["https://a.example/items/2"].Attempts != 0 || due["https://a.example/items/1"].Attempts != 1 {
		t.Fatalf("due after the backoff = %+v, want all three, the saw without an attempt counted", due)
	}
}
