package shrooms

import (
	"context"
	"strings"
	"time"
)

// SignupMode says who may create an account in the browser.
type SignupMode string

// Sign-up modes, the admin's choice.
const (
	SignupOpen   SignupMode = "open"   // anyone, after confirming their e-mail
	SignupInvite SignupMode = "invite" // only with an admin's invitation
	SignupClosed SignupMode = "closed" // only admins create accounts
)

// ParseSignupMode returns EINVALID for an unknown mode.
func ParseSignupMode(s string) (SignupMode, error) {
	switch m := SignupMode(strings.ToLower(strings.TrimSpace(s))); m {
	case SignupOpen, SignupInvite, SignupClosed:
		return m, nil
	}
	return "", Errorf(EINVALID, "signup_mode: must be open, invite or closed").Keyed("admin.error.signup_mode").On("signup_mode")
}

// How long single-use links and sessions live.
const (
	VerifyEmailTTL   = 48 * time.Hour
	ResetPasswordTTL = time.Hour
	InvitationTTL    = 14 * 24 * time.Hour
	// SessionIdleTTL ends a session nobody used for that long.
	SessionIdleTTL = 30 * 24 * time.Hour
)

// Login rate limits: failed attempts counted over LoginWindow, per account
// and per client address. Past a limit, logging in is refused (ETOOMANY)
// without looking at the password, until the window has moved on.
const (
	LoginWindow                = 15 * time.Minute
	MaxLoginFailuresPerAccount = 5
	MaxLoginFailuresPerAddress = 20
)

// MaxMailLinksPerHour is how many verification or reset links (each
// purpose apart) one account may be sent in an hour: a resend form must
// not let anyone flood someone's mailbox through the node.
const MaxMailLinksPerHour = 3

// SignUp is what a visitor enters to create an account.
type SignUp struct {
	Username string
	Email    string
	Name     string
	Password string
	Language string
	// Invitation is the secret of an admin's invitation link, required in
	// SignupInvite mode and accepted in every mode but closed.
	Invitation string
	// Mail renders the verification mail, queued with the new pending
	// account; nil queues none (tests, the CLI).
	Mail MailRender
	// TakenMail renders the notice to the owner of an address that
	// already has an account ("someone tried to sign up with it"),
	// called with that owner and no secret; nil queues none.
	TakenMail MailRender
}

// Invitation lets one person create an account, with a role, by a link
// sent to their e-mail address.
type Invitation struct {
	ID        int64
	Email     string
	Role      Role
	InvitedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set once an account was created with it.
	UsedAt time.Time
}

// AccountService is how people get and keep an account: sign-up, e-mail
// verification, password reset and change, invitations.
type AccountService interface {
	// SignUp creates a pending account, queues s.Mail with the secret of
	// its e-mail verification link and returns the account and secret.
	// With a valid invitation for the same e-mail address, the account is
	// active at once, has the invitation's role, and the secret is "".
	// When the e-mail address already has an account, nothing is created
	// and nothing is used: s.TakenMail is queued for its owner (at most
	// MaxMailLinksPerHour an hour) and SignUp returns a nil user and no
	// error, so that the caller answers as for a new address and sign-up
	// cannot tell who has an account. Returns EFORBIDDEN "sign-up is
	// closed" (or needs an invitation), EINVALID naming the field or "this
	// invitation has expired or was already used", ECONFLICT for a
	// username that is taken.
	SignUp(ctx context.Context, s SignUp) (*User, string, error)

	// CreateVerification returns a new verification secret for a pending
	// account, for a resend, and queues mail with it. Returns ENOTFOUND,
	// ECONFLICT when the account is not pending, ETOOMANY past
	// MaxMailLinksPerHour.
	CreateVerification(ctx context.Context, email string, mail MailRender) (*User, string, error)

	// VerifyEmail uses a verification secret once and activates its
	// account. Returns EINVALID "this link has expired or was already
	// used".
	VerifyEmail(ctx context.Context, secret string) (*User, error)

	// RequestPasswordReset returns the secret of a reset link for the
	// active account with that e-mail and queues mail with it, in one
	// transaction: nothing is sent during the request, so its time does
	// not depend on the address. Returns ENOTFOUND (which the web page
	// does not reveal), ETOOMANY past MaxMailLinksPerHour.
	RequestPasswordReset(ctx context.Context, email string, mail MailRender) (*User, string, error)

	// ResetPassword uses a reset secret once, sets the password, ends
	// every session of the account and revokes all its API tokens: a reset
	// is how an owner takes back an account someone else may hold.
	// Returns EINVALID.
	ResetPassword(ctx context.Context, secret, password string) (*User, error)

	// ChangePassword checks the current password and sets a new one, for
	// the user in ctx, and ends their other sessions (all but
	// keepSession, a session secret or ""). API tokens stay: they are
	// credentials of their own, listed and revocable one by one or all at
	// once (UserService.DeleteAPITokens). Returns EINVALID "current
	// password: is wrong", EUNAUTHORIZED.
	ChangePassword(ctx context.Context, current, password, keepSession string) error

	// CreateInvitation invites an e-mail address, for admins, queues mail
	// (called with a nil user and the secret) and returns the invitation
	// link's secret. Returns EINVALID, ECONFLICT when an account has that
	// address, EFORBIDDEN.
	CreateInvitation(ctx context.Context, email string, role Role, mail MailRender) (string, *Invitation, error)

	// FindInvitations lists invitations not yet used, for admins.
	FindInvitations(ctx context.Context) ([]*Invitation, error)

	// DeleteInvitation revokes an invitation, for admins. Returns ENOTFOUND.
	DeleteInvitation(ctx context.Context, id int64) error
}

// LoginRequest is one attempt to log in in the browser.
type LoginRequest struct {
	// Login is a username or an e-mail address.
	Login     string
	Password  string
	Address   string // the client's IP address, for rate limiting
	UserAgent string
}

// Session is a browser's login. Its secret lives only in the cookie; the
// store keeps a hash.
type Session struct {
	ID         int64
	UserID     int64
	Address    string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionService logs people in and out.
type SessionService interface {
	// Login checks the rate limits, then the password, and opens a
	// session, returning its secret. Returns ETOOMANY, EUNAUTHORIZED
	// "wrong username or password" (the same, in about the same time, for
	// an unknown user), EFORBIDDEN "please confirm your e-mail address
	// first" or "this account is suspended" (only after a right password).
	Login(ctx context.Context, req LoginRequest) (string, *Session, *User, error)

	// FindSession returns a live session and its user, and pushes its
	// idle expiry on. Returns EUNAUTHORIZED for an unknown or expired
	// session or an account that is no longer active.
	FindSession(ctx context.Context, secret string) (*Session, *User, error)

	// Logout ends a session. An unknown secret is not an error.
	Logout(ctx context.Context, secret string) error
}
