package main

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestAdminFlagError: init names the --admin-* flag at fault by the
// field of the admin's validation error; the username is --admin-user.
func TestAdminFlagError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		user, email, password, want string
	}{
		{"Bad Name", "admin@example.org", "long-enough-pw", "--admin-user: handle \"Bad Name\" may only use a-z, 0-9, '_', '-' and '.'"},
		{"admin", "not-an-address", "long-enough-pw", "--admin-email: \"not-an-address\" is not an e-mail address"},
		{"admin", "admin@example.org", "short", "--admin-password: must be at least 10 characters"},
	} {
		u := &shrooms.User{Username: tc.user, Email: tc.email, Name: tc.user, Role: shrooms.RoleAdmin}
		if got := adminFlagError(u.Validate(tc.password)).Error(); got != tc.want {
			t.Errorf("%s/%s/%s: %q, want %q", tc.user, tc.email, tc.password, got, tc.want)
		}
	}
}
