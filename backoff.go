package shrooms

import "time"

// DefaultDeliveryMaxAge is how long a delivery is retried before it is
// dead-lettered: three days, longer than a weekend outage of a volunteer's
// server.
const DefaultDeliveryMaxAge = 72 * time.Hour

// NextDeliveryAttempt is the retry rule for outgoing deliveries: the delay
// doubles from one minute up to six hours, scaled by jitter (a factor near
// 1, e.g. 0.8–1.2, so that many deliveries to one host spread out). A
// delivery whose next attempt would fall after created+maxAge is dead.
func NextDeliveryAttempt(created, now time.Time, attempts int, maxAge time.Duration, jitter float64) (next time.Time, dead bool) {
	d := expDelay(time.Minute, 6*time.Hour, attempts)
	next = now.Add(time.Duration(float64(d) * jitter))
	return next, next.After(created.Add(maxAge))
}

// HostBackoff is how long a whole host is skipped after its n-th
// consecutive failure: from 30 seconds, doubling, up to one hour. It keeps a
// dead host from tying up workers while its deliveries keep their own
// schedules.
func HostBackoff(failures int) time.Duration {
	return expDelay(30*time.Second, time.Hour, failures)
}

// InboxMaxAttempts is how often processing a received activity is tried
// before it is marked failed for an admin to see.
const InboxMaxAttempts = 10

// NextInboxAttempt is the retry rule for processing received activities:
// from ten seconds, doubling, up to one hour; failed after InboxMaxAttempts.
func NextInboxAttempt(now time.Time, attempts int) (next time.Time, dead bool) {
	return now.Add(expDelay(10*time.Second, time.Hour, attempts)), attempts >= InboxMaxAttempts
}

// expDelay returns base*2^(n-1), capped, for n >= 1.
func expDelay(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// MailMaxAttempts is how often a mail is tried before it is dead: with
// NextMailAttempt's delays, about a day of trying (some 26 hours), which
// outlasts a restart or a provider's bad afternoon.
const MailMaxAttempts = 20

// MailLease is how long a worker holds a mail it is sending. A mail still
// sending after that (the node stopped mid-send) is tried again; it must
// be longer than a whole SMTP conversation.
const MailLease = 5 * time.Minute

// NextMailAttempt is the retry rule for mail: from 30 seconds, doubling,
// up to two hours, scaled by jitter (a factor near 1) so that mails queued
// together while the server was down do not all retry at once. Dead after
// MailMaxAttempts attempts.
func NextMailAttempt(now time.Time, attempts int, jitter float64) (next time.Time, dead bool) {
	d := expDelay(30*time.Second, 2*time.Hour, attempts)
	return now.Add(time.Duration(float64(d) * jitter)), attempts >= MailMaxAttempts
}
