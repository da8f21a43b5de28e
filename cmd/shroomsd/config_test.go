package main

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"
)

// TestConfigExampleMatchesConfig: config.example.yaml documents every key of
// Config, with the embedded default, and nothing else.
func TestConfigExampleMatchesConfig(t *testing.T) {
	v := viper.New()
	v.SetConfigFile(filepath.Join("..", "..", "config.example.yaml"))
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	var fileKeys, typeKeys, defaultKeys []string
	fileKeys = v.AllKeys()
	typeKeys = configKeys(reflect.TypeOf(Config{}), "")
	for k := range defaults {
		defaultKeys = append(defaultKeys, k)
	}
	sort.Strings(fileKeys)
	sort.Strings(typeKeys)
	sort.Strings(defaultKeys)
	if !reflect.DeepEqual(fileKeys, typeKeys) {
		t.Fatalf("config.example.yaml keys:\n%v\nConfig keys:\n%v", fileKeys, typeKeys)
	}
	if !reflect.DeepEqual(defaultKeys, typeKeys) {
		t.Fatalf("defaults keys:\n%v\nConfig keys:\n%v", defaultKeys, typeKeys)
	}
	for k, def := range defaults {
		if got := v.GetString(k); got != toString(def) {
			t.Errorf("%s: example says %q, default is %q", k, got, toString(def))
		}
	}
}

func toString(v any) string {
	s := viper.New()
	s.Set("k", v)
	return s.GetString("k")
}

func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := prefix + f.Tag.Get("mapstructure")
		if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == "" {
			keys = append(keys, configKeys(f.Type, name+".")...)
			continue
		}
		keys = append(keys, name)
	}
	return keys
}

// TestConfigLayers: defaults, then the data dir's config.yaml, then
// SHROOMS_* variables, then --data-dir.
func TestConfigLayers(t *testing.T) {
	dir := t.TempDir()
	cfg, err := loadConfig("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.PublicURL != "http://localhost:8080" || cfg.DataDir != dir || cfg.Org.Handle != "org" {
		t.Fatalf("defaults: %+v", cfg)
	}
	os.WriteFile(filepath.Join(dir, configFileName), []byte("public_url: \"https://workshop.example\"\nfederation:\n  delivery_workers: 2\n"), 0o600)
	t.Setenv("SHROOMS_LISTEN", "127.0.0.1:9999")
	t.Setenv("SHROOMS_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true")
	cfg, err = loadConfig("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL != "https://workshop.example" || cfg.Federation.DeliveryWorkers != 2 || cfg.Listen != "127.0.0.1:9999" || !cfg.Federation.AllowPrivateAddresses {
		t.Fatalf("layers: %+v", cfg)
	}
	t.Setenv("SHROOMS_PUBLIC_URL", "https://other.example")
	if cfg, _ = loadConfig("", dir); cfg.PublicURL != "https://other.example" {
		t.Fatalf("env does not override file: %s", cfg.PublicURL)
	}
}

// TestConfigErrorsNameTheKey: a bad value is refused with the key's name.
func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ file, key string }{
		{"public_url: \"ftp://x\"\n", "public_url"},
		{"public_url: \"https://x.example/path\"\n", "public_url"},
		{"org:\n  handle: \"Bad Handle\"\n", "org.handle"},
		{"log_level: loud\n", "log_level"},
		{"federation:\n  delivery_max_age: 10m\n", "federation.delivery_max_age"},
		{"federation:\n  delivery_workers: 0\n", "federation.delivery_workers"},
		{"http:\n  tls_cert_file: a.pem\n", "tls_key_file"},
		{"federation:\n  no_such_key: 1\n", "no_such_key"},
		{"federation:\n  http_timeout: soon\n", "http_timeout"},
		{"map:\n  tile_url: \"ftp://t.example/{z}/{x}/{y}.png\"\n", "map.tile_url"},
		{"map:\n  tile_url: \"/tiles/{z}/{x}/{y}.png\"\n", "map.tile_url"},
		{"map:\n  tile_url: \"https://t.example/{z}/{x}.png\"\n", "map.tile_url"},
		{"map:\n  tile_url: \"https://t.example; script-src *;/{z}/{x}/{y}\"\n", "map.tile_url"},
		{"map:\n  max_zoom: 0\n", "map.max_zoom"},
		{"map:\n  max_zoom: 23\n", "map.max_zoom"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, configFileName), []byte(tc.file), 0o600)
		_, err := loadConfig("", dir)
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: error %v does not name %s", tc.file, err, tc.key)
		}
	}
}

// TestQueueRetentionConfig: federation.queue_retention is a duration of
// at least a day, from the file or SHROOMS_FEDERATION_QUEUE_RETENTION;
// an invalid one is refused naming the key; 0 takes the default.
func TestQueueRetentionConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(v string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, configFileName), []byte("federation:\n  queue_retention: "+v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := loadConfig("", dir)
	if err != nil || cfg.Federation.QueueRetention != 30*24*time.Hour {
		t.Fatalf("default: %v, %v", cfg.Federation.QueueRetention, err)
	}
	for _, bad := range []string{"2h", "soon"} {
		write(bad)
		if _, err := loadConfig("", dir); err == nil || !strings.Contains(err.Error(), "queue_retention") {
			t.Errorf("queue_retention %s: %v, want an error naming the key", bad, err)
		}
	}
	write("0")
	if cfg, err := loadConfig("", dir); err != nil || cfg.Federation.QueueRetention != 0 {
		t.Fatalf("0: %v, %v", cfg.Federation.QueueRetention, err)
	}
	t.Setenv("SHROOMS_FEDERATION_QUEUE_RETENTION", "48h")
	if cfg, err := loadConfig("", dir); err != nil || cfg.Federation.QueueRetention != 48*time.Hour {
		t.Fatalf("from the environment: %v, %v", cfg.Federation.QueueRetention, err)
	}
}
