package store_test

import (
	"context"
	"slices"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Requests from the network carry their verified signer; the store
// resolves it to a principal and applies the same rules as to local
// callers. These tests call the store directly, with no federation in
// between, so that they fail if federation's own checks were the only
// guard.

// remoteReaders is a sharing node with every kind of network reader.
type remoteReaders struct {
	*sharing
	blocked, pending, person *shrooms.Actor
}

func newRemoteReaders(t *testing.T) *remoteReaders {
	t.Helper()
	s := newSharing(t)
	setModules(t, s.db, "people", "inventory", "stock", "locations")
	r := &remoteReaders{sharing: s}
	r.blocked = s.link(t, "blocked.example")
	if err := s.db.Partners.BlockPartner(sys, r.blocked.ID); err != nil {
		t.Fatal(err)
	}
	r.pending = remoteActor(t, s.db, "pending.example", "org")
	if _, err := s.db.Partners.LinkPartner(sys, r.pending.ID, ""); err != nil {
		t.Fatal(err)
	}
	// A person on a linked partner's host: a partner's member is read
	// as any other fediverse actor (see remotePrincipal).
	p := remoteDoc("c.example", "alice")
	p.Kind = shrooms.KindPerson
	if err := s.db.Actors.UpsertRemoteActor(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	r.person = p
	return r
}

// Every network reader against items of every audience and module, one
// at a time (FindItemByID, FindSharedItem) and listed (FindItems,
// FindSharedItems). A reader that is not a linked partner sharing the
// item's module gets what an anonymous web visitor gets.
func TestRemotePrincipalReadsItems(t *testing.T) {
	t.Parallel()
	r := newRemoteReaders(t)
	v := r.v
	type kindAud struct {
		kind shrooms.ItemKind
		aud  shrooms.Audience
	}
	ids := map[kindAud]int64{}
	names := map[int64]string{}
	for _, kind := range []shrooms.ItemKind{shrooms.KindTool, shrooms.KindPart} {
		for _, aud := range []shrooms.Audience{shrooms.AudiencePublic, shrooms.AudiencePartners, shrooms.AudienceMembers, shrooms.AudienceStaff} {
			it := v.item(t, &shrooms.Item{Name: string(kind) + " " + string(aud), Kind: kind, Audience: aud})
			ids[kindAud{kind, aud}] = it.ID
			names[it.ID] = it.Name
		}
	}
	publicOnly := []kindAud{{shrooms.KindTool, shrooms.AudiencePublic}, {shrooms.KindPart, shrooms.AudiencePublic}}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want []kindAud // what it may read; everything else is ENOTFOUND
	}{
		{"partner sharing inventory", remote(r.b), append(slices.Clone(publicOnly), kindAud{shrooms.KindTool, shrooms.AudiencePartners})},
		{"partner sharing everything", remote(r.c), append(slices.Clone(publicOnly),
			kindAud{shrooms.KindTool, shrooms.AudiencePartners}, kindAud{shrooms.KindPart, shrooms.AudiencePartners})},
		{"blocked partner", remote(r.blocked), publicOnly},
		{"partner not linked yet", remote(r.pending), publicOnly},
		{"partner's member", remote(r.person), publicOnly},
		{"fediverse actor", shrooms.NewRemoteContext(context.Background(), "https://mastodon.example/users/bob"), publicOnly},
		{"unsigned", unsigned, publicOnly},
		{"anonymous web visitor", context.Background(), publicOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wantNames []string
			for ka, id := range ids {
				it, err := v.db.Items.FindItemByID(tc.ctx, id)
				shared, serr := v.db.Items.FindSharedItem(tc.ctx, id)
				if slices.Contains(tc.want, ka) {
					wantNames = append(wantNames, names[id])
					if err != nil || it.ID != id || serr != nil || shared.ID != id {
						t.Fatalf("%s %s: FindItemByID %v, FindSharedItem %v; want the item", ka.kind, ka.aud, err, serr)
					}
					if it.OwnerName != "" {
						t.Fatalf("%s %s: a member's name left the node", ka.kind, ka.aud)
					}
					continue
				}
				if shrooms.ErrorCode(err) != shrooms.ENOTFOUND || shrooms.ErrorCode(serr) != shrooms.ENOTFOUND {
					t.Fatalf("%s %s: FindItemByID %v, FindSharedItem %v; want ENOTFOUND", ka.kind, ka.aud, err, serr)
				}
			}
			slices.Sort(wantNames)
			items, total, err := v.db.Items.FindItems(tc.ctx, shrooms.ItemFilter{Limit: 100})
			if got := sharedNames(items); err != nil || total != len(wantNames) || !slices.Equal(got, wantNames) {
				t.Fatalf("FindItems: %v (total %d, %v), want %v", got, total, err, wantNames)
			}
			shared, total, err := v.db.Items.FindSharedItems(tc.ctx, 0, 100)
			got := sharedNames(shared)
			slices.Sort(got)
			if err != nil || total != len(wantNames) || !slices.Equal(got, wantNames) {
				t.Fatalf("FindSharedItems: %v (total %d, %v), want %v", got, total, err, wantNames)
			}
		})
	}
}

// The partners class of a mode applies only in the modules a partner's
// policy shares: the store itself refuses a partners-only part to a
// partner that receives inventory only, and a module turned off takes
// its share back.
func TestRemotePrincipalPolicyModule(t *testing.T) {
	t.Parallel()
	r := newRemoteReaders(t)
	part := r.v.item(t, &shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart, Audience: shrooms.AudiencePartners})
	_, err := r.db.Items.FindItemByID(remote(r.b), part.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	if _, err := r.db.Items.FindItemByID(remote(r.c), part.ID); err != nil {
		t.Fatalf("partner sharing stock: %v", err)
	}
	setModules(t, r.db, "people", "inventory")
	_, err = r.db.Items.FindItemByID(remote(r.c), part.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

// A network context is never the system, whatever else it carries.
func TestRemoteContextIsNotSystem(t *testing.T) {
	t.Parallel()
	r := newRemoteReaders(t)
	staff := r.v.item(t, &shrooms.Item{Name: "Safe", Audience: shrooms.AudienceStaff})
	ctx := shrooms.NewRemoteContext(sys, r.c.IRI)
	_, err := r.db.Items.FindItemByID(ctx, staff.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	if _, err := r.db.Items.FindItemByID(sys, staff.ID); err != nil {
		t.Fatalf("system: %v", err)
	}
}

// An item's photo and thumbnail go to the network readers who may read
// the item, under the same policy rule.
func TestRemotePrincipalReadsItemMedia(t *testing.T) {
	t.Parallel()
	r := newRemoteReaders(t)
	for _, tc := range []struct {
		kind    shrooms.ItemKind
		aud     shrooms.Audience
		readers []context.Context
		others  []context.Context
	}{
		{shrooms.KindTool, shrooms.AudiencePublic, []context.Context{unsigned, remote(r.person), remote(r.b)}, nil},
		{shrooms.KindTool, shrooms.AudiencePartners, []context.Context{remote(r.b), remote(r.c)},
			[]context.Context{unsigned, remote(r.person), remote(r.blocked), remote(r.pending)}},
		{shrooms.KindPart, shrooms.AudiencePartners, []context.Context{remote(r.c)}, []context.Context{remote(r.b), unsigned}},
		{shrooms.KindTool, shrooms.AudienceMembers, nil, []context.Context{remote(r.c), unsigned}},
	} {
		it := r.v.item(t, &shrooms.Item{Name: "With photo", Kind: tc.kind, Audience: tc.aud})
		photo, thumb := img(string(tc.kind) + string(tc.aud))
		if _, err := r.db.Items.AddItemPhoto(as(r.v.staff), it.ID, photo, thumb); err != nil {
			t.Fatal(err)
		}
		for k, ctx := range tc.readers {
			for _, id := range []int64{photo.ID, thumb.ID} {
				if _, err := r.db.Media.FindMedia(ctx, id); err != nil {
					t.Fatalf("%s %s, reader %d: %v", tc.kind, tc.aud, k, err)
				}
			}
		}
		for k, ctx := range tc.others {
			_, err := r.db.Media.FindMedia(ctx, thumb.ID)
			if shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
				t.Fatalf("%s %s, other %d: %v, want ENOTFOUND", tc.kind, tc.aud, k, err)
			}
		}
	}
}
