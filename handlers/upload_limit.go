package handlers

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// DefaultUploadsPerMinute is how many pictures one account may send in a
// minute when the configuration says nothing (media.uploads_per_minute):
// enough for an item's photos in one go, and a few more.
const DefaultUploadsPerMinute = 20

// errTooManyUploads is the refusal past the limit; the catalogs translate
// it, keyed by its text.
var errTooManyUploads = shrooms.Errorf(shrooms.ETOOMANY, "Too many pictures were sent from this account. Please wait a minute and try again.").Keyed("core.error.too_many_uploads")

// uploadLimiter counts the pictures each account sends: a bucket of
// perMinute tokens per account, refilled evenly over a minute. Decoding
// is the costly part of an upload (the decoder runs one picture at a
// time for the whole node), so one account cannot keep it busy. It lives
// in memory: a restart forgets the counts, which costs an attacker a
// minute at most.
type uploadLimiter struct {
	perMinute float64
	now       func() time.Time

	mu      sync.Mutex
	buckets map[int64]*uploadBucket
}

type uploadBucket struct {
	tokens float64
	at     time.Time
}

func newUploadLimiter(perMinute int, now func() time.Time) *uploadLimiter {
	return &uploadLimiter{perMinute: float64(perMinute), now: now, buckets: map[int64]*uploadBucket{}}
}

// take spends n tokens of user's bucket, or none: it answers 0 when the
// upload may go on, else how long until it could.
func (l *uploadLimiter) take(user int64, n int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	rate := l.perMinute / float64(time.Minute)
	if len(l.buckets) > 1024 {
		for id, b := range l.buckets {
			if now.Sub(b.at) >= time.Minute {
				delete(l.buckets, id) // full again: same as no bucket
			}
		}
	}
	b := l.buckets[user]
	if b == nil {
		b = &uploadBucket{tokens: l.perMinute, at: now}
		l.buckets[user] = b
	}
	b.tokens = min(l.perMinute, b.tokens+float64(now.Sub(b.at))*rate)
	b.at = now
	need := float64(n)
	if b.tokens >= need {
		b.tokens -= need
		return 0
	}
	if need > l.perMinute {
		return time.Minute // never in one go; a minute tells the truth well enough
	}
	return time.Duration(math.Ceil((need - b.tokens) / rate))
}

// retryLater is an ETOOMANY error that knows when to try again; every
// answer that shows it sets Retry-After (setRetryAfter).
type retryLater struct {
	err   error
	after time.Duration
}

func (e *retryLater) Error() string { return e.err.Error() }
func (e *retryLater) Unwrap() error { return e.err }

// setRetryAfter sets Retry-After on an answer that refuses with err, when
// err says when to try again.
func setRetryAfter(w http.ResponseWriter, err error) {
	var rl *retryLater
	if errors.As(err, &rl) {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(rl.after.Seconds())))))
	}
}

// allowUploads answers nil when the request's account may send n more
// pictures now, else ETOOMANY saying when to try again. Requests without
// an account (the setup wizard's logo) are not counted.
func (s *server) allowUploads(r *http.Request, n int) error {
	u := shrooms.UserFromContext(r.Context())
	if u == nil || n == 0 {
		return nil
	}
	if wait := s.uploads.take(u.ID, n); wait > 0 {
		return &retryLater{err: errTooManyUploads, after: wait}
	}
	return nil
}
