package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// TestForgotCannotFloodAMailbox: the password-reset form sends at most
// shrooms.MaxMailLinksPerHour mails an hour to one account, and past that
// it answers as it always does, so it still tells nothing about the
// address.
func TestForgotCannotFloodAMailbox(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	createUser(t, n, "gina", shrooms.RoleMember, "ginas-old-password")
	c := newWebClient(t, n)
	var first page
	for i := 0; i < shrooms.MaxMailLinksPerHour+3; i++ {
		p := c.post("/forgot", url.Values{"email": {"gina@example.org"}})
		if i == 0 {
			first = p
		}
		if p.Status != 200 || p.Body != first.Body {
			t.Fatalf("request %d answered differently: %d\n%s", i+1, p.Status, p.Body)
		}
	}
	got := 0
	drainMail(t, n)
	for _, m := range srv.Messages() {
		if strings.Contains(fmt.Sprint(m.To), "gina@example.org") {
			got++
		}
	}
	if got != shrooms.MaxMailLinksPerHour {
		t.Errorf("%d mails sent, want %d", got, shrooms.MaxMailLinksPerHour)
	}
}
