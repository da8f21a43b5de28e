package handlers

// storeKey is the catalog key, and the args its text uses, of an error
// message that package store still returns without a key.
type storeKey struct {
	key  string
	args []any
}

// storeErrorKeys translates the store's errors that are not keyed yet,
// by their English message: errorText's fallback. An entry goes when
// store gives its error the key; the map goes with the last one.
var storeErrorKeys = map[string]storeKey{
	"already following": {key: "partners.error.already_following"},
	"avatar_id: must be an image this member uploaded":                  {key: "profile.invalid.avatar_member"},
	"avatar_id: must be an image you uploaded":                          {key: "profile.invalid.avatar_own"},
	"current password: is wrong":                                        {key: "account.error.password_wrong"},
	"follow request already sent":                                       {key: "partners.error.follow_pending"},
	"instances: choose this organisation or linked partners only":       {key: "search.error.instances_scope"},
	"invite is already revoked":                                         {key: "partners.error.invite_revoked"},
	"invite was already used":                                           {key: "partners.error.invite_used"},
	"logo_id: must be an image uploaded for the organisation":           {key: "admin.error.logo_org"},
	"logo_id: must be an image you uploaded":                            {key: "admin.error.logo_own"},
	"name: a group with this name exists":                               {key: "admin.error.group_exists"},
	"name: must be at most 100 characters":                              {key: "account.error.name_long"},
	"not blocked":                                                       {key: "partners.error.not_blocked"},
	"not enough in stock":                                               {key: "stock.error.not_enough"},
	"only a remote organisation can be a partner":                       {key: "partners.error.remote_only"},
	"only parts have a stock quantity":                                  {key: "stock.error.parts_only"},
	"password: must be at most 72 bytes":                                {key: "account.error.password_long", args: []any{"Max", 72}},
	"please log in again":                                               {key: "account.error.session_expired"},
	"please log in first":                                               {key: "core.error.login_required"},
	"role must be admin, staff or member":                               {key: "admin.error.role"},
	"sign-up is closed":                                                 {key: "account.error.signup_closed"},
	"sign-up needs an invitation":                                       {key: "account.error.signup_invite"},
	"the last active admin cannot be deleted":                           {key: "admin.error.last_admin_delete"},
	"the last active admin cannot lose the admin role nor be suspended": {key: "admin.error.last_admin_demote"},
	"this account is suspended":                                         {key: "account.error.suspended"},
	"this invitation has expired or was already used":                   {key: "account.error.invitation_used"},
	"this organisation is blocked; unblock it first":                    {key: "partners.error.blocked"},
	"username is taken":                                                 {key: "account.error.username_taken"},
	"wrong username or password":                                        {key: "account.error.login_wrong"},
}
