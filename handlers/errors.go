package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

var errPanic = errors.New("handler panicked")

// statusOf maps an error code to its HTTP status: the one place that does.
func statusOf(code string) int {
	switch code {
	case shrooms.EINVALID:
		return http.StatusBadRequest
	case shrooms.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case shrooms.EFORBIDDEN:
		return http.StatusForbidden
	case shrooms.ENOTFOUND:
		return http.StatusNotFound
	case shrooms.ECONFLICT:
		return http.StatusConflict
	case shrooms.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case shrooms.EUNAVAILABLE:
		return http.StatusBadGateway
	case shrooms.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fail answers with err's status (or status when it is not 0) and its safe
// message, in JSON for the API and as a page otherwise. Internal errors are
// logged and shown as "internal error".
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error, status int) {
	code := shrooms.ErrorCode(err)
	if status == 0 {
		status = statusOf(code)
	}
	if code == shrooms.EINTERNAL {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	setRetryAfter(w, err)
	msg := shrooms.ErrorMessage(err)
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"error": msg, "code": code})
		return
	}
	s.render(w, r, status, "error", fmt.Sprintf("error.title.%d", status), s.errorText(r, err))
}

// errorText is an error's safe message in the request's language: its Key
// translated with its Args. An error without a key (none that a service
// returns on purpose: TestErrorKeysInCatalogs lists the keys) shows its
// English message; an error is never recognised by its text.
func (s *server) errorText(r *http.Request, err error) string {
	var e *shrooms.Error
	if errors.As(err, &e) && e.Key != "" {
		return s.pages.cat.translate(stateFrom(r.Context()).Lang, e.Key, e.Args...)
	}
	return shrooms.ErrorMessage(err)
}

func (s *server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, shrooms.Errorf(shrooms.ENOTFOUND, "There is no page at this address.").Keyed("core.error.no_page"), 0)
}

// writeJSON answers with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
