package shrooms_test

import (
	"context"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// A partner reads the partners class of a record's mode only in the
// modules its sharing policy gives it; other network readers read what
// the public reads.
func TestRecordAccessPartnerPolicy(t *testing.T) {
	partnersOnly := shrooms.Ownership{Mode: shrooms.ModeFor(shrooms.AudiencePartners)}
	public := shrooms.Ownership{Mode: shrooms.ModeFor(shrooms.AudiencePublic)}
	members := shrooms.Ownership{Mode: shrooms.ModeFor(shrooms.AudienceMembers)}
	partner := shrooms.Principal{Partner: true, Shares: []string{"inventory"}, Remote: "https://b.example/org"}
	actor := shrooms.Principal{Remote: "https://mastodon.example/users/bob"}
	for _, tc := range []struct {
		name   string
		p      shrooms.Principal
		module string
		o      shrooms.Ownership
		want   shrooms.Access
	}{
		{"partner, shared module", partner, "inventory", partnersOnly, shrooms.AccessRead},
		{"partner, module not shared", partner, "stock", partnersOnly, shrooms.AccessNone},
		{"partner, public record", partner, "stock", public, shrooms.AccessRead},
		{"partner, members record", partner, "inventory", members, shrooms.AccessNone},
		{"partner flag without policy", shrooms.Principal{Partner: true}, "inventory", partnersOnly, shrooms.AccessNone},
		{"fediverse actor", actor, "inventory", partnersOnly, shrooms.AccessNone},
		{"fediverse actor, public record", actor, "inventory", public, shrooms.AccessRead},
	} {
		if got := tc.p.RecordAccess(nil, tc.module, tc.o); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// shrooms.NewRemoteContext carries the signer, "" for an unsigned request.
func TestRemoteContext(t *testing.T) {
	if _, ok := shrooms.RemoteSigner(context.Background()); ok {
		t.Fatal("a local context came from the network")
	}
	if s, ok := shrooms.RemoteSigner(shrooms.NewRemoteContext(context.Background(), "")); !ok || s != "" {
		t.Fatalf("unsigned: %q %v", s, ok)
	}
	if s, ok := shrooms.RemoteSigner(shrooms.NewRemoteContext(context.Background(), "https://b.example/org")); !ok || s != "https://b.example/org" {
		t.Fatalf("signed: %q %v", s, ok)
	}
}
