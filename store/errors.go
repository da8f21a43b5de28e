package store

import (
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"

	shrooms "github.com/shrooms-org/shrooms"
)

// constraintMessages names the field behind each constraint SQLite can
// report, keyed by what follows "constraint failed: " in its message
// (table.column for UNIQUE and NOT NULL, the constraint name for CHECK).
// The messages are safe to show; SQL text never is.
var constraintMessages = map[string]string{
	"users.username":        "username is taken",
	"users.email":           "e-mail is taken",
	"users.actor_id":        "actor already belongs to a user",
	"actors.handle":         "handle is taken",
	"actors.iri":            "actor IRI is taken",
	"api_tokens.token_hash": "token is taken",
	"follows.activity_iri":  "follow activity is already recorded",
	"follows.follower_id, follows.followee_id": "already following",
	"outbox.activity_iri":                      "activity IRI is already used",
	"inbox_activities.activity_iri":            "activity is already stored",
	"settings.key":                             "node already initialised",
	"follows_not_self":                         "an actor cannot follow itself",
	"follows_state":                            "state must be pending, accepted or rejected",
	"users_role":                               "role must be admin, staff or member",
	"deliveries_state":                         "state must be pending, delivered or dead",
	"deliveries_host_set":                      "inbox must be an absolute URL",
	"inbox_state":                              "state must be pending, done or failed",
	"inbox_iri_set":                            "activity id is required",
	"actors_handle_set":                        "handle is required",
	"actors_local_key":                         "a local actor needs a private key",
	"users_status":                             "status must be pending, active or suspended",
	"sessions.token_hash":                      "session is taken",
	"email_tokens.token_hash":                  "link is taken",
	"email_tokens_purpose":                     "purpose must be verify or reset",
	"invitations.token_hash":                   "invitation is taken",
	"invitations_role":                         "role must be admin, staff or member",
	"login_failures_kind":                      "kind must be account or address",
	"groups.name":                              "name: a group with this name exists",
	"groups_name_set":                          "name: is required",
	"group_members.group_id, group_members.user_id": "user is already in the group",
	"grants.module, grants.role":                    "a role has one grant per module",
	"grants.module, grants.group_id":                "a group has one grant per module",
	"grants_subject":                                "a grant is for exactly one role or one group",
	"grants_role":                                   "role: must be staff or member",
	"grants_access":                                 "access must be none, read or write",
	"media_content_type":                            "content_type: must be image/png or image/jpeg",
	"media_size":                                    "size does not match the data",
	"profiles_bio_audience":                         "bio_audience: unknown audience",
	"profiles_avatar_audience":                      "avatar_audience: unknown audience",
	"profiles_contact_audience":                     "contact_audience: unknown audience",
	"addresses.user_id, addresses.position":         "address position is taken",
	"addresses_audience":                            "address audience: unknown audience",
}

// dbError turns SQLite constraint violations into domain errors:
// UNIQUE and PRIMARY KEY become ECONFLICT, FOREIGN KEY, CHECK and NOT NULL
// become EINVALID, each with a message naming the field. override replaces
// messages where a caller knows better (a taken local handle is a taken
// username when a user is created). Other errors are returned unchanged
// and stay internal.
func dbError(err error, override map[string]string) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint {
		return err
	}
	_, detail, _ := strings.Cut(se.Error(), "constraint failed: ")
	detail = strings.TrimSpace(detail)
	msg, ok := override[detail]
	if !ok {
		msg, ok = constraintMessages[detail]
	}
	switch se.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		if !ok {
			msg = column(detail) + " is taken"
		}
		e := shrooms.Errorf(shrooms.ECONFLICT, "%s", msg).On(field(detail))
		if detail == "users.email" {
			e.Keyed("account.error.email_taken")
		}
		return e
	case sqlite3.ErrConstraintForeignKey:
		return shrooms.Errorf(shrooms.EINVALID, "refers to a record that does not exist")
	case sqlite3.ErrConstraintNotNull:
		// The messages above are for UNIQUE and CHECK; a missing value
		// is named by its column.
		return shrooms.Errorf(shrooms.EINVALID, "%s is required", column(detail)).On(field(detail))
	default:
		if !ok {
			msg = "invalid value"
		}
		return shrooms.Errorf(shrooms.EINVALID, "%s", msg)
	}
}

// column returns the column part of "table.column" (the first one when
// SQLite lists several), or "value" when the detail has no such shape.
func column(detail string) string {
	first, _, _ := strings.Cut(detail, ",")
	_, col, ok := strings.Cut(first, ".")
	if !ok || col == "" || strings.ContainsAny(col, " ()'\"") {
		return "value"
	}
	return strings.ReplaceAll(col, "_", " ")
}

// field returns the column of a one-column "table.column" detail, as the
// Field of the error it causes, or "".
func field(detail string) string {
	_, col, ok := strings.Cut(detail, ".")
	if !ok || strings.ContainsAny(col, " ,()'\"") {
		return ""
	}
	return col
}

// notFound returns an ENOTFOUND error.
func notFound(format string, args ...any) error {
	return shrooms.Errorf(shrooms.ENOTFOUND, format, args...)
}
