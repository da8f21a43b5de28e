package itemcsv

import (
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/shrooms-org/shrooms/static"
)

// TestProblemKeysInCatalogs: every problem a row's cell can have is
// translated, by its key, in every catalog.
func TestProblemKeysInCatalogs(t *testing.T) {
	files, err := fs.Glob(static.FS, "i18n/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("catalogs: %v %v", files, err)
	}
	has := map[string]int{}
	for _, f := range files {
		b, err := static.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k := range m {
			has[k]++
		}
	}
	for _, p := range []problem{problemCells, problemMoney, problemWhole, problemYesNo, problemNotFound, problemAmbiguous, problemNoMember} {
		if has[p.key] < 2 {
			t.Errorf("problem %q: key %q is in %d catalogs, want every language's", p.msg, p.key, has[p.key])
		}
	}
}
