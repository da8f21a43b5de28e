package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPartnerCLIErrorsNameTheArgument: bad flags and arguments of the
// invite and partner commands are refused before anything is written, with
// a message naming what is wrong.
func TestPartnerCLIErrorsNameTheArgument(t *testing.T) {
	a := startNode(t, newTestClock())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "invite", "create", "--expires", "soon"}, "--expires"},
		{[]string{"admin", "invite", "create", "--expires", "0d"}, "--expires"},
		{[]string{"admin", "invite", "create", "--expires", "91d"}, "--expires"},
		{[]string{"admin", "invite", "create", "--expires", "-48h"}, "--expires"},
		{[]string{"admin", "invite", "revoke", "first"}, "ID"},
		{[]string{"admin", "invite", "burn"}, "admin invite"},
		{[]string{"admin", "partner", "link", "org@example.org#invit=x"}, "URL"},
		{[]string{"admin", "partner", "link", "ftp://example.org/actor#invite=abc"}, "URL"},
		{[]string{"admin", "partner", "share", "1"}, "--modules"},
		{[]string{"admin", "partner", "share", "1", "--modules", "inventory,teleport"}, "--modules"},
		{[]string{"admin", "partner", "frobnicate", "1"}, "admin partner"},
		{[]string{"admin", "partner", "unlink"}, "admin partner"},
	} {
		_, err := a.cli(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

func TestParseExpires(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 7 * 24 * time.Hour, "7d": 7 * 24 * time.Hour, "48h": 48 * time.Hour, "90d": 90 * 24 * time.Hour, "30m": 30 * time.Minute} {
		if got, err := parseExpires(in); err != nil || got != want {
			t.Errorf("parseExpires(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// TestResyncIntervalConfig: federation.resync_interval defaults to a day,
// reaches the federation config, can be set by file or SHROOMS_ variable,
// and is refused below a minute naming the key.
func TestResyncIntervalConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, err := loadConfig("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Federation.ResyncInterval != 24*time.Hour {
		t.Fatalf("default resync_interval %v, want 24h", cfg.Federation.ResyncInterval)
	}
	m := &Main{Config: cfg}
	if got := m.FederationConfig().ResyncInterval; got != 24*time.Hour {
		t.Fatalf("federation.Config.ResyncInterval = %v, want 24h", got)
	}
	os.WriteFile(filepath.Join(dir, configFileName), []byte("federation:\n  resync_interval: 6h\n"), 0o600)
	if cfg, err = loadConfig("", dir); err != nil || cfg.Federation.ResyncInterval != 6*time.Hour {
		t.Fatalf("from the file: %v %v", cfg.Federation.ResyncInterval, err)
	}
	t.Setenv("SHROOMS_FEDERATION_RESYNC_INTERVAL", "90m")
	if cfg, err = loadConfig("", dir); err != nil || cfg.Federation.ResyncInterval != 90*time.Minute {
		t.Fatalf("from the environment: %v %v", cfg.Federation.ResyncInterval, err)
	}
	t.Setenv("SHROOMS_FEDERATION_RESYNC_INTERVAL", "30s")
	if _, err = loadConfig("", dir); err == nil || !strings.Contains(err.Error(), "federation.resync_interval") {
		t.Fatalf("30s: %v, want an error naming federation.resync_interval", err)
	}
}
