package shrooms

import (
	"strings"
)

// Access is a set of UNIX-like permission bits: read and write.
type Access uint8

// Access bits.
const (
	AccessRead Access = 1 << iota
	AccessWrite

	AccessNone      Access = 0
	AccessReadWrite        = AccessRead | AccessWrite
)

// String returns "rw", "r-", "-w" or "--".
func (a Access) String() string {
	b := []byte("--")
	if a&AccessRead != 0 {
		b[0] = 'r'
	}
	if a&AccessWrite != 0 {
		b[1] = 'w'
	}
	return string(b)
}

// ParseAccess reads "none" or "", "read" or "r", "write", "rw" or
// "read-write" (write implies read). Returns EINVALID.
func ParseAccess(s string) (Access, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "--":
		return AccessNone, nil
	case "r", "read", "r-":
		return AccessRead, nil
	case "w", "rw", "write", "read-write":
		return AccessReadWrite, nil
	}
	return 0, Errorf(EINVALID, "access %q must be none, read or write", s).Keyed("admin.error.access", "Value", s).On("access")
}

// Mode is what each class of people may do with a record, as UNIX's
// permission bits say it for user, group and others. The owner and the
// group are the record's; members are the node's local accounts; partners
// are linked organisations (and their members); public is everyone else.
type Mode struct {
	Owner, Group, Members, Partners, Public Access
}

// DefaultMode lets the owner and the group read and change a record and
// the other members read it; it never leaves the node.
var DefaultMode = Mode{Owner: AccessReadWrite, Group: AccessReadWrite, Members: AccessRead}

// String writes the mode as ten characters, two per class in the order
// owner, group, members, partners, public: "rwrwr-----".
func (m Mode) String() string {
	return m.Owner.String() + m.Group.String() + m.Members.String() + m.Partners.String() + m.Public.String()
}

// ParseMode reads the form String writes. Returns EINVALID.
func ParseMode(s string) (Mode, error) {
	if len(s) != 10 {
		return Mode{}, Errorf(EINVALID, "mode %q must be 10 characters like rwrwr-----", s).Keyed("admin.error.mode", "Value", s).On("mode")
	}
	var out [5]Access
	for i := range out {
		pair := s[2*i : 2*i+2]
		if pair[0] != 'r' && pair[0] != '-' || pair[1] != 'w' && pair[1] != '-' {
			return Mode{}, Errorf(EINVALID, "mode %q must be 10 characters like rwrwr-----", s).Keyed("admin.error.mode", "Value", s).On("mode")
		}
		if pair[0] == 'r' {
			out[i] |= AccessRead
		}
		if pair[1] == 'w' {
			out[i] |= AccessWrite
		}
	}
	return Mode{out[0], out[1], out[2], out[3], out[4]}, nil
}

// Ownership is the owner, group and mode every record carries. OwnerID 0
// means the organisation owns it; GroupID 0 means it has no group.
type Ownership struct {
	OwnerID int64
	GroupID int64
	Mode    Mode
}

// Grant gives a role or a group access to a module: read lets its people
// use the module and see what the records' modes show them; write also
// lets them create records there and manage every record of the module.
// Exactly one of Role and GroupID is set.
type Grant struct {
	ID      int64
	Module  string
	Role    Role
	GroupID int64
	Access  Access
}

// Validate checks the grant's module and subject. Returns EINVALID.
func (g *Grant) Validate() error {
	if !isModule(g.Module) {
		return Errorf(EINVALID, "module: unknown module %q", g.Module).Keyed("admin.error.grant_module", "Module", g.Module).On("module")
	}
	if (g.Role == "") == (g.GroupID == 0) {
		return Errorf(EINVALID, "a grant is for exactly one role or one group").Keyed("admin.error.grant_target")
	}
	if g.Role == RoleAdmin {
		return Errorf(EINVALID, "role: admins always have every right").Keyed("admin.error.grant_admin").On("role")
	}
	if g.Role != "" {
		if _, err := ParseRole(string(g.Role)); err != nil {
			return err
		}
	}
	return nil
}

// DefaultGrants are the grants of a new node: staff manage every module,
// members use every module.
func DefaultGrants() []Grant {
	var out []Grant
	for _, m := range Modules {
		out = append(out,
			Grant{Module: m, Role: RoleStaff, Access: AccessReadWrite},
			Grant{Module: m, Role: RoleMember, Access: AccessRead})
	}
	return out
}

// Principal is who asks, as the store resolves it from a context: a local
// user with their groups, the node itself, a partner organisation, another
// fediverse actor or an anonymous visitor.
type Principal struct {
	User   *User
	Groups []int64
	System bool
	// Partner is set for a linked, unblocked partner organisation; Shares
	// lists the modules its sharing policy gives it that are on. The
	// partners class of a record's mode applies to it only in those
	// modules.
	Partner bool
	Shares  []string
	// Remote is the verified signer of a request from the network (an
	// actor IRI), "" for local callers and unsigned requests.
	Remote string
}

// SharesModule reports whether p is a partner whose sharing policy gives
// it module.
func (p Principal) SharesModule(module string) bool {
	if !p.Partner {
		return false
	}
	for _, m := range p.Shares {
		if m == module {
			return true
		}
	}
	return false
}

// isAll reports whether p may do anything: the node itself, or an active
// admin.
func (p Principal) isAll() bool {
	return p.System || p.User.IsAdmin() && p.User.Active()
}

func (p Principal) inGroup(id int64) bool {
	for _, g := range p.Groups {
		if g == id && id != 0 {
			return true
		}
	}
	return false
}

// ModuleAccess is what p's role and groups grant in a module. Only active
// local users hold grants.
func (p Principal) ModuleAccess(grants []Grant, module string) Access {
	if p.isAll() {
		return AccessReadWrite
	}
	if p.User == nil || !p.User.Active() {
		return AccessNone
	}
	var a Access
	for _, g := range grants {
		if g.Module == module && (g.Role != "" && g.Role == p.User.Role || p.inGroup(g.GroupID)) {
			a |= g.Access
		}
	}
	return a
}

// RecordAccess is what p may do with a record of module: every class of
// the record's mode that p belongs to, and everything when p's grants let
// it manage the module. A local user without read access to the module
// gets nothing, whatever the mode says; a partner gets the partners class
// only in the modules its sharing policy gives it.
func (p Principal) RecordAccess(grants []Grant, module string, o Ownership) Access {
	if p.isAll() {
		return AccessReadWrite
	}
	a := o.Mode.Public
	if p.SharesModule(module) {
		a |= o.Mode.Partners
	}
	if p.User != nil {
		mod := p.ModuleAccess(grants, module)
		if mod&AccessRead == 0 {
			return AccessNone
		}
		if mod&AccessWrite != 0 {
			return AccessReadWrite
		}
		a |= o.Mode.Members
		if o.OwnerID != 0 && o.OwnerID == p.User.ID {
			a |= o.Mode.Owner
		}
		if p.inGroup(o.GroupID) {
			a |= o.Mode.Group
		}
	}
	return a
}

// CanModule returns nil when p holds want in module, EUNAUTHORIZED for an
// anonymous caller and EFORBIDDEN for anyone else.
func (p Principal) CanModule(grants []Grant, module string, want Access) error {
	if p.ModuleAccess(grants, module)&want == want {
		return nil
	}
	if p.User == nil && !p.System {
		return Errorf(EUNAUTHORIZED, "please log in first").Keyed("core.error.login_required")
	}
	e := Errorf(EFORBIDDEN, "you may not %s in %s", verb(want), module)
	if want&AccessWrite != 0 {
		return e.Keyed("core.error.module_write", "Module", module)
	}
	return e.Keyed("core.error.module_read", "Module", module)
}

// CanRecord returns nil when p holds want on the record. A record p may
// not read is ENOTFOUND, so that its existence does not leak; one p may
// read but not change is EFORBIDDEN.
func (p Principal) CanRecord(grants []Grant, module string, o Ownership, want Access, what string) error {
	got := p.RecordAccess(grants, module, o)
	if got&want == want {
		return nil
	}
	if got&AccessRead == 0 {
		return Errorf(ENOTFOUND, "%s not found", what).Keyed("core.error.not_found", "What", what)
	}
	return Errorf(EFORBIDDEN, "you may not change %s", what).Keyed("core.error.may_not_change", "What", what)
}

// RequireAdmin returns nil for an active admin or the node itself,
// EUNAUTHORIZED for an anonymous caller and EFORBIDDEN for anyone else.
func (p Principal) RequireAdmin() error {
	if p.isAll() {
		return nil
	}
	if p.User == nil {
		return Errorf(EUNAUTHORIZED, "please log in first").Keyed("core.error.login_required")
	}
	return Errorf(EFORBIDDEN, "only admins may do this").Keyed("core.error.admin_only")
}

// RequireSelfOrAdmin returns nil when p is the user userID (and active), an
// admin or the node itself; otherwise as RequireAdmin, except that another
// user's account is ENOTFOUND to a non-admin.
func (p Principal) RequireSelfOrAdmin(userID int64) error {
	if p.isAll() || p.User != nil && p.User.ID == userID && p.User.Active() {
		return nil
	}
	if p.User == nil {
		return Errorf(EUNAUTHORIZED, "please log in first").Keyed("core.error.login_required")
	}
	return Errorf(ENOTFOUND, "user not found").Keyed("core.error.user_not_found")
}

func verb(a Access) string {
	if a&AccessWrite != 0 {
		return "make changes"
	}
	return "read"
}

// Group is a team of users. Records can belong to a group, and grants can
// give a group access to a module.
type Group struct {
	ID          int64
	Name        string
	Description string
	MemberIDs   []int64
}

// Validate checks the group's fields. Returns EINVALID naming the field.
func (g *Group) Validate() error {
	g.Name = strings.TrimSpace(g.Name)
	if g.Name == "" || len([]rune(g.Name)) > 80 {
		return Errorf(EINVALID, "name: must be 1 to 80 characters").Keyed("admin.error.group_name").On("name")
	}
	if len([]rune(g.Description)) > 1000 {
		return Errorf(EINVALID, "description: must be at most 1000 characters").Keyed("admin.error.group_description").On("description")
	}
	return nil
}

// MayReadActivity reports whether p may read an activity of this node's
// outbox: the node itself and admins read every one; anyone else reads a
// public activity, and a remote signer also one it sent or is addressed
// by. The federation endpoints and the store apply it alike, so that an
// activity IRI leaks nothing to whom it was not sent.
func (p Principal) MayReadActivity(a *Activity) bool {
	if p.isAll() || a.IsPublic() {
		return true
	}
	return p.Remote != "" && a.VisibleTo(p.Remote)
}

// ReadsAllActivities reports whether p reads every outbox entry; anyone
// else lists only the public ones (an actor's outbox collection).
func (p Principal) ReadsAllActivities() bool { return p.isAll() }

// SeesFollowState reports whether p may see follows in state s. Accepted
// follows are what the followers and following collections publish;
// pending and rejected ones are the node's business, for its own users
// (whose rights the handlers check further) and itself, never for a
// request from the network or an anonymous one.
func (p Principal) SeesFollowState(s FollowState) bool {
	return s == FollowAccepted || p.System || p.User != nil
}
