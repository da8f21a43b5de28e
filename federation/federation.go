package federation

import (
	"context"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Services are the root services federation works through.
type Services struct {
	Nodes   shrooms.NodeService
	Actors  shrooms.ActorService
	Follows shrooms.FollowService
	Outbox  shrooms.OutboxService
	Inbox   shrooms.InboxService
	// Items serves the documents of public items; nil serves none.
	Items shrooms.ItemService
	// Partners decides who is a partner and what it may read; Remote is
	// the cache of partners' objects.
	Partners shrooms.PartnerService
	Remote   shrooms.RemoteCacheService
	// Media serves the thumbnails of items to partners (/items/{id}/thumb);
	// nil serves none.
	Media shrooms.MediaService
	// Loans decides partners' members' requests for this node's items
	// and keeps the members' requests to partners; nil lends nothing.
	Loans shrooms.LoanService
}

// Federation is the node's ActivityPub side: its HTTP endpoints (Handler)
// and its workers (Start, Drain, Close).
type Federation struct {
	cfg      Config
	svc      Services
	client   *Client
	keyFetch keyFetches // key lookups failed or in flight (keyfetch.go)

	queues []*queue     // one worker each (worker.go)
	pool   deliveryPool // deliveries running (deliver.go)
	// deliveryLease is deliveryLease; tests shorten it.
	deliveryLease time.Duration
	stop          context.CancelFunc
	wg            sync.WaitGroup
	drainM        sync.Mutex // one drain at a time per node
	prune         pruneState // guarded by the prune queue's run (prune.go)
	// calendars are partners' item calendars fetched lately (availability.go).
	calendars calendarCache
}

// New returns a Federation; call Start to run its workers.
func New(cfg Config, svc Services) *Federation {
	cfg.setDefaults()
	f := &Federation{cfg: cfg, svc: svc, client: NewClient(cfg), deliveryLease: deliveryLease,
		pool: deliveryPool{done: make(chan struct{}, 1)}}
	f.queues = f.newQueues()
	return f
}

// orgActor returns the organisation actor, which signs the node's fetches.
func (f *Federation) orgActor(ctx context.Context) (*shrooms.Actor, error) {
	return f.svc.Actors.FindOrgActor(ctx)
}
