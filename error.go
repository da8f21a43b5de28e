package shrooms

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in handlers and federation.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	ETOOLARGE     = "too_large"
	EUNAVAILABLE  = "unavailable"
	// ETOOMANY refuses a request because its caller tried too often (login
	// attempts); the message says when to try again.
	ETOOMANY = "too_many"
)

// Error is a domain error: a code and a message that is safe to show to the
// person or peer that caused it. Errors without a code are internal and their
// text is never shown.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("shrooms error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err: the *Error message, or
// "internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Permanent reports whether retrying the operation that returned err cannot
// succeed: every coded error except EINTERNAL and EUNAVAILABLE.
func Permanent(err error) bool {
	switch ErrorCode(err) {
	case "", EINTERNAL, EUNAVAILABLE:
		return false
	}
	return true
}
