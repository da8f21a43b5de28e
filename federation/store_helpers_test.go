package federation

import (
	"context"
	"path/filepath"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// openNodeDB opens a store in a temp dir for a node at publicURL, with
// the inventory module and its organisation actor, closed when the test
// ends.
func openNodeDB(tb testing.TB, publicURL string) (*store.Services, *shrooms.Actor) {
	tb.Helper()
	sdb, err := store.Open(filepath.Join(tb.TempDir(), "s.db"), store.Options{PublicURL: publicURL})
	if err != nil {
		tb.Fatal(err)
	}
	db := store.NewServices(sdb)
	tb.Cleanup(func() { db.Close() })
	org, err := db.Nodes.InitNode(context.Background(), shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "org", Name: "Node",
		Modules: []string{"inventory"}}, OrgName: "Node"})
	if err != nil {
		tb.Fatal(err)
	}
	return db, org
}
