package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Helpers of the partnership tests (partners_test.go, partners_sync_test.go,
// binary_partners_test.go).

// partnerOf returns n's partner record of the organisation orgIRI, nil
// when there is none.
func partnerOf(t *testing.T, n *testNode, orgIRI string) *shrooms.Partner {
	t.Helper()
	ps, err := n.m.DB.Partners.FindPartners(systemCtx, shrooms.PartnerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Actor != nil && p.Actor.IRI == orgIRI {
			return p
		}
	}
	return nil
}

// stateOf is n's partnership state with orgIRI, "" when there is none.
func stateOf(t *testing.T, n *testNode, orgIRI string) shrooms.PartnerState {
	t.Helper()
	if p := partnerOf(t, n, orgIRI); p != nil {
		return p.State
	}
	return ""
}

// inviteURL has n's admin create an invite with the CLI and returns it.
func inviteURL(t *testing.T, n *testNode) string {
	t.Helper()
	out := n.mustCLI("admin", "invite", "create", "--expires", "48h", "--note", "test partner")
	u, _, _ := strings.Cut(out, "\n")
	if _, _, err := shrooms.ParseInviteURL(u); err != nil || !strings.HasPrefix(u, n.org().IRI+"#invite=") {
		t.Fatalf("invite create printed %q: %v", out, err)
	}
	return strings.TrimSpace(u)
}

// linkByInvite: a invites, b links with the URL, and both end linked.
func linkByInvite(t *testing.T, a, b *testNode, all ...*testNode) {
	t.Helper()
	b.mustCLI("admin", "partner", "link", inviteURL(t, a))
	drain(t, all...)
	if sa, sb := stateOf(t, a, b.org().IRI), stateOf(t, b, a.org().IRI); sa != shrooms.PartnerLinked || sb != shrooms.PartnerLinked {
		t.Fatalf("after the invite: %s sees %q, %s sees %q; want linked both ways", a.addr, sa, b.addr, sb)
	}
}

// cached returns n's cached copy of iri, nil when it has none.
func cached(t *testing.T, n *testNode, iri string) *shrooms.RemoteObject {
	t.Helper()
	o, err := n.m.DB.Remote.FindRemoteObject(systemCtx, iri)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return o
}

// cachedCount counts n's cached objects of the organisation orgIRI.
func cachedCount(t *testing.T, n *testNode, orgIRI string) int {
	t.Helper()
	actor, err := n.m.DB.Actors.FindActorByIRI(systemCtx, orgIRI)
	if err != nil {
		t.Fatal(err)
	}
	k, err := n.m.DB.Remote.CountRemoteObjects(systemCtx, actor.ID)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// memberToken creates a member on n and returns an API token of theirs.
func memberToken(t *testing.T, n *testNode, username string) string {
	t.Helper()
	createUser(t, n, username, shrooms.RoleMember, memberPassword)
	return strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", username))
}

// searchHit is one result of GET /api/v1/search.
type searchHit struct {
	Name         string `json:"name"`
	IRI          string `json:"iri"`
	URL          string `json:"url"`
	Page         string `json:"page"`
	Organization struct {
		Name  string `json:"name"`
		Acct  string `json:"acct"`
		Local bool   `json:"local"`
	} `json:"organization"`
}

// search asks n's search API as the token's owner.
func search(t *testing.T, n *testNode, token, q string) []searchHit {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.url()+"/api/v1/search?q="+url.QueryEscape(q), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Results []searchHit `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search %q on %s: %d %v", q, n.addr, resp.StatusCode, err)
	}
	return out.Results
}

// found reports whether hits hold the object iri.
func found(hits []searchHit, iri string) bool {
	for _, h := range hits {
		if h.IRI == iri || h.URL == iri {
			return true
		}
	}
	return false
}

// orgSigner signs requests as n's organisation, with its real key.
func orgSigner(t *testing.T, n *testNode) *remoteActor {
	t.Helper()
	org := n.org()
	key, err := parsePrivatePEM(org.PrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &remoteActor{t: t, clock: n.clock, actor: *org, key: key}
}

// newItem creates an item on n as the system, with audience aud.
func newItem(t *testing.T, n *testNode, name string, aud shrooms.Audience) *shrooms.Item {
	t.Helper()
	it := &shrooms.Item{Kind: shrooms.KindTool, Name: name, Description: "Kept in the workshop.", Condition: shrooms.ConditionGood,
		Status: shrooms.StatusAvailable, Audience: aud}
	if err := n.m.DB.Items.CreateItem(systemCtx, it); err != nil {
		t.Fatal(err)
	}
	return it
}
