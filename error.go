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
//
// Message is English: it goes to logs, to the API's JSON "error" and to
// peers, and it is the fallback text. Key, when set, is the error's stable
// identity: the catalog id that translates it (such as
// "account.error.pending", never a sentence) and the thing callers switch
// on, so that rewording Message changes neither. Args fill the catalog
// text's template, as pairs of name and value ("Count", 3). Field names the
// form or import field the error concerns ("name", "parent"), so that forms
// mark it without reading Message. Build a keyed error with
// Errorf(...).Keyed(key, args...).On(field).
type Error struct {
	Code    string
	Message string
	Key     string
	Args    []any
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("shrooms error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Keyed sets e's catalog key and the pairs of name and value its catalog
// text uses, and returns e. A key must have an entry in every catalog: a
// test in handlers finds the keys by this call's first argument, so pass it
// as a string literal.
func (e *Error) Keyed(key string, args ...any) *Error {
	e.Key, e.Args = key, args
	return e
}

// KeyedAs gives e the key and args of the first *Error in err's chain,
// and its field when e has none, and returns e: an error that wraps
// another's message keeps its translation.
func (e *Error) KeyedAs(err error) *Error {
	var inner *Error
	if errors.As(err, &inner) {
		e.Key, e.Args = inner.Key, inner.Args
		if e.Field == "" {
			e.Field = inner.Field
		}
	}
	return e
}

// On sets the field e concerns and returns e.
func (e *Error) On(field string) *Error {
	e.Field = field
	return e
}

// ErrorKey returns the catalog key of the first *Error in err's chain, or
// "" when it has none (not yet keyed, or not a domain error).
func ErrorKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
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
