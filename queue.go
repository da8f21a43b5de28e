package shrooms

import (
	"context"
	"time"
)

// OutboxEntry is an activity a local actor publishes. It is written in the
// same transaction as the change it announces; the publisher later renders
// it (Payload) and fans it out into Deliveries.
type OutboxEntry struct {
	ID       int64
	ActorID  int64
	Activity Activity
	// Payload is the JSON-LD document, set when the entry is published.
	Payload       []byte
	Published     bool
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
}

// OutboxFilter selects outbox entries of one actor. Zero fields do not filter.
type OutboxFilter struct {
	ActorID int64
	// PublicOnly keeps only entries addressed to the public collection.
	PublicOnly bool
	Offset     int
	Limit      int
}

// DeliveryState is where one delivery stands.
type DeliveryState string

// Delivery states. A dead delivery gave up after DeliveryMaxAge and waits
// for an admin to retry it.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryDead      DeliveryState = "dead"
)

// Delivery is one POST of one outbox entry to one inbox.
type Delivery struct {
	ID       int64
	OutboxID int64
	// ActorID is the local actor that signs the POST.
	ActorID int64
	// Recipient is the actor IRI the inbox was found for (the first one,
	// when a shared inbox serves several).
	Recipient     string
	Inbox         string
	Host          string
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time
	// Payload is the outbox entry's JSON-LD, loaded by ClaimDeliveries.
	Payload []byte
}

// DeliveryFilter selects deliveries. Zero fields do not filter.
type DeliveryFilter struct {
	State  DeliveryState
	Host   string
	Offset int
	Limit  int
}

// DeliveryFailure describes one failed POST.
type DeliveryFailure struct {
	Status int    // HTTP status, 0 when no answer came
	Err    string // short reason, shown to admins
	Next   time.Time
	Dead   bool
	// HostDown is true when the host did not answer or answered 5xx/429,
	// false when it refused this one activity (4xx).
	HostDown bool
}

// HostStatus is what the node knows of a remote host's reachability.
type HostStatus struct {
	Host          string
	Failures      int
	BackoffUntil  time.Time
	LastSuccessAt time.Time
	LastFailureAt time.Time
	LastError     string
}

// QueueStats counts the queues for admins and tests.
type QueueStats struct {
	OutboxUnpublished int
	DeliveriesPending int
	DeliveriesDead    int
	InboxPending      int
	InboxFailed       int
}

// OutboxService is the transactional outbox and the delivery queue.
type OutboxService interface {
	// FindUnpublishedOutbox returns up to limit unpublished entries due at
	// now, oldest first.
	FindUnpublishedOutbox(ctx context.Context, now time.Time, limit int) ([]*OutboxEntry, error)

	// PublishOutbox stores the rendered payload of entry id, inserts its
	// deliveries (one per inbox; an inbox already queued for the entry is
	// skipped) and marks it published, in one transaction. Returns ENOTFOUND.
	PublishOutbox(ctx context.Context, id int64, payload []byte, deliveries []*Delivery) error

	// DeferOutbox reschedules an entry whose addressing failed.
	DeferOutbox(ctx context.Context, id int64, next time.Time, lastErr string) error

	// FindOutboxEntries returns an actor's entries, newest first, and the
	// total count ignoring Offset and Limit. Only the node itself and
	// admins list entries that are not public (Principal.ReadsAllActivities).
	FindOutboxEntries(ctx context.Context, filter OutboxFilter) ([]*OutboxEntry, int, error)

	// FindOutboxEntryByIRI returns the entry whose activity has this IRI,
	// or ENOTFOUND, also when the caller may not read it
	// (Principal.MayReadActivity: a remote signer reads what it sent or
	// was sent).
	FindOutboxEntryByIRI(ctx context.Context, iri string) (*OutboxEntry, error)

	// ClaimDeliveries leases up to limit pending deliveries that are due at
	// now, whose host is not backing off and that no worker holds, until
	// now+lease. Payload is loaded. With perHost > 0, no host has more
	// than perHost deliveries leased at once, counting earlier leases.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit, perHost int) ([]*Delivery, error)

	// ExtendDeliveryLeases moves the leases of running deliveries to
	// until, so that a slow POST is never claimed a second time; a
	// delivery already marked is left alone.
	ExtendDeliveryLeases(ctx context.Context, ids []int64, until time.Time) error

	// MarkDelivered records a successful POST and resets the host's backoff.
	MarkDelivered(ctx context.Context, id int64, now time.Time, status int) error

	// MarkDeliveryFailed records a failed POST: the delivery is retried at
	// f.Next, or dead when f.Dead. When f.HostDown, the host's consecutive
	// failure count grows and the whole host backs off for
	// HostBackoff(failures).
	MarkDeliveryFailed(ctx context.Context, id int64, now time.Time, f DeliveryFailure) error

	// ReleaseDeliveryLeases frees every lease; called at start-up, when no
	// worker of this node can hold one.
	ReleaseDeliveryLeases(ctx context.Context) error

	// RetryDelivery puts a dead delivery back in the queue, due now, with a
	// fresh retry schedule (attempts and age start again from now).
	// Returns ENOTFOUND, ECONFLICT when it is not dead.
	RetryDelivery(ctx context.Context, id int64, now time.Time) error

	// FindDeliveries returns matching deliveries, newest first, without
	// payload, and the total count.
	FindDeliveries(ctx context.Context, filter DeliveryFilter) ([]*Delivery, int, error)

	// FindHostStatus returns what is known of a host (zero value if nothing).
	FindHostStatus(ctx context.Context, host string) (*HostStatus, error)

	// QueueStats counts the queues.
	QueueStats(ctx context.Context) (QueueStats, error)

	// PruneQueues deletes what the queues finished with before before, in
	// bounded batches, for admins and the system: received activities done
	// or failed, deliveries delivered or dead, non-public published outbox
	// entries with no delivery left, partner invites used, revoked or
	// expired, and mail sent or dead. Pending work is never touched,
	// whatever its age, and public outbox entries stay: the actor's outbox
	// collection is served from them. Returns EUNAUTHORIZED, EFORBIDDEN.
	//
	// Forgetting a received activity is safe: its effects are in the
	// follows, partners and remote cache, and the handlers are idempotent
	// (a Follow of a known pair keeps its state, an Undo of a gone follow
	// does nothing, cached objects change only for a newer `updated`). The
	// inbox's dedup by activity IRI forgets the activity too, so an old
	// activity delivered again is processed again: that needs a fresh
	// signature of its own actor (SignatureMaxSkew bounds the Date), so a
	// third party cannot replay it, and its sender retries only within its
	// own delivery window, which the retention (at least a day, 30 by
	// default) normally outlasts.
	PruneQueues(ctx context.Context, before time.Time) (PruneResult, error)
}

// PruneResult counts the rows PruneQueues deleted, per table.
type PruneResult struct {
	Inbox      int
	Deliveries int
	Outbox     int
	Invites    int
	Mail       int
}

// Total is the number of rows deleted.
func (r PruneResult) Total() int { return r.Inbox + r.Deliveries + r.Outbox + r.Invites + r.Mail }

// InboxState is where one received activity stands.
type InboxState string

// Inbox states. Done covers activities applied, ignored (unsupported type)
// and refused by the domain rules (Note says which); failed ones exhausted
// their retries and wait for an admin.
const (
	InboxPending InboxState = "pending"
	InboxDone    InboxState = "done"
	InboxFailed  InboxState = "failed"
)

// InboxActivity is a verified activity as received, stored before the
// inbox answers 202 and processed afterwards.
type InboxActivity struct {
	ID          int64
	ActivityIRI string
	// ActorIRI is the verified signer.
	ActorIRI      string
	Raw           []byte
	State         InboxState
	Attempts      int
	NextAttemptAt time.Time
	Note          string
	ReceivedAt    time.Time
	ProcessedAt   time.Time
}

// InboxFilter selects received activities. Zero fields do not filter.
type InboxFilter struct {
	State       InboxState
	ActivityIRI string
	Offset      int
	Limit       int
}

// InboxService is the durable inbox queue.
type InboxService interface {
	// SaveInboxActivity durably stores a verified activity before the inbox
	// acknowledges it. It reports false when an activity with the same IRI
	// was stored before, which the caller treats as success. Concurrent
	// calls are committed together (group commit).
	SaveInboxActivity(ctx context.Context, a *InboxActivity) (inserted bool, err error)

	// ClaimInboxActivities leases up to limit pending activities due at now,
	// oldest first, until now+lease.
	ClaimInboxActivities(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*InboxActivity, error)

	// MarkInboxDone records that an activity was handled; note says how
	// when it was ignored or refused.
	MarkInboxDone(ctx context.Context, id int64, now time.Time, note string) error

	// MarkInboxDoneMany records several handled activities in one
	// transaction, notes[i] for ids[i]: a batch of cache changes costs one
	// commit, not one each. Returns EINVALID when the lengths differ,
	// ENOTFOUND (recording nothing) when an ID is unknown.
	MarkInboxDoneMany(ctx context.Context, ids []int64, notes []string, now time.Time) error

	// MarkInboxFailed records a processing failure: retried at next, or
	// failed for good when dead is true.
	MarkInboxFailed(ctx context.Context, id int64, now time.Time, errMsg string, next time.Time, dead bool) error

	// ReleaseInboxLeases frees every lease; called at start-up.
	ReleaseInboxLeases(ctx context.Context) error

	// FindInboxActivities returns matching activities, newest first, and
	// the total count.
	FindInboxActivities(ctx context.Context, filter InboxFilter) ([]*InboxActivity, int, error)
}
