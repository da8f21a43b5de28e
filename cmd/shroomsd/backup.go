package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shrooms-org/shrooms/internal/node"
)

// runBackup writes a consistent copy of the live database: SQLite's
// VACUUM INTO reads one snapshot while the node keeps writing.
func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	configPath, dataDir := commonFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("backup: give the file to write, e.g. shroomsd backup shrooms-backup.db")
	}
	m, err := openExisting(ctx, *configPath, *dataDir)
	if err != nil {
		return err
	}
	defer m.Close()
	started := time.Now()
	if err := m.DB.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s in %s\n", pos[0], time.Since(started).Round(time.Millisecond))
	return nil
}

// runMigrate applies pending migrations (opening the store does) and lists
// them all.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	configPath, dataDir := commonFlags(fs)
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, *dataDir)
	if err != nil {
		return err
	}
	m := &node.Main{Config: cfg, Logger: node.NewLogger(io.Discard, "error")}
	if _, err := m.Open(ctx, false); err != nil && m.DB == nil {
		return err
	}
	defer m.Close()
	status, err := m.DB.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
	for _, s := range status {
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", s.Version, s.Name, formatTime(s.AppliedAt))
	}
	return tw.Flush()
}

// openExisting opens a node that must already exist, without serving, for
// the commands that work beside a running node.
func openExisting(ctx context.Context, configPath, dataDir string) (*node.Main, error) {
	cfg, err := loadConfig(configPath, dataDir)
	if err != nil {
		return nil, err
	}
	m := &node.Main{Config: cfg, Logger: node.NewLogger(io.Discard, "error")}
	if _, err := m.Open(ctx, false); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// parseInterspersed parses flags that may stand before, between or after
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
