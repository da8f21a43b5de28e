package shrooms_test

import (
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestPartnerInviteState: each fact alone names its state, and when
// several hold a use wins over a revocation and an expiry, and a
// revocation over an expiry.
func TestPartnerInviteState(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	before, after := now.Add(-time.Hour), now.Add(time.Hour)
	for _, tc := range []struct {
		name    string
		inv     shrooms.PartnerInvite
		want    shrooms.InviteState
		isValid bool
	}{
		{"fresh", shrooms.PartnerInvite{ExpiresAt: after}, shrooms.InviteValid, true},
		{"expires exactly now", shrooms.PartnerInvite{ExpiresAt: now}, shrooms.InviteExpired, false},
		{"expired", shrooms.PartnerInvite{ExpiresAt: before}, shrooms.InviteExpired, false},
		{"used", shrooms.PartnerInvite{ExpiresAt: after, UsedAt: before}, shrooms.InviteUsed, false},
		{"revoked", shrooms.PartnerInvite{ExpiresAt: after, RevokedAt: before}, shrooms.InviteRevoked, false},
		{"used then expired", shrooms.PartnerInvite{ExpiresAt: before, UsedAt: before.Add(-time.Hour)}, shrooms.InviteUsed, false},
		{"used and revoked", shrooms.PartnerInvite{ExpiresAt: after, UsedAt: before, RevokedAt: before}, shrooms.InviteUsed, false},
		{"used, revoked and expired", shrooms.PartnerInvite{ExpiresAt: before, UsedAt: before, RevokedAt: before}, shrooms.InviteUsed, false},
		{"revoked then expired", shrooms.PartnerInvite{ExpiresAt: before, RevokedAt: before.Add(-time.Hour)}, shrooms.InviteRevoked, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.inv.State(now); got != tc.want {
				t.Errorf("State = %q, want %q", got, tc.want)
			}
			if got := tc.inv.Valid(now); got != tc.isValid {
				t.Errorf("Valid = %v, want %v", got, tc.isValid)
			}
		})
	}
}
