package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInviteStateCLIMatchesAPI: 'admin invite list' and GET
// /api/v1/partner-invites name every invite's state alike, also an invite
// that was used and then marked revoked (a revoke racing the use) and
// later expired: both say used. The command line said revoked before.
func TestInviteStateCLIMatchesAPI(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	token := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "admin"))
	b.mustCLI("admin", "partner", "link", inviteURL(t, a))
	drain(t, a, b)
	inviteURL(t, a) // stays valid, then expires
	inviteURL(t, a)
	ids := apiInviteStates(t, a, token)
	if len(ids) != 3 {
		t.Fatalf("invites: %v", ids)
	}
	var used, toRevoke string
	for id, state := range ids {
		if state == "used" {
			used = id
		} else if toRevoke == "" {
			toRevoke = id
		}
	}
	if used == "" {
		t.Fatalf("no used invite: %v", ids)
	}
	a.mustCLI("admin", "invite", "revoke", toRevoke)
	raw := rawNodeDB(t, a)
	if _, err := raw.Exec(`UPDATE partner_invites SET revoked_at = ? WHERE id = ?`, clock.Now().UnixMilli(), used); err != nil {
		t.Fatal(err)
	}

	for _, step := range []string{"used and revoked", "and expired"} {
		api := apiInviteStates(t, a, token)
		cli := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(a.mustCLI("admin", "invite", "list")), "\n")[1:] {
			if f := strings.Fields(line); len(f) >= 2 {
				cli[f[0]] = f[1]
			}
		}
		if api[used] != "used" || api[toRevoke] != "revoked" || len(api) != 3 {
			t.Errorf("%s: the API says %v", step, api)
		}
		if fmt.Sprint(cli) != fmt.Sprint(api) {
			t.Errorf("%s: the command line says %v, the API %v", step, cli, api)
		}
		// The command line reads the wall clock, the server the test
		// clock: expire every invite for both.
		if _, err := raw.Exec(`UPDATE partner_invites SET expires_at = ?`, time.Now().Add(-time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
}

// apiInviteStates maps each invite's ID to the state the API names.
func apiInviteStates(t *testing.T, n *testNode, token string) map[string]string {
	t.Helper()
	status, body := n.api("GET", "/api/v1/partner-invites", token, nil)
	items, _ := body["items"].([]any)
	if status != 200 {
		t.Fatalf("invites: %d %v", status, body)
	}
	out := map[string]string{}
	for _, it := range items {
		inv, _ := it.(map[string]any)
		id, _ := inv["id"].(float64)
		state, _ := inv["state"].(string)
		out[strconv.FormatInt(int64(id), 10)] = state
	}
	return out
}
