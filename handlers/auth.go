package handlers

import (
	"context"
	"net/http"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// userFrom returns the authenticated user of the request, or nil. The
// services read the same user from the context to check rights.
func userFrom(ctx context.Context) *shrooms.User {
	return shrooms.UserFromContext(ctx)
}

// requireToken authenticates API requests by personal bearer token.
func (s *server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shrooms"`)
			s.fail(w, r, shrooms.Errorf(shrooms.EUNAUTHORIZED, "an API token is required (Authorization: Bearer TOKEN)").Keyed("core.error.token_required"), 0)
			return
		}
		u, err := s.Users.FindUserByAPIToken(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shrooms", error="invalid_token"`)
			s.fail(w, r, err, 0)
			return
		}
		next.ServeHTTP(w, r.WithContext(shrooms.NewContextWithUser(r.Context(), u)))
	})
}

// requireAdmin lets only admins through; it runs after requireToken.
func (s *server) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !userFrom(r.Context()).IsAdmin() {
			s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "only admins may do this").Keyed("core.error.admin_only"), 0)
			return
		}
		next(w, r)
	}
}
