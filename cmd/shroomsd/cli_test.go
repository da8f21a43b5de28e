package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

var initArgs = []string{"init", "--public-url", "http://127.0.0.1:18080", "--org-name", "Riverside Repair Café",
	"--admin-user", "alice", "--admin-email", "alice@example.org", "--admin-password", "correct-horse-battery"}

// TestInit: init creates the database, the organisation, the admin and
// config.yaml, and refuses to overwrite a node.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node")
	code, out, errOut := runCLI(append(initArgs, "--data-dir", dir, "--modules", "inventory,loans",
		"--description", "Fix it together", "--postal-address", `1 quai de Seine\n75019 Paris`, "--signup-mode", "open")...)
	if code != 0 {
		t.Fatalf("init: %d %s", code, errOut)
	}
	if !strings.Contains(out, "acct:org@127.0.0.1:18080") {
		t.Fatalf("init output: %s", out)
	}
	cfg, err := loadConfig("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL != "http://127.0.0.1:18080" || cfg.Listen != "127.0.0.1:18080" || !cfg.Federation.AllowPrivateAddresses || cfg.Org.Name != "Riverside Repair Café" {
		t.Fatalf("written config: %+v", cfg)
	}
	sdb, err := store.Open(filepath.Join(dir, "shrooms.db"), store.Options{PublicURL: cfg.PublicURL})
	if err != nil {
		t.Fatal(err)
	}
	db := store.NewServices(sdb)
	ctx := context.Background()
	node, err := db.Nodes.FindNode(ctx)
	if err != nil || node.Name != "Riverside Repair Café" || strings.Join(node.Modules, ",") != "inventory,loans" {
		t.Fatalf("node: %+v %v", node, err)
	}
	settings, err := db.Settings.FindSettings(ctx)
	if err != nil || settings.Description != "Fix it together" || settings.PostalAddress != "1 quai de Seine\n75019 Paris" || settings.SignupMode != shrooms.SignupOpen {
		t.Fatalf("settings: %+v %v", settings, err)
	}
	if need, err := db.Settings.NeedsSetup(ctx); err != nil || need {
		t.Fatalf("a node made by init still needs the browser setup: %v %v", need, err)
	}
	u, err := db.Users.FindUserByUsername(ctx, "alice")
	if err != nil || u.Role != shrooms.RoleAdmin || !u.Active() {
		t.Fatalf("admin: %+v %v", u, err)
	}
	if _, err := db.Actors.FindLocalActor(ctx, "alice"); err != nil {
		t.Fatalf("admin has no Person actor: %v", err)
	}
	db.Close()

	code, _, errOut = runCLI(append(initArgs, "--data-dir", dir)...)
	if code == 0 || !strings.Contains(errOut, "refusing to overwrite") {
		t.Fatalf("second init: %d %s", code, errOut)
	}
}

// TestInitErrorsNameTheField: bad or missing answers name the flag and
// leave nothing behind.
func TestInitErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		set  []string
		flag string
	}{
		{[]string{"--public-url", ""}, "--public-url"},
		{[]string{"--public-url", "workshop.example"}, "--public-url"},
		{[]string{"--org-name", ""}, "--org-name"},
		{[]string{"--org-handle", "Not OK"}, "--org-handle"},
		{[]string{"--modules", "inventory,teleport"}, "--modules"},
		{[]string{"--signup-mode", "sometimes"}, "--signup-mode"},
		{[]string{"--admin-user", ""}, "--admin-user"},
		{[]string{"--admin-user", "Alice Smith"}, "--admin-user"},
		{[]string{"--admin-email", "not-an-address"}, "--admin-email"},
		{[]string{"--admin-password", "short"}, "--admin-password"},
	} {
		dir := filepath.Join(t.TempDir(), "node")
		args := append(append([]string{}, initArgs...), "--data-dir", dir)
		args = append(args, tc.set...)
		code, _, errOut := runCLI(args...)
		if code == 0 || !strings.Contains(errOut, tc.flag) {
			t.Errorf("%v: exit %d, %q does not name %s", tc.set, code, errOut, tc.flag)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%v left files behind: %v", tc.set, entries)
		}
	}
}

// TestCLIUsage: unknown commands and flags are usage errors (exit 2).
func TestCLIUsage(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"serve", "--no-such-flag"}, {"admin"}, {"admin", "nonsense"}, {"backup"}} {
		if code, _, errOut := runCLI(args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d %q, want 2 with a message", args, code, errOut)
		}
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.Contains(out, shrooms.Version) {
		t.Errorf("version: %d %q", code, out)
	}
	// admin on a data dir without a node says so.
	if code, _, errOut := runCLI("admin", "followers", "--data-dir", t.TempDir()); code != 1 || !strings.Contains(errOut, "no node") {
		t.Errorf("admin without node: %d %q", code, errOut)
	}
}

// TestBackupWhileRunning: backup copies the live database consistently and
// refuses to overwrite a file.
func TestBackupWhileRunning(t *testing.T) {
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	a.mustCLI("admin", "follow", b.acct())
	file := filepath.Join(t.TempDir(), "copy.db")
	a.mustCLI("backup", file)
	if _, err := a.cli("backup", file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("second backup to the same file: %v", err)
	}
	sdb, err := store.Open(file, store.Options{PublicURL: a.url()})
	if err != nil {
		t.Fatal(err)
	}
	db := store.NewServices(sdb)
	defer db.Close()
	org, err := db.Actors.FindLocalActor(context.Background(), "org")
	if err != nil {
		t.Fatal(err)
	}
	if fs, _, _ := db.Follows.FindFollows(shrooms.NewSystemContext(context.Background()), shrooms.FollowFilter{FollowerID: org.ID}); len(fs) != 1 {
		t.Fatalf("backup holds %d follows, want 1", len(fs))
	}
}

// TestServeRefusesSecondProcess and a changed public URL.
func TestServeRefusesConflicts(t *testing.T) {
	clock := newTestClock()
	a := startNode(t, clock)
	m := &Main{Config: a.m.Config}
	if _, err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second serve on one data dir: %v", err)
	}
	m.Close()
	a.stop()
	cfg := a.m2config()
	cfg.PublicURL = "https://moved.example"
	m = &Main{Config: cfg}
	if _, err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot move") {
		t.Fatalf("changed public_url: %v", err)
	}
	m.Close()
}

func (n *testNode) m2config() Config {
	cfg, err := loadConfig("", n.dir)
	if err != nil {
		n.t.Fatal(err)
	}
	return cfg
}
