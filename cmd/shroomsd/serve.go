package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/shrooms-org/shrooms/internal/node"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath, dataDir := commonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath, *dataDir)
	if err != nil {
		return err
	}
	started := time.Now()
	m := &node.Main{Config: cfg, Logger: node.NewLogger(stderr, cfg.LogLevel)}
	firstStart, err := m.Run(ctx)
	if err != nil {
		return errors.Join(err, m.Close())
	}
	fmt.Fprintf(stdout, "SHROOMS %s is running (ready in %s).\n", m.IRIs.Base, time.Since(started).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  open:         %s\n", m.IRIs.Base)
	fmt.Fprintf(stdout, "  organisation: acct:%s@%s (%s)\n", m.Config.Org.Handle, m.IRIs.Host(), m.IRIs.Actor(m.Config.Org.Handle))
	fmt.Fprintf(stdout, "  listening on: %s\n  data:         %s\n", m.Addr(), cfg.DataDir)
	if u := m.SetupURL(); u != "" {
		fmt.Fprintf(stdout, "  set up:       %s\n                (the code in this address lets only you set up the node)\n", u)
	}
	if firstStart {
		fmt.Fprintf(stdout, "First start: created the database and the organisation's identity in %s.\n", cfg.DataDir)
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-m.Served():
	}
	m.Logger.Info("shutting down")
	return errors.Join(serveErr, m.Close())
}
