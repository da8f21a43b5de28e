// Package shrooms is the domain of SHROOMS, a federated management system for
// non-profit organisations. It holds the entities, the rules and the service
// interfaces; the subpackages implement them with one technology each
// (store: SQLite, federation: ActivityPub, handlers: HTTP, vocab:
// ActivityStreams). This package imports only the standard library.
package shrooms

import "strings"

// Version is the software version reported by NodeInfo and the CLI.
const Version = "0.1.0"

// Software is the software name reported by NodeInfo.
const Software = "shrooms"

// Modules lists every module an admin can enable, in menu order.
var Modules = []string{
	"people", "inventory", "stock", "loans", "repairs", "events",
	"projects", "locations", "dues", "pages", "notifications",
}

// ParseModules validates a comma-separated module list. An empty string
// means every module. It returns EINVALID naming the unknown module.
func ParseModules(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return append([]string(nil), Modules...), nil
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.ToLower(strings.TrimSpace(m))
		if m == "" || seen[m] {
			continue
		}
		if !isModule(m) {
			return nil, Errorf(EINVALID, "unknown module %q (known: %s)", m, strings.Join(Modules, ", ")).Keyed("admin.error.module_unknown", "Module", m, "Known", strings.Join(Modules, ", ")).On("modules")
		}
		seen[m] = true
		out = append(out, m)
	}
	return out, nil
}

func isModule(m string) bool {
	for _, k := range Modules {
		if k == m {
			return true
		}
	}
	return false
}

// ValidHandle reports whether s can be an actor's preferredUsername:
// 1 to 64 characters of a-z, 0-9, '_', '-' and '.', not starting with '.'.
func ValidHandle(s string) error {
	if len(s) == 0 || len(s) > 64 {
		return Errorf(EINVALID, "handle must be 1 to 64 characters").Keyed("handle.error.length")
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' && i > 0
		if !ok {
			return Errorf(EINVALID, "handle %q may only use a-z, 0-9, '_', '-' and '.'", s).Keyed("handle.error.chars")
		}
	}
	return nil
}

// NodeStats are the usage counts NodeInfo publishes.
type NodeStats struct {
	Users          int
	ActiveMonth    int
	ActiveHalfyear int
	LocalPosts     int
}

// Node describes the local node as configured and stored.
type Node struct {
	PublicURL string
	OrgHandle string
	Name      string
	Modules   []string
}
