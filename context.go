package shrooms

import "context"

type contextKey int

const (
	userContextKey contextKey = iota
	systemContextKey
	remoteContextKey
)

// NewContextWithUser returns ctx carrying the user a request acts for.
// Services read it to decide what the caller may see and change.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the user ctx acts for, or nil for an anonymous
// caller.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// NewSystemContext marks ctx as the node itself acting: the command line
// run by the server's operator, and federation's workers. Services allow a
// system context everything; a context with neither a user nor this mark is
// anonymous and may do least.
func NewSystemContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, systemContextKey, true)
}

// IsSystem reports whether ctx was made by NewSystemContext.
func IsSystem(ctx context.Context) bool {
	b, _ := ctx.Value(systemContextKey).(bool)
	return b
}

// NewRemoteContext marks ctx as a request that came from the network,
// signed by the actor signerIRI once its signature was verified ("" for an
// unsigned request or one whose signature was refused). The store resolves
// it to the principal of that signer — a linked partner organisation with
// its sharing policy, any other fediverse actor, or an anonymous visitor —
// and applies to it the rules it applies to local users. It is never the
// system, whatever else ctx carries.
func NewRemoteContext(ctx context.Context, signerIRI string) context.Context {
	return context.WithValue(ctx, remoteContextKey, signerIRI)
}

// RemoteSigner returns the verified signer NewRemoteContext put in ctx
// ("" when unsigned), and whether ctx came from the network at all.
func RemoteSigner(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(remoteContextKey).(string)
	return s, ok
}
