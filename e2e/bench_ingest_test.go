package e2e

// BenchmarkIngest measures how fast a node takes its partners' activities
// into its remote cache (target: at least 2,000 activities/s processed):
//
//	go test -tags sqlite_fts5 -run '^$' -bench Ingest -benchtime 20000x ./e2e/
//
// Node A is linked to node B by an invite; N Create activities of A's
// items (half public, half partners-only addressed to B), signed with A's
// organisation key up front, are POSTed to B's shared inbox by 16 clients
// (reported as accepted/s), then B's queue is drained (reported as
// processed/s): parse, audience check, batched ApplyRemoteChanges with the
// FTS5 index, inbox bookkeeping.

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// benchDrain drains nodes until none has work left.
func benchDrain(tb testing.TB, nodes ...*testNode) int {
	tb.Helper()
	total := 0
	for round := 0; round < 50; round++ {
		did := 0
		for _, n := range nodes {
			k, err := n.m.Fed.Drain(context.Background())
			if err != nil {
				tb.Fatalf("drain %s: %v", n.addr, err)
			}
			did += k
		}
		total += did
		if did == 0 {
			return total
		}
	}
	tb.Fatal("queues did not settle")
	return total
}

// benchLink links b to a with an invite, as fpLink does.
func benchLink(tb testing.TB, a, b *testNode) {
	tb.Helper()
	_, token, err := a.m.DB.Partners.CreatePartnerInvite(systemCtx, 0, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	remote, err := b.m.Fed.ResolveActor(systemCtx, a.org().IRI)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := b.m.DB.Partners.LinkPartner(systemCtx, remote.ID, token); err != nil {
		tb.Fatal(err)
	}
	benchDrain(tb, a, b)
	p, err := b.m.DB.Partners.FindPartner(systemCtx, remote.ID)
	if err != nil || p.State != shrooms.PartnerLinked {
		tb.Fatalf("B's partner A: %+v %v", p, err)
	}
}

// benchCreates signs n Creates of distinct items of a's organisation,
// for b's shared inbox.
func benchCreates(tb testing.TB, a, b *testNode, n int) []*http.Request {
	tb.Helper()
	org := a.org()
	key, err := parsePrivatePEM(org.PrivateKeyPEM)
	if err != nil {
		tb.Fatal(err)
	}
	signer := &remoteActor{t: tb, clock: a.clock, actor: *org, key: key}
	bOrg := b.org().IRI
	run := shrooms.RandomToken(4)
	now := a.clock.Now()
	reqs := make([]*http.Request, n)
	errs := make([]error, n)
	kinds := []shrooms.ItemKind{shrooms.KindTool, shrooms.KindDevice, shrooms.KindKit}
	words := []string{"drill", "saw", "sander", "router", "clamp", "ladder", "soldering iron", "multimeter", "sewing machine", "projector"}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				item := &shrooms.Item{
					IRI:  fmt.Sprintf("%s/items/%s%d", a.url(), run, i),
					Kind: kinds[i%len(kinds)], Name: fmt.Sprintf("%s %d", words[i%len(words)], i),
					Description: fmt.Sprintf("A %s kept in the workshop, shelf %d. Ask at the desk.", words[(i*7)%len(words)], i%40),
					Condition:   shrooms.ConditionGood, Status: shrooms.StatusAvailable, Audience: shrooms.AudiencePublic,
					Fields:    map[string]string{"brand": fmt.Sprintf("Brand%d", i%50)},
					CreatedAt: now, UpdatedAt: now,
				}
				act := &shrooms.Activity{
					IRI: fmt.Sprintf("%s/activities/%s-%d", a.url(), run, i), Type: shrooms.ActivityCreate,
					Actor: org.IRI, Object: item.IRI, ObjectType: vocab.ItemObjectType, Item: item, Published: now,
					To: []string{shrooms.PublicAudience}, CC: []string{org.Followers},
				}
				if i%2 == 1 {
					item.Audience = shrooms.AudiencePartners
					act.To, act.CC = []string{bOrg}, nil
				}
				body, err := vocab.ActivityJSON(act)
				if err == nil {
					reqs[i], err = signer.sign(http.MethodPost, b.url()+"/inbox", body, signOpts{})
				}
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return reqs
}

func BenchmarkIngest(b *testing.B) {
	clock := newTestClock()
	na, nb := startNode(b, clock), startNode(b, clock)
	benchLink(b, na, nb)
	reqs := benchCreates(b, na, nb, b.N)

	// Inbox acceptance: verify, check, store, 202 (req/s).
	accepted := benchSendAll(b, reqs)
	b.ReportMetric(accepted, "accepted/s")

	// Processing: everything the worker does after the 202.
	runtime.GC()
	start := time.Now()
	benchDrain(b, nb)
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "processed/s")

	a, err := nb.m.DB.Actors.FindActorByIRI(systemCtx, na.org().IRI)
	if err != nil {
		b.Fatal(err)
	}
	if n, err := nb.m.DB.Remote.CountRemoteObjects(systemCtx, a.ID); err != nil || n != b.N {
		b.Fatalf("B caches %d objects (%v), want %d", n, err, b.N)
	}
}
