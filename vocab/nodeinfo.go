package vocab

import (
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// NodeInfoProfile is the Content-Type for NodeInfo 2.1 documents.
const NodeInfoProfile = `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`

// NodeInfo 2.1 identifiers.
const (
	nodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.1"
)

type nodeInfoLinks struct {
	Links []nodeInfoLink `json:"links"`
}

type nodeInfoLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// nodeInfo is a NodeInfo 2.1 document; field order follows the schema.
type nodeInfo struct {
	Version           string           `json:"version"`
	Software          nodeInfoSoftware `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          nodeInfoServices `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             nodeInfoUsage    `json:"usage"`
	Metadata          nodeInfoMetadata `json:"metadata"`
}

type nodeInfoSoftware struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type nodeInfoServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

type nodeInfoUsage struct {
	Users      nodeInfoUsers `json:"users"`
	LocalPosts int           `json:"localPosts"`
}

type nodeInfoUsers struct {
	Total          int `json:"total"`
	ActiveMonth    int `json:"activeMonth"`
	ActiveHalfyear int `json:"activeHalfyear"`
}

type nodeInfoMetadata struct {
	NodeName string   `json:"nodeName"`
	Modules  []string `json:"modules"`
}

// NodeInfoDiscoveryJSON renders /.well-known/nodeinfo, which points to the
// NodeInfo 2.1 document at base+"/nodeinfo/2.1".
func NodeInfoDiscoveryJSON(base string) ([]byte, error) {
	return marshal(nodeInfoLinks{Links: []nodeInfoLink{{
		Rel:  nodeInfoSchema,
		Href: strings.TrimRight(base, "/") + "/nodeinfo/2.1",
	}}})
}

// NodeInfoJSON renders the NodeInfo 2.1 document of the node: software,
// protocols, registrations, usage counts and, in metadata, the node's name
// and enabled modules (an empty list, never null).
func NodeInfoJSON(n shrooms.Node, s shrooms.NodeStats, openRegistrations bool) ([]byte, error) {
	modules := append([]string{}, n.Modules...)
	return marshal(nodeInfo{
		Version: "2.1",
		Software: nodeInfoSoftware{
			Name:    shrooms.Software,
			Version: shrooms.Version,
		},
		Protocols:         []string{"activitypub"},
		Services:          nodeInfoServices{Inbound: []string{}, Outbound: []string{}},
		OpenRegistrations: openRegistrations,
		Usage: nodeInfoUsage{
			Users: nodeInfoUsers{
				Total:          s.Users,
				ActiveMonth:    s.ActiveMonth,
				ActiveHalfyear: s.ActiveHalfyear,
			},
			LocalPosts: s.LocalPosts,
		},
		Metadata: nodeInfoMetadata{NodeName: n.Name, Modules: modules},
	})
}
