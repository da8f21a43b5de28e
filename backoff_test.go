package shrooms_test

import (
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestDeliveryScheduleSpansTwoDays walks the retry schedule of a delivery
// that always fails: it must keep trying for more than two days, never wait
// more than six hours between tries, and stop at the maximum age.
func TestDeliveryScheduleSpansTwoDays(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now, attempts, lastTry := created, 0, created
	for {
		attempts++
		next, dead := shrooms.NextDeliveryAttempt(created, now, attempts, shrooms.DefaultDeliveryMaxAge, 1.2)
		if gap := next.Sub(now); gap > 6*time.Hour*12/10 || gap <= 0 {
			t.Fatalf("attempt %d: wait %s", attempts, gap)
		}
		if dead {
			break
		}
		lastTry, now = next, next
		if attempts > 100 {
			t.Fatal("never dead")
		}
	}
	if span := lastTry.Sub(created); span < 48*time.Hour || span > shrooms.DefaultDeliveryMaxAge {
		t.Fatalf("tried for %s over %d attempts", span, attempts)
	}
}

func TestHostBackoff(t *testing.T) {
	if d := shrooms.HostBackoff(1); d != 30*time.Second {
		t.Fatalf("first failure: %s", d)
	}
	if d := shrooms.HostBackoff(50); d != time.Hour {
		t.Fatalf("cap: %s", d)
	}
	if _, dead := shrooms.NextInboxAttempt(time.Now(), shrooms.InboxMaxAttempts-1); dead {
		t.Fatal("inbox gave up too early")
	}
	if _, dead := shrooms.NextInboxAttempt(time.Now(), shrooms.InboxMaxAttempts); !dead {
		t.Fatal("inbox never gives up")
	}
}

func TestNewIRIs(t *testing.T) {
	for _, bad := range []string{"", "workshop.example", "ftp://x.example", "https://x.example/sub", "https://x.example?q=1", "https://u@x.example"} {
		if _, err := shrooms.NewIRIs(bad); shrooms.ErrorCode(err) != shrooms.EINVALID {
			t.Errorf("NewIRIs(%q) = %v", bad, err)
		}
	}
	x, err := shrooms.NewIRIs("http://127.0.0.1:8080/")
	if err != nil || x.Base != "http://127.0.0.1:8080" || x.Host() != "127.0.0.1:8080" || x.Key("org") != "http://127.0.0.1:8080/actors/org#main-key" {
		t.Fatalf("%+v %v", x, err)
	}
	if !x.Local(x.NewActivity()) || x.Local("http://127.0.0.1:8081/actors/org") {
		t.Fatal("Local")
	}
}

// TestMailScheduleSpansADay walks the retry schedule of a mail that always
// fails: growing waits, never more than two hours (with jitter), dead
// after MailMaxAttempts, about a day after the first try.
func TestMailScheduleSpansADay(t *testing.T) {
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now, last := first, time.Duration(0)
	for attempts := 1; ; attempts++ {
		next, dead := shrooms.NextMailAttempt(now, attempts, 1)
		if dead {
			if attempts != shrooms.MailMaxAttempts {
				t.Fatalf("dead after %d attempts", attempts)
			}
			break
		}
		gap := next.Sub(now)
		if gap < last || gap > 2*time.Hour {
			t.Fatalf("attempt %d: wait %s after %s", attempts, gap, last)
		}
		last, now = gap, next
	}
	if span := now.Sub(first); span < 20*time.Hour || span > 30*time.Hour {
		t.Fatalf("tried for %s", span)
	}
	if next, _ := shrooms.NextMailAttempt(first, 1, 0.8); next.Sub(first) != 24*time.Second {
		t.Fatalf("jitter not applied: %s", next.Sub(first))
	}
}
