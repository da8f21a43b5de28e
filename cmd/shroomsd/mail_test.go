package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMailConfig: the mail section reaches mail.Config, the password can
// come from the environment, and mail without a host goes to the data dir.
func TestMailConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, err := loadConfig("", dir)
	if err != nil {
		t.Fatal(err)
	}
	mc := cfg.MailConfig()
	if mc.Host != "" || mc.Dir != filepath.Join(dir, "mail") || mc.From != "SHROOMS <noreply@localhost>" {
		t.Fatalf("defaults: %+v", mc)
	}
	os.WriteFile(filepath.Join(dir, configFileName), []byte(`mail:
  from: "Atelier Soudé <noreply@atelier.example>"
  smtp:
    host: smtp.atelier.example
    port: 465
    username: atelier
    security: tls
    timeout: 30s
`), 0o600)
	t.Setenv("SHROOMS_MAIL_SMTP_PASSWORD", "s3cret")
	if cfg, err = loadConfig("", dir); err != nil {
		t.Fatal(err)
	}
	mc = cfg.MailConfig()
	if mc.From != "Atelier Soudé <noreply@atelier.example>" || mc.Host != "smtp.atelier.example" || mc.Port != 465 ||
		mc.Username != "atelier" || mc.Password != "s3cret" || mc.Security != "tls" || mc.Timeout != 30*time.Second {
		t.Fatalf("from file and environment: %+v", mc)
	}
}

// TestMailConfigErrorsNameTheKey: bad mail settings stop the node at start,
// naming the key.
func TestMailConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ file, key string }{
		{"mail:\n  from: nobody\n", "mail.from"},
		{"mail:\n  smtp:\n    host: smtp.example.org\n    port: 0x10000\n", "mail.smtp.port"},
		{"mail:\n  smtp:\n    host: smtp.example.org\n    security: ssl\n", "mail.smtp.security"},
		{"mail:\n  smtp:\n    host: smtp.example.org\n    security: none\n    username: a\n    password: b\n", "mail.smtp.security"},
		{"mail:\n  smtp:\n    host: smtp.example.org\n    password: b\n", "mail.smtp.username"},
		{"mail:\n  smtp:\n    host: smtp.example.org:587\n", "mail.smtp.host"},
		{"mail:\n  smtp:\n    host: smtp.example.org\n    timeout: 10ms\n", "mail.smtp.timeout"},
		{"mail:\n  smtp:\n    timeout: soon\n", "mail.smtp.timeout"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, configFileName), []byte(tc.file), 0o600)
		_, err := loadConfig("", dir)
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: error %v does not name %s", tc.file, err, tc.key)
		}
	}
}
