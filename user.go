package shrooms

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role grants module-level permissions to a user.
type Role string

// Roles, from most to least privileged.
const (
	RoleAdmin  Role = "admin"
	RoleStaff  Role = "staff"
	RoleMember Role = "member"
)

// ParseRole returns EINVALID for an unknown role.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleStaff, RoleMember:
		return r, nil
	}
	return "", Errorf(EINVALID, "role must be admin, staff or member")
}

// User is an account on this node. Each user has a Person actor.
type User struct {
	ID        int64
	Username  string // also the Person actor's handle
	Email     string
	Name      string
	Role      Role
	ActorID   int64
	CreatedAt time.Time
}

// IsAdmin reports whether the user administers the node.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Validate checks a new user's fields and password, naming the bad field.
func (u *User) Validate(password string) error {
	if err := ValidHandle(u.Username); err != nil {
		return Errorf(EINVALID, "username: %s", ErrorMessage(err))
	}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return Errorf(EINVALID, "email: %q is not an e-mail address", u.Email)
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if len(password) < MinPasswordLength {
		return Errorf(EINVALID, "password: must be at least %d characters", MinPasswordLength)
	}
	return nil
}

// APIToken is a personal bearer token for /api/v1. Only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// UserService manages accounts and their API tokens.
type UserService interface {
	// CreateUser creates a user and its Person actor (with a new key pair)
	// in one transaction. Returns EINVALID naming the field, ECONFLICT when
	// the username or e-mail is taken.
	CreateUser(ctx context.Context, u *User, password string) error

	// FindUserByUsername returns ENOTFOUND.
	FindUserByUsername(ctx context.Context, username string) (*User, error)

	// FindUserByID returns ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)

	// CountUsers counts all accounts.
	CountUsers(ctx context.Context) (int, error)

	// CreateAPIToken creates a token for the user and returns its secret,
	// shown once. Returns ENOTFOUND.
	CreateAPIToken(ctx context.Context, userID int64, name string) (secret string, t *APIToken, err error)

	// FindUserByAPIToken returns the token's user, or EUNAUTHORIZED.
	FindUserByAPIToken(ctx context.Context, secret string) (*User, error)
}
