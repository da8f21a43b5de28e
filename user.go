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
	return "", Errorf(EINVALID, "role must be admin, staff or member").Keyed("admin.error.role").On("role")
}

// UserStatus is where an account stands.
type UserStatus string

// Account states. A pending account has not confirmed its e-mail address
// yet and cannot log in; a suspended one cannot log in nor use its tokens.
const (
	StatusPending   UserStatus = "pending"
	StatusActive    UserStatus = "active"
	StatusSuspended UserStatus = "suspended"
)

// ParseUserStatus returns EINVALID for an unknown status.
func ParseUserStatus(s string) (UserStatus, error) {
	switch st := UserStatus(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusPending, StatusActive, StatusSuspended:
		return st, nil
	}
	return "", Errorf(EINVALID, "status must be pending, active or suspended").Keyed("admin.error.status").On("status")
}

// User is an account on this node. Each user has a Person actor.
type User struct {
	ID       int64
	Username string // also the Person actor's handle
	Email    string
	Name     string
	Role     Role
	Status   UserStatus
	// Language is the user's chosen interface language ("en", "fr"), or ""
	// to follow the browser.
	Language string
	// Dashboard lists the widget IDs the user shows, in order; nil means
	// DefaultDashboard.
	Dashboard       []string
	ActorID         int64
	EmailVerifiedAt time.Time
	LastActiveAt    time.Time
	CreatedAt       time.Time
}

// IsAdmin reports whether the user administers the node.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// IsStaff reports whether the user is staff or admin.
func (u *User) IsStaff() bool { return u != nil && (u.Role == RoleAdmin || u.Role == RoleStaff) }

// Active reports whether the account may be used: not pending, not
// suspended.
func (u *User) Active() bool { return u != nil && u.Status == StatusActive }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Validate checks a new user's fields and password, naming the bad field.
func (u *User) Validate(password string) error {
	if err := ValidHandle(u.Username); err != nil {
		e := Errorf(EINVALID, "username: %s", ErrorMessage(err)).On("username")
		switch ErrorKey(err) { // the username's own wording of the handle's rule
		case "handle.error.chars":
			e.Keyed("account.error.username_chars")
		case "handle.error.length":
			e.Keyed("account.error.username_length")
		}
		return e
	}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return Errorf(EINVALID, "email: %q is not an e-mail address", u.Email).Keyed("account.error.email_invalid").On("email")
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.Status != "" {
		if _, err := ParseUserStatus(string(u.Status)); err != nil {
			return err
		}
	}
	if u.Language != "" && !IsLanguage(u.Language) {
		return Errorf(EINVALID, "language: must be one of %s", strings.Join(Languages, ", ")).Keyed("account.error.language").On("language")
	}
	if len([]rune(u.Name)) > 100 {
		return Errorf(EINVALID, "name: must be at most 100 characters").Keyed("account.error.name_long").On("name")
	}
	return ValidPassword(password)
}

// ValidPassword checks a new password's length. Returns EINVALID.
func ValidPassword(password string) error {
	if len([]rune(password)) < MinPasswordLength {
		return Errorf(EINVALID, "password: must be at least %d characters", MinPasswordLength).Keyed("account.error.password_short", "Min", MinPasswordLength).On("password")
	}
	if len(password) > MaxPasswordBytes {
		return Errorf(EINVALID, "password: must be at most %d bytes", MaxPasswordBytes).Keyed("account.error.password_long", "Max", MaxPasswordBytes).On("password")
	}
	return nil
}

// MaxPasswordBytes is the longest password bcrypt can hash whole.
const MaxPasswordBytes = 72

// Languages are the interface languages, the first being the default.
var Languages = []string{"en", "fr"}

// IsLanguage reports whether lang is one of Languages.
func IsLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// UserFilter selects users. Query matches username, name and e-mail.
type UserFilter struct {
	Query  string
	Role   Role
	Status UserStatus
	Offset int
	Limit  int
}

// UserUpdate changes an account; nil fields stay as they are. Role and
// Status are for admins; the others for the user and admins.
type UserUpdate struct {
	Name      *string
	Language  *string
	Dashboard *[]string
	Role      *Role
	Status    *UserStatus
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
	// CreateUser creates an active, verified user and its Person actor
	// (with a new key pair) in one transaction, for admins and the system. Returns EINVALID naming the field, ECONFLICT when
	// the username or e-mail is taken.
	CreateUser(ctx context.Context, u *User, password string) error

	// FindUserByUsername returns ENOTFOUND.
	FindUserByUsername(ctx context.Context, username string) (*User, error)

	// FindUserByID returns ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)

	// CountUsers counts all accounts.
	CountUsers(ctx context.Context) (int, error)

	// FindUsers lists users for admins, by username. Returns EUNAUTHORIZED
	// or EFORBIDDEN for anyone else.
	FindUsers(ctx context.Context, filter UserFilter) ([]*User, int, error)

	// UpdateUser applies upd. The caller must be the user or an admin;
	// Role and Status need an admin. The last active admin cannot lose
	// the role nor be suspended (ECONFLICT). Suspending ends the user's
	// sessions. Returns ENOTFOUND, EINVALID, EFORBIDDEN.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)

	// DeleteUser deletes an account, for admins. See UserDeletionPolicy.
	// The last active admin cannot be deleted (ECONFLICT). Returns
	// ENOTFOUND, EFORBIDDEN.
	DeleteUser(ctx context.Context, id int64) error

	// FindAPITokens lists a user's tokens, for the user and admins.
	FindAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)

	// DeleteAPIToken revokes a token, for its user and admins. Returns
	// ENOTFOUND.
	DeleteAPIToken(ctx context.Context, userID, tokenID int64) error

	// DeleteAPITokens revokes every token of the user, for the user and
	// admins, and returns how many there were. Returns ENOTFOUND,
	// EUNAUTHORIZED.
	DeleteAPITokens(ctx context.Context, userID int64) (int, error)

	// CreateAPIToken creates a token for the user and returns its secret,
	// shown once. The caller must be the user or an admin (or the system).
	// Returns ENOTFOUND.
	CreateAPIToken(ctx context.Context, userID int64, name string) (secret string, t *APIToken, err error)

	// FindUserByAPIToken returns the token's user, or EUNAUTHORIZED; a
	// token of a suspended or pending account is EUNAUTHORIZED too.
	FindUserByAPIToken(ctx context.Context, secret string) (*User, error)
}

// UserDeletionPolicy says what deleting an account does, in the words the
// admin page shows.
const UserDeletionPolicy = `The account, its profile, addresses, sessions, API tokens and group memberships are deleted at once. Records the member owned pass to the organisation, so that the association's history stays whole. Their actor no longer answers other servers, and the username is never given to anyone else.`

// ErrLinkUsed is the one answer for an unknown, expired or used e-mail
// link: which of these it is helps nobody but someone guessing. Callers
// recognise it by its Key.
func ErrLinkUsed() *Error {
	return Errorf(EINVALID, "this link has expired or was already used").Keyed("account.error.link_used")
}

// ErrPending refuses to log in an account whose e-mail address is not
// confirmed yet. Callers recognise it by its Key.
func ErrPending() *Error {
	return Errorf(EFORBIDDEN, "please confirm your e-mail address first").Keyed("account.error.pending")
}
