package federation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Shape of BenchmarkFanout: one public change to followers with their own
// inboxes, spread over loopback hosts.
const (
	fanoutFollowers = 1000
	fanoutHosts     = 50
)

// BenchmarkFanout measures one public change (the organisation renamed)
// fanned out by the running workers to 1,000 follower inboxes on 50
// loopback hosts, from the change to the last 202. In the same run it
// times signing the same 1,000 POSTs alone, as many at once as there are
// delivery workers, and reports the ratio of the two (the README's bound:
// at most 2).
func BenchmarkFanout(b *testing.B) {
	ctx := context.Background()
	db, org := openNodeDB(b, "http://127.0.0.1:1")
	var received atomic.Int64
	_, pub, _ := shrooms.NewKeyPair()
	var inboxes []string
	for h := range fanoutHosts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			received.Add(1)
			w.WriteHeader(http.StatusAccepted)
		}))
		defer srv.Close()
		for i := range fanoutFollowers / fanoutHosts {
			iri := fmt.Sprintf("%s/users/f%d-%d", srv.URL, h, i)
			a := &shrooms.Actor{IRI: iri, Kind: shrooms.KindPerson, Handle: fmt.Sprintf("f%d-%d", h, i),
				Host: strings.TrimPrefix(srv.URL, "http://"), Inbox: iri + "/inbox", KeyID: iri + "#main-key", PublicKeyPEM: pub}
			if err := db.Actors.UpsertRemoteActor(ctx, a); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Follows.ReceiveFollow(ctx, iri+"/follows/1", iri, org.IRI, ""); err != nil {
				b.Fatal(err)
			}
			inboxes = append(inboxes, a.Inbox)
		}
	}
	f := New(Config{IRIs: shrooms.IRIs{Base: "http://127.0.0.1:1"}, AllowPrivateAddresses: true, PollInterval: time.Second},
		Services{Nodes: db.Nodes, Actors: db.Actors, Follows: db.Follows, Outbox: db.Outbox, Inbox: db.Inbox})
	f.Start()
	defer f.Close()
	// The follows' Accepts go out first, untimed.
	wait := func(n int64) {
		deadline := time.Now().Add(5 * time.Minute)
		for received.Load() < n {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d POSTs received", received.Load(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	f.Wake()
	wait(fanoutFollowers)
	signer, err := db.Actors.FindActorByID(ctx, org.ID)
	if err != nil {
		b.Fatal(err)
	}

	var fanout time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		want := received.Load() + fanoutFollowers
		signer.Name = fmt.Sprintf("Node %d", i)
		if err := db.Actors.UpdateLocalActor(ctx, signer); err != nil {
			b.Fatal(err)
		}
		f.Wake()
		wait(want)
		fanout += time.Since(start)
	}
	b.StopTimer()

	payload := bytes.Repeat([]byte("x"), 1024)
	var signing time.Duration
	for range b.N {
		start := time.Now()
		next := make(chan string)
		var wg sync.WaitGroup
		for range f.cfg.DeliveryWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for inbox := range next {
					req, err := f.client.newRequest(ctx, http.MethodPost, inbox, bytes.NewReader(payload))
					if err == nil {
						err = f.client.sign(req, payload, signer)
					}
					if err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for _, in := range inboxes {
			next <- in
		}
		close(next)
		wg.Wait()
		signing += time.Since(start)
	}
	b.ReportMetric(float64(signing.Milliseconds())/float64(b.N), "sign-ms/op")
	b.ReportMetric(fanout.Seconds()/signing.Seconds(), "ratio")
}
