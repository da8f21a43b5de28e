package handlers

import (
	"net/http"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiUpdateMe changes the caller's own account: name, language and
// dashboard. Role and status are not fields here (an unknown field is
// refused); admins change them through /users/{id}.
func (s *server) apiUpdateMe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      *string   `json:"name"`
		Language  *string   `json:"language"`
		Dashboard *[]string `json:"dashboard"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	u, err := s.Users.UpdateUser(r.Context(), userFrom(r.Context()).ID,
		shrooms.UserUpdate{Name: in.Name, Language: in.Language, Dashboard: in.Dashboard})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, s.toUserJSON(u))
}

// apiChangePassword sets a new password after checking the current one.
// Every browser session of the account ends; API tokens stay (DELETE
// /me/tokens revokes them all).
func (s *server) apiChangePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Accounts.ChangePassword(r.Context(), in.Current, in.Password, ""); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// Token is the secret, present only in the answer that created it.
	Token string `json:"token,omitempty"`
}

func toTokenJSON(t *shrooms.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: optTime(t.LastUsedAt)}
}

func (s *server) apiTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Users.FindAPITokens(r.Context(), userFrom(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ts, len(ts), toTokenJSON)
}

// apiCreateToken creates a personal token; its secret is in this answer
// and never again.
func (s *server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	secret, t, err := s.Users.CreateAPIToken(r.Context(), userFrom(r.Context()).ID, in.Name)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	out := toTokenJSON(t)
	out.Token = secret
	writeJSON(w, http.StatusCreated, out)
}

func (s *server) apiDeleteToken(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err == nil {
		err = s.Users.DeleteAPIToken(r.Context(), userFrom(r.Context()).ID, id)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiDeleteTokens revokes every token of the caller, the one this request
// came with included, and says how many.
func (s *server) apiDeleteTokens(w http.ResponseWriter, r *http.Request) {
	n, err := s.Users.DeleteAPITokens(r.Context(), userFrom(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
}
