package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// The sharing policy: who receives partners-only items, who may read them, the
// policy changes, the default audience and the sync bookkeeping.

// sharing is an inventory node with two linked partners: B shares
// inventory only, C everything.
type sharing struct {
	*partners
	v    *inv
	b, c *shrooms.Actor
}

func newSharing(t *testing.T) *sharing {
	t.Helper()
	v := newInv(t)
	x := &partners{people: v.people, raw: v.raw}
	s := &sharing{partners: x, v: v, b: x.link(t, "b.example"), c: x.link(t, "c.example")}
	if _, err := x.db.Partners.SetPartnerModules(sys, s.b.ID, []string{"inventory"}); err != nil {
		t.Fatal(err)
	}
	x.newActs(t)
	return s
}

// wantTo checks an activity's recipients.
func wantTo(t *testing.T, a *shrooms.Activity, to, cc, except []string) {
	t.Helper()
	if !slices.Equal(a.To, to) || !slices.Equal(a.CC, cc) || !slices.Equal(a.Except, except) {
		t.Fatalf("%s to %v cc %v except %v, want to %v cc %v except %v", a.Type, a.To, a.CC, a.Except, to, cc, except)
	}
}

// sharesWith reports whether a request signed by iri reads module's
// partners-only records, as the store resolves its principal.
func sharesWith(t *testing.T, db interface {
	PrincipalForTest(context.Context) (shrooms.Principal, error)
}, iri, module string) bool {
	t.Helper()
	p, err := db.PrincipalForTest(shrooms.NewRemoteContext(context.Background(), iri))
	if err != nil {
		t.Fatal(err)
	}
	return p.SharesModule(module)
}

func TestSharesWith(t *testing.T) {
	t.Parallel()
	s := newSharing(t)
	pending := remoteActor(t, s.db, "pending.example", "org")
	if _, err := s.db.Partners.LinkPartner(sys, pending.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		iri, module string
		want        bool
	}{
		{s.b.IRI, "inventory", true},
		{s.b.IRI, "stock", false},
		{s.c.IRI, "stock", true},
		{pending.IRI, "inventory", false},
		{"https://nobody.example/org", "inventory", false},
	} {
		if got := sharesWith(t, s.db, tc.iri, tc.module); got != tc.want {
			t.Fatalf("sharesWith(%s, %s) = %v, want %v", tc.iri, tc.module, got, tc.want)
		}
	}
	if err := s.db.Partners.BlockPartner(sys, s.c.ID); err != nil {
		t.Fatal(err)
	}
	if sharesWith(t, s.db, s.c.IRI, "stock") {
		t.Fatal("a blocked partner is still shared with")
	}
	_, err := s.db.Partners.SetPartnerModules(sys, s.b.ID, []string{"inventory", "boats"})
	wantCode(t, err, shrooms.EINVALID, "boats")
	_, err = s.db.Partners.SetPartnerModules(as(s.member), s.b.ID, nil)
	wantCode(t, err, shrooms.EFORBIDDEN, "")
	_, err = s.db.Partners.SetPartnerModules(sys, 999, nil)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	if p := s.partner(t, s.b); !slices.Equal(p.Modules, []string{"inventory"}) {
		t.Fatalf("policy changed by bad input: %v", p.Modules)
	}
}

func TestItemFederatePartners(t *testing.T) {
	t.Parallel()
	s := newSharing(t)
	v := s.v
	drill := v.item(t, &shrooms.Item{Name: "Drill", Kind: shrooms.KindTool, Audience: shrooms.AudiencePartners})
	iri := testURL + "/items/" + itoa(drill.ID)
	both, onlyC := []string{s.b.IRI, s.c.IRI}, []string{s.c.IRI}

	create := s.wantActs(t, "Create")[0]
	wantTo(t, create, both, nil, nil)
	if create.Object != iri || create.Item == nil || create.Item.Name != "Drill" || create.IsPublic() {
		t.Fatalf("create %+v", create)
	}
	t.Run("a part goes only to the partners sharing stock", func(t *testing.T) {
		v.item(t, &shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart, Audience: shrooms.AudiencePartners})
		wantTo(t, s.wantActs(t, "Create")[0], onlyC, nil, nil)
	})
	t.Run("partners change: Update to them", func(t *testing.T) {
		if _, err := v.db.Items.UpdateItem(as(v.staff), drill.ID, shrooms.ItemUpdate{Name: ptr("Big drill")}); err != nil {
			t.Fatal(err)
		}
		wantTo(t, s.wantActs(t, "Update")[0], both, nil, nil)
	})
	t.Run("partners to public: Update to the public", func(t *testing.T) {
		if _, err := v.db.Items.UpdateItem(as(v.staff), drill.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudiencePublic)}); err != nil {
			t.Fatal(err)
		}
		wantTo(t, s.wantActs(t, "Update")[0], []string{shrooms.PublicAudience}, []string{v.org.Followers}, nil)
	})
	t.Run("public to partners: Update to them, Delete for the others", func(t *testing.T) {
		if _, err := v.db.Items.UpdateItem(as(v.staff), drill.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudiencePartners)}); err != nil {
			t.Fatal(err)
		}
		acts := s.wantActs(t, "Update", "Delete")
		wantTo(t, acts[0], both, nil, nil)
		wantTo(t, acts[1], []string{shrooms.PublicAudience}, []string{v.org.Followers}, both)
		if acts[1].Object != iri || acts[1].Item != nil {
			t.Fatalf("delete %+v", acts[1])
		}
	})
	t.Run("partners to members: Delete to them", func(t *testing.T) {
		if _, err := v.db.Items.UpdateItem(as(v.staff), drill.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudienceMembers)}); err != nil {
			t.Fatal(err)
		}
		wantTo(t, s.wantActs(t, "Delete")[0], both, nil, nil)
		if _, err := v.db.Items.UpdateItem(as(v.staff), drill.ID, shrooms.ItemUpdate{Name: ptr("Quiet")}); err != nil {
			t.Fatal(err)
		}
		s.wantActs(t)
	})
	t.Run("a partners item deleted: Delete to them", func(t *testing.T) {
		saw := v.item(t, &shrooms.Item{Name: "Saw", Audience: shrooms.AudiencePartners})
		s.wantActs(t, "Create")
		if err := v.db.Items.DeleteItem(as(v.staff), saw.ID); err != nil {
			t.Fatal(err)
		}
		wantTo(t, s.wantActs(t, "Delete")[0], both, nil, nil)
	})
	t.Run("kit contents keep only what partners may see", func(t *testing.T) {
		kit := v.item(t, &shrooms.Item{Name: "Kit", Kind: shrooms.KindKit, Audience: shrooms.AudiencePartners})
		s.wantActs(t, "Create")
		for _, c := range []struct {
			name string
			aud  shrooms.Audience
		}{{"Shared bit", shrooms.AudiencePartners}, {"Secret bit", shrooms.AudienceMembers}} {
			v.item(t, &shrooms.Item{Name: c.name, Audience: c.aud, KitID: kit.ID})
		}
		s.newActs(t)
		if _, err := v.db.Items.UpdateItem(as(v.staff), kit.ID, shrooms.ItemUpdate{Name: ptr("Drill kit")}); err != nil {
			t.Fatal(err)
		}
		u := s.wantActs(t, "Update")[0]
		if len(u.Item.Contents) != 1 || u.Item.Contents[0].Name != "Shared bit" {
			t.Fatalf("contents %+v", u.Item.Contents)
		}
	})
	t.Run("an unlinked partner receives nothing", func(t *testing.T) {
		if err := s.db.Partners.UnlinkPartner(sys, s.b.ID); err != nil {
			t.Fatal(err)
		}
		s.newActs(t)
		v.item(t, &shrooms.Item{Name: "Ladder", Audience: shrooms.AudiencePartners})
		wantTo(t, s.wantActs(t, "Create")[0], onlyC, nil, nil)
	})
}

func TestSetPartnerModulesSends(t *testing.T) {
	t.Parallel()
	s := newSharing(t)
	v := s.v
	drill := v.item(t, &shrooms.Item{Name: "Drill", Audience: shrooms.AudiencePartners})
	fuse := v.item(t, &shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart, Audience: shrooms.AudiencePartners})
	v.item(t, &shrooms.Item{Name: "Public fuse", Kind: shrooms.KindPart, Audience: shrooms.AudiencePublic})
	v.item(t, &shrooms.Item{Name: "Members fuse", Kind: shrooms.KindPart, Audience: shrooms.AudienceMembers})
	s.newActs(t)

	p, err := s.db.Partners.SetPartnerModules(as(s.admin), s.b.ID, []string{"stock", "inventory", "stock"})
	if err != nil || !slices.Equal(p.Modules, []string{"inventory", "stock"}) {
		t.Fatalf("partner %+v, %v", p, err)
	}
	c := s.wantActs(t, "Create")[0]
	wantTo(t, c, []string{s.b.IRI}, nil, nil)
	if c.Object != testURL+"/items/"+itoa(fuse.ID) || c.Item.Name != "Fuse" {
		t.Fatalf("create %+v", c)
	}
	if _, err := s.db.Partners.SetPartnerModules(sys, s.b.ID, []string{"stock"}); err != nil {
		t.Fatal(err)
	}
	d := s.wantActs(t, "Delete")[0]
	wantTo(t, d, []string{s.b.IRI}, nil, nil)
	if d.Object != testURL+"/items/"+itoa(drill.ID) {
		t.Fatalf("delete %+v", d)
	}
	if sharesWith(t, s.db, s.b.IRI, "inventory") {
		t.Fatal("policy not applied")
	}
	t.Run("a partner not linked gets nothing", func(t *testing.T) {
		pending := remoteActor(t, s.db, "pending.example", "org")
		if _, err := s.db.Partners.LinkPartner(sys, pending.ID, ""); err != nil {
			t.Fatal(err)
		}
		s.wantActs(t, "Follow")
		if _, err := s.db.Partners.SetPartnerModules(sys, pending.ID, []string{"stock"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Partners.SetPartnerModules(sys, pending.ID, []string{"inventory"}); err != nil {
			t.Fatal(err)
		}
		s.wantActs(t)
	})
}

func TestDefaultAudience(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	set, err := v.db.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	if a := set.DefaultAudience("inventory"); a != shrooms.AudienceMembers || set.DefaultAudiences != nil {
		t.Fatalf("fresh node default %s, %v", a, set.DefaultAudiences)
	}
	set.DefaultAudiences = map[string]shrooms.Audience{"inventory": shrooms.AudiencePartners, "stock": shrooms.AudiencePublic}
	if err := v.db.Settings.UpdateSettings(sys, set); err != nil {
		t.Fatal(err)
	}
	got, _ := v.db.Settings.FindSettings(anon)
	if got.DefaultAudiences["inventory"] != shrooms.AudiencePartners || got.DefaultAudiences["stock"] != shrooms.AudiencePublic {
		t.Fatalf("saved defaults %v", got.DefaultAudiences)
	}
	bad := *got
	bad.DefaultAudiences = map[string]shrooms.Audience{"inventory": "everyone"}
	wantCode(t, v.db.Settings.UpdateSettings(sys, &bad), shrooms.EINVALID, "default_audiences")
	for _, tc := range []struct {
		item *shrooms.Item
		want shrooms.Audience
	}{
		{&shrooms.Item{Name: "Drill"}, shrooms.AudiencePartners},
		{&shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart}, shrooms.AudiencePublic},
		{&shrooms.Item{Name: "Safe", Audience: shrooms.AudienceStaff}, shrooms.AudienceStaff},
	} {
		if it := v.item(t, tc.item); it.Audience != tc.want {
			t.Fatalf("%s audience %s, want %s", it.Name, it.Audience, tc.want)
		}
	}
}

func TestPartnerSync(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := x.link(t, "b.example")
	if p := x.partner(t, b); p.Sync.State != shrooms.SyncDue || p.Sync.Generation != 0 {
		t.Fatalf("sync of a new partner %+v", p.Sync)
	}
	toSync := func(t *testing.T, want bool) {
		t.Helper()
		ps, err := x.db.Partners.FindPartnersToSync(sys, x.clock.Now(), 24*time.Hour)
		if err != nil || (len(ps) == 1) != want {
			t.Fatalf("to sync %v, %v; want %v", ps, err, want)
		}
	}
	toSync(t, true)
	_, err := x.db.Partners.StartPartnerSync(as(x.member), b.ID, "https://b.example/shared?page=true", 3)
	wantCode(t, err, shrooms.EFORBIDDEN, "")

	// Before the sync: 1 seen by the last one, 2 and 3 never seen again,
	// 3 delivered while the sync runs.
	x.cacheObject(t, b, "1", 0, t0.UnixMilli())
	x.cacheObject(t, b, "2", 0, t0.UnixMilli())
	x.clock.Add(time.Minute)
	gen, err := x.db.Partners.StartPartnerSync(sys, b.ID, "https://b.example/shared?page=true", 3)
	if err != nil || gen != 1 {
		t.Fatalf("gen %d, %v", gen, err)
	}
	toSync(t, true) // running: resumed after a restart
	if _, err := x.raw.Exec(`UPDATE remote_objects SET sync_gen = ? WHERE iri LIKE '%/1'`, gen); err != nil {
		t.Fatal(err)
	}
	x.clock.Add(time.Second)
	x.cacheObject(t, b, "3", 0, x.clock.Now().UnixMilli())
	if err := x.db.Partners.RecordPartnerSyncPage(sys, b.ID, gen, 1, "https://b.example/shared?page=true&after=1"); err != nil {
		t.Fatal(err)
	}
	if p := x.partner(t, b); p.Sync.State != shrooms.SyncRunning || p.Sync.Fetched != 1 || p.Sync.Total != 3 ||
		p.Sync.Next != "https://b.example/shared?page=true&after=1" || !p.Sync.StartedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("sync %+v", p.Sync)
	}
	wantCode(t, x.db.Partners.RecordPartnerSyncPage(sys, b.ID, gen+1, 1, ""), shrooms.ECONFLICT, "")
	wantCode(t, x.db.Partners.RecordPartnerSyncPage(sys, 999, gen, 1, ""), shrooms.ENOTFOUND, "")

	removed, err := x.db.Partners.FinishPartnerSync(sys, b.ID, gen)
	if err != nil || removed != 1 {
		t.Fatalf("removed %d, %v", removed, err)
	}
	var left []string
	rows, _ := x.raw.Query(`SELECT iri FROM remote_objects ORDER BY iri`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		left = append(left, s)
	}
	rows.Close()
	if !slices.Equal(left, []string{"https://b.example/items/1", "https://b.example/items/3"}) {
		t.Fatalf("cache after the sync %v", left)
	}
	if p := x.partner(t, b); p.Sync.State != shrooms.SyncDone || !p.Sync.FinishedAt.Equal(x.clock.Now()) || p.Sync.Next != "" {
		t.Fatalf("sync %+v", p.Sync)
	}
	toSync(t, false)
	x.clock.Add(24 * time.Hour)
	toSync(t, true) // the periodic resync

	t.Run("failed, retried later", func(t *testing.T) {
		if err := x.db.Partners.FailPartnerSync(sys, b.ID, "b.example: 503", x.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if p := x.partner(t, b); p.Sync.State != shrooms.SyncFailed || p.Sync.LastError != "b.example: 503" ||
			p.Sync.Failures != 1 {
			t.Fatalf("sync %+v", p.Sync)
		}
		toSync(t, false)
		x.clock.Add(time.Hour)
		toSync(t, true)
		// The count survives in the database, for the next backoff.
		if err := x.db.Partners.FailPartnerSync(sys, b.ID, "b.example: 503", x.clock.Now().Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if p := x.partner(t, b); p.Sync.Failures != 2 {
			t.Fatalf("sync %+v, want 2 failures", p.Sync)
		}
	})
	t.Run("asked for", func(t *testing.T) {
		if _, err := x.db.Partners.FinishPartnerSync(sys, b.ID, gen); err != nil {
			t.Fatal(err)
		}
		if p := x.partner(t, b); p.Sync.Failures != 0 {
			t.Fatalf("sync %+v: a finished sync resets the failures", p.Sync)
		}
		toSync(t, false)
		if err := x.db.Partners.RequestPartnerSync(as(x.admin), b.ID); err != nil {
			t.Fatal(err)
		}
		toSync(t, true)
		pending := remoteActor(t, x.db, "pending.example", "org")
		if _, err := x.db.Partners.LinkPartner(sys, pending.ID, ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, x.db.Partners.RequestPartnerSync(sys, pending.ID), shrooms.ECONFLICT, "not linked")
		wantCode(t, x.db.Partners.RequestPartnerSync(sys, 999), shrooms.ENOTFOUND, "")
	})
}
