package federation

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// hungPeer accepts TCP connections, reads each request's first line and
// never answers. It records the paths asked for.
type hungPeer struct {
	ln    net.Listener
	mu    sync.Mutex
	paths []string
	conns []net.Conn
}

func newHungPeer(t *testing.T) *hungPeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &hungPeer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			go func() {
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return
				}
				if f := strings.Fields(line); len(f) >= 2 {
					p.mu.Lock()
					p.paths = append(p.paths, f[1])
					p.mu.Unlock()
				}
			}()
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *hungPeer) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.paths...)
}

func (p *hungPeer) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// okPeer answers every POST 202 and counts the activities by inbox path.
type okPeer struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]int
}

func newOKPeer(t *testing.T) *okPeer {
	p := &okPeer{got: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		p.mu.Lock()
		p.got[r.URL.Path]++
		p.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *okPeer) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[path]
}

// waitFor polls cond for at most a generous bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHungPeerDelaysNothingElse: a partner that accepts connections and
// never answers holds only its own per-host slots. While its POSTs hang,
// the other host gets its deliveries, and an activity received meanwhile
// is processed, answered and its answer delivered. A hung delivery's
// lease is renewed: it is never claimed again while its POST runs,
// however many leases long that is.
func TestHungPeerDelaysNothingElse(t *testing.T) {
	ctx := context.Background()
	db, org := openNodeDB(t, "http://127.0.0.1:1")
	hung, ok := newHungPeer(t), newOKPeer(t)
	_, pub, _ := shrooms.NewKeyPair()
	actor := func(base, handle string) *shrooms.Actor {
		iri := base + "/users/" + handle
		a := &shrooms.Actor{IRI: iri, Kind: shrooms.KindPerson, Handle: handle, Host: strings.TrimPrefix(base, "http://"),
			Inbox: iri + "/inbox", KeyID: iri + "#main-key", PublicKeyPEM: pub}
		if err := db.Actors.UpsertRemoteActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	follow := func(a *shrooms.Actor) {
		if _, err := db.Follows.ReceiveFollow(ctx, a.IRI+"/follows/1", a.IRI, org.IRI, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Each follow is accepted at once: one Accept to deliver to each
	// follower's inbox, three on the hung host, three on the other.
	hungBase := "http://" + hung.ln.Addr().String()
	for i := range 3 {
		follow(actor(hungBase, fmt.Sprintf("h%d", i)))
		follow(actor(ok.srv.URL, fmt.Sprintf("o%d", i)))
	}
	late := actor(ok.srv.URL, "late")

	f := New(Config{IRIs: shrooms.IRIs{Base: "http://127.0.0.1:1"}, AllowPrivateAddresses: true,
		HTTPTimeout: time.Hour, DeliveryWorkers: 4, PollInterval: 20 * time.Millisecond},
		Services{Nodes: db.Nodes, Actors: db.Actors, Follows: db.Follows, Outbox: db.Outbox, Inbox: db.Inbox})
	// Short enough to pass many times in the test, long enough that a
	// renewal every quarter of it is on time on a loaded machine (at
	// 400 ms, renewals 100 ms late under a load of 30 let leases lapse).
	f.deliveryLease = 1500 * time.Millisecond
	f.Start()
	defer f.Close()

	waitFor(t, "the other host's three Accepts", func() bool {
		return ok.count("/users/o0/inbox") == 1 && ok.count("/users/o1/inbox") == 1 && ok.count("/users/o2/inbox") == 1
	})
	waitFor(t, "the hung host's two connections", func() bool { return len(hung.requests()) == 2 })

	// A Follow received while the hung POSTs run is applied, and its
	// Accept published and delivered.
	raw := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Follow","actor":%q,"object":%q}`,
		late.IRI+"/follows/1", late.IRI, org.IRI)
	if _, err := db.Inbox.SaveInboxActivity(ctx, &shrooms.InboxActivity{ActivityIRI: late.IRI + "/follows/1", ActorIRI: late.IRI,
		Raw: []byte(raw), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.Wake()
	waitFor(t, "the Accept of the Follow received meanwhile", func() bool { return ok.count("/users/late/inbox") == 1 })

	// Let many leases pass: the hung deliveries are renewed, never
	// claimed again, and the host's third delivery waits for a slot.
	time.Sleep(6 * f.deliveryLease)
	got := hung.requests()
	if len(got) != 2 || got[0] == got[1] {
		t.Fatalf("hung host was asked %v; want two different inboxes, once each", got)
	}
	ds, _, err := db.Outbox.FindDeliveries(ctx, shrooms.DeliveryFilter{Host: strings.TrimPrefix(hungBase, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.State != shrooms.DeliveryPending || d.Attempts != 0 {
			t.Fatalf("hung host's delivery %+v: want pending and never finished", d)
		}
	}
}
