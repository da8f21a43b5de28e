// Package federation speaks ActivityPub for the node: the inbox pipeline
// (signature checks, origin checks, durable storage before 202), the
// publisher that turns outbox entries into deliveries, the delivery and
// inbox workers, WebFinger, NodeInfo, actor and collection documents, and
// the one HTTP client every outgoing request goes through.
//
// It reads and writes ActivityStreams only through package vocab and keeps
// state only through the root service interfaces.
package federation

import (
	"log/slog"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/imaging"
)

// Config tunes federation. Zero values take the defaults documented in
// config.example.yaml.
type Config struct {
	// IRIs is the node's URL layout.
	IRIs shrooms.IRIs
	// AllowPrivateAddresses lets outgoing requests reach loopback and
	// private networks, and plain-http peers (tests, local setups).
	AllowPrivateAddresses bool
	// MaxBodyBytes bounds an incoming activity.
	MaxBodyBytes int64
	// MaxJSONDepth bounds the nesting of an incoming activity.
	MaxJSONDepth int
	// SignatureMaxSkew is how far a signed request's Date may be from now.
	SignatureMaxSkew time.Duration
	// HTTPTimeout bounds each outgoing request.
	HTTPTimeout time.Duration
	// MaxResponseBytes bounds each response the node reads.
	MaxResponseBytes int64
	// DeliveryWorkers is how many POSTs run at once; one host gets at
	// most half of them, and never more than maxDeliveriesPerHost.
	DeliveryWorkers int
	// DeliveryMaxAge is how long a delivery is retried before it is dead.
	DeliveryMaxAge time.Duration
	// ActorCacheTTL is how long a fetched actor document is trusted.
	ActorCacheTTL time.Duration
	// KeyRefetchInterval is the least time between two refetches of one
	// actor's key after a failed verification (key rotation).
	KeyRefetchInterval time.Duration
	// PollInterval is how often the workers look for work they were not
	// woken for (changes written by another process, retries coming due).
	PollInterval time.Duration
	// ResyncInterval is how often each linked partner's shared objects are
	// fetched again in full, to heal missed deliveries.
	ResyncInterval time.Duration
	// QueueRetention is how long finished queue rows (received
	// activities, deliveries, non-public outbox entries, spent invites)
	// are kept before the worker prunes them; at least a day. Zero or
	// less means 30 days.
	QueueRetention time.Duration
	// Images decodes partners' thumbnails within the node's memory
	// budget; the node's uploads share it, so that one node decodes one
	// picture at a time. nil makes one for federation alone.
	Images *imaging.Decoder
	// Now is the clock; tests move it to walk through retry schedules.
	Now func() time.Time
	// Logger receives operational messages.
	Logger *slog.Logger
}

// Bounds of Config.QueueRetention. A day at least leaves an admin time to
// look at a failed row, and keeps the inbox's dedup of an activity for the
// quick retries of a sender that missed our answer.
const (
	DefaultQueueRetention = 30 * 24 * time.Hour
	MinQueueRetention     = 24 * time.Hour
)

func (c *Config) setDefaults() {
	if c.Images == nil {
		c.Images = imaging.NewDecoder(1, 0)
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxJSONDepth <= 0 {
		c.MaxJSONDepth = 32
	}
	if c.SignatureMaxSkew <= 0 {
		c.SignatureMaxSkew = time.Hour
	}
	if c.HTTPTimeout <= 0 {
		c.HTTPTimeout = 10 * time.Second
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 1 << 20
	}
	if c.DeliveryWorkers <= 0 {
		c.DeliveryWorkers = 4
	}
	if c.DeliveryMaxAge <= 0 {
		c.DeliveryMaxAge = shrooms.DefaultDeliveryMaxAge
	}
	if c.ActorCacheTTL <= 0 {
		c.ActorCacheTTL = 24 * time.Hour
	}
	if c.KeyRefetchInterval <= 0 {
		c.KeyRefetchInterval = 30 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.ResyncInterval <= 0 {
		c.ResyncInterval = 24 * time.Hour
	}
	if c.QueueRetention <= 0 {
		c.QueueRetention = DefaultQueueRetention
	}
	if c.QueueRetention < MinQueueRetention {
		c.QueueRetention = MinQueueRetention
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}
