package store_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// A database made by the first release keeps its accounts usable: they
// become active and verified, and the node gets the default grants.
func TestMigrateAccounts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shrooms.db")
	init, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	priv, pub := keys(t)
	for _, q := range []string{
		string(init),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init', 0)`,
		`INSERT INTO settings (key, value) VALUES ('public_url', '` + testURL + `'), ('org_handle', 'org'),
			('name', 'Old Café'), ('modules', 'people,loans')`,
		`INSERT INTO actors (id, iri, kind, handle, host, local, inbox, key_id, public_key_pem, private_key_pem, created_at, updated_at)
			VALUES (1, '` + testURL + `/actors/org', 'Organization', 'org', 'workshop.example', 1, 'i', 'k', '` + pub + `', '` + priv + `', 1000, 1000),
			       (2, '` + testURL + `/actors/old', 'Person', 'old', 'workshop.example', 1, 'i', 'k2', '` + pub + `', '` + priv + `', 5000, 5000)`,
		`INSERT INTO users (username, email, name, role, password_hash, actor_id, created_at, updated_at)
			VALUES ('old', 'old@example.org', 'Old', 'admin', 'x', 2, 5000, 5000)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	raw.Close()

	sdb, err := store.Open(path, store.Options{PublicURL: testURL})
	if err != nil {
		t.Fatal(err)
	}
	db := store.NewServices(sdb)
	defer db.Close()
	u, err := db.Users.FindUserByUsername(anon, "old")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != shrooms.StatusActive || u.EmailVerifiedAt.UnixMilli() != 5000 || u.Dashboard != nil || u.Language != "" {
		t.Fatalf("migrated user = %+v", u)
	}
	if needs, _ := db.Settings.NeedsSetup(anon); needs {
		t.Fatal("the old admin does not count")
	}
	s, err := db.Settings.FindSettings(anon)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Old Café" || s.SignupMode != shrooms.SignupInvite || !reflect.DeepEqual(s.Modules, []string{"people", "loans"}) {
		t.Fatalf("settings = %+v", s)
	}
	grants, err := db.Groups.FindGrants(sys)
	if err != nil || len(grants) != 2*len(shrooms.Modules) {
		t.Fatalf("grants = %d, %v", len(grants), err)
	}
	org, err := db.Actors.FindOrgActor(anon)
	if err != nil || org.ID != 1 || org.IconURL != "" {
		t.Fatalf("org = %+v, %v", org, err)
	}
}

func TestRemoteActorIcon(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	a := remoteDoc("partner.example", "org")
	a.IconURL = "https://partner.example/logo.png"
	if err := db.Actors.UpsertRemoteActor(anon, a); err != nil {
		t.Fatal(err)
	}
	got, err := db.Actors.FindActorByIRI(anon, a.IRI)
	if err != nil || got.IconURL != a.IconURL {
		t.Fatalf("icon = %q, %v", got.IconURL, err)
	}
	a.IconURL = ""
	if err := db.Actors.UpsertRemoteActor(anon, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Actors.FindActorByIRI(anon, a.IRI); got.IconURL != "" {
		t.Fatalf("icon kept after the actor dropped it: %q", got.IconURL)
	}
}
