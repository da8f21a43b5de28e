package store

import (
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"

	shrooms "github.com/shrooms-org/shrooms"
)

// refusal starts a constraint's error: its message, key and field, and no
// code, which dbError sets from the kind of constraint.
func refusal(msg string) *shrooms.Error { return &shrooms.Error{Message: msg} }

// constraintErrors names the error behind each constraint SQLite can
// report, keyed by what follows "constraint failed: " in its message
// (table.column for UNIQUE and NOT NULL, the constraint name for CHECK).
// The messages are safe to show; SQL text never is.
var constraintErrors = map[string]*shrooms.Error{
	"users.username":        refusal("username is taken").Keyed("account.error.db_username_taken").On("username"),
	"users.email":           refusal("e-mail is taken").Keyed("account.error.email_taken").On("email"),
	"users.actor_id":        refusal("actor already belongs to a user").Keyed("account.error.db_actor_has_user"),
	"actors.handle":         refusal("handle is taken").Keyed("core.error.db_handle_taken").On("handle"),
	"actors.iri":            refusal("actor IRI is taken").Keyed("core.error.db_iri_taken").On("iri"),
	"api_tokens.token_hash": refusal("token is taken").Keyed("account.error.db_token_taken"),
	"follows.activity_iri":  refusal("follow activity is already recorded").Keyed("core.error.db_follow_recorded"),
	"follows.follower_id, follows.followee_id": refusal("already following").Keyed("partners.error.db_already_following"),
	"outbox.activity_iri":                      refusal("activity IRI is already used").Keyed("core.error.db_activity_iri_used"),
	"inbox_activities.activity_iri":            refusal("activity is already stored").Keyed("core.error.db_activity_stored"),
	"settings.key":                             refusal("node already initialised").Keyed("core.error.db_node_initialised"),
	"follows_not_self":                         refusal("an actor cannot follow itself").Keyed("partners.error.db_follow_self"),
	"follows_state":                            refusal("state must be pending, accepted or rejected").Keyed("core.error.db_follow_state").On("state"),
	"users_role":                               refusal("role must be admin, staff or member").Keyed("admin.error.db_role").On("role"),
	"deliveries_state":                         refusal("state must be pending, delivered or dead").Keyed("core.error.db_delivery_state").On("state"),
	"deliveries_host_set":                      refusal("inbox must be an absolute URL").Keyed("core.error.db_inbox_url").On("inbox"),
	"inbox_state":                              refusal("state must be pending, done or failed").Keyed("core.error.db_inbox_state").On("state"),
	"inbox_iri_set":                            refusal("activity id is required").Keyed("core.error.db_activity_id_required"),
	"actors_handle_set":                        refusal("handle is required").Keyed("core.error.db_handle_required").On("handle"),
	"actors_local_key":                         refusal("a local actor needs a private key").Keyed("core.error.db_local_key"),
	"users_status":                             refusal("status must be pending, active or suspended").Keyed("admin.error.db_status").On("status"),
	"sessions.token_hash":                      refusal("session is taken").Keyed("account.error.db_session_taken"),
	"email_tokens.token_hash":                  refusal("link is taken").Keyed("account.error.db_link_taken"),
	"email_tokens_purpose":                     refusal("purpose must be verify or reset").Keyed("account.error.db_link_purpose"),
	"invitations.token_hash":                   refusal("invitation is taken").Keyed("account.error.db_invitation_taken"),
	"invitations_role":                         refusal("role must be admin, staff or member").Keyed("admin.error.db_role").On("role"),
	"login_failures_kind":                      refusal("kind must be account or address").Keyed("account.error.db_failure_kind"),
	"groups.name":                              refusal("name: a group with this name exists").Keyed("admin.error.db_group_name_taken").On("name"),
	"groups_name_set":                          refusal("name: is required").Keyed("admin.error.db_name_required").On("name"),
	"group_members.group_id, group_members.user_id": refusal("user is already in the group").Keyed("admin.error.db_group_member"),
	"grants.module, grants.role":                    refusal("a role has one grant per module").Keyed("admin.error.db_grant_twice"),
	"grants.module, grants.group_id":                refusal("a group has one grant per module").Keyed("admin.error.db_grant_twice"),
	"grants_subject":                                refusal("a grant is for exactly one role or one group").Keyed("admin.error.db_grant_subject"),
	"grants_role":                                   refusal("role: must be staff or member").Keyed("admin.error.db_grant_role").On("role"),
	"grants_access":                                 refusal("access must be none, read or write").Keyed("admin.error.db_grant_access").On("access"),
	"media_content_type":                            refusal("content_type: must be image/png or image/jpeg").Keyed("core.error.db_image_type").On("content_type"),
	"media_size":                                    refusal("size does not match the data").Keyed("core.error.db_image_size_mismatch").On("size"),
	"profiles_bio_audience":                         refusal("bio_audience: unknown audience").Keyed("profile.invalid.bio_audience").On("bio_audience"),
	"profiles_avatar_audience":                      refusal("avatar_audience: unknown audience").Keyed("profile.invalid.avatar_audience").On("avatar_audience"),
	"profiles_contact_audience":                     refusal("contact_audience: unknown audience").Keyed("profile.invalid.contact_audience").On("contact_audience"),
	"addresses.user_id, addresses.position":         refusal("address position is taken").Keyed("member.error.db_address_position").On("addresses"),
	"addresses_audience":                            refusal("address audience: unknown audience").Keyed("member.error.db_address_audience").On("addresses"),
}

// dbError turns SQLite constraint violations into domain errors:
// UNIQUE and PRIMARY KEY become ECONFLICT, FOREIGN KEY, CHECK and NOT NULL
// become EINVALID, each keyed and naming the field. override replaces
// the errors where a caller knows better (a taken local handle is a
// taken username when a user is created). Other errors are returned
// unchanged and stay internal.
func dbError(err error, override map[string]*shrooms.Error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint {
		return err
	}
	_, detail, _ := strings.Cut(se.Error(), "constraint failed: ")
	detail = strings.TrimSpace(detail)
	known, ok := override[detail]
	if !ok {
		known, ok = constraintErrors[detail]
	}
	var e shrooms.Error
	if ok {
		e = *known
	}
	switch se.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		e.Code = shrooms.ECONFLICT
		if !ok {
			col := column(detail)
			e = *shrooms.Errorf(shrooms.ECONFLICT, "%s is taken", col).Keyed("core.error.db_taken", "Field", col).On(field(detail))
		}
		if e.Field == "" {
			e.Field = field(detail)
		}
		return &e
	case sqlite3.ErrConstraintForeignKey:
		return shrooms.Errorf(shrooms.EINVALID, "refers to a record that does not exist").Keyed("core.error.db_missing_ref")
	case sqlite3.ErrConstraintNotNull:
		// The errors above are for UNIQUE and CHECK; a missing value
		// is named by its column.
		col := column(detail)
		return shrooms.Errorf(shrooms.EINVALID, "%s is required", col).Keyed("core.error.db_required", "Field", col).On(field(detail))
	default:
		if !ok {
			return shrooms.Errorf(shrooms.EINVALID, "invalid value").Keyed("core.error.db_invalid")
		}
		e.Code = shrooms.EINVALID
		return &e
	}
}

// rewrap returns an error of code with the formatted message that keeps
// the key and args of inner, the error it words, and is on field: the
// message adds context for logs and the API, the key translates it.
func rewrap(inner error, code, field, format string, args ...any) *shrooms.Error {
	e := shrooms.Errorf(code, format, args...).On(field)
	var in *shrooms.Error
	if errors.As(inner, &in) {
		e.Key, e.Args = in.Key, in.Args
	}
	return e
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

// notFound returns an ENOTFOUND error, for its caller to key.
func notFound(format string, args ...any) *shrooms.Error {
	return shrooms.Errorf(shrooms.ENOTFOUND, format, args...)
}
