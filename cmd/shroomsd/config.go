package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/viper"

	"github.com/shrooms-org/shrooms/internal/node"
)

// defaults are the embedded defaults, keyed as in the file.
var defaults = node.DefaultConfig().Settings()

// configFileName is the file init writes into the data dir.
const configFileName = "config.yaml"

// loadConfig reads the configuration: defaults, then the file (configPath,
// or config.yaml in the data dir when it exists), then SHROOMS_* variables,
// then dataDir when the flag was given.
func loadConfig(configPath, dataDir string) (node.Config, error) {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("SHROOMS")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if dataDir != "" {
		v.Set("data_dir", dataDir)
	}
	if configPath == "" {
		candidate := filepath.Join(v.GetString("data_dir"), configFileName)
		if _, err := os.Stat(candidate); err == nil {
			configPath = candidate
		} else if !errors.Is(err, fs.ErrNotExist) {
			return node.Config{}, err
		}
	}
	if configPath != "" {
		v.SetConfigFile(configPath)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return node.Config{}, fmt.Errorf("reading %s: %w", configPath, err)
		}
		if dataDir == "" && os.Getenv("SHROOMS_DATA_DIR") == "" && !v.InConfig("data_dir") {
			// A config file without data_dir lives in its data dir.
			v.Set("data_dir", filepath.Dir(configPath))
		}
	}
	var cfg node.Config
	if err := v.UnmarshalExact(&cfg); err != nil {
		return node.Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, cfg.Validate()
}
