// Command shroomsd runs a SHROOMS node and administers it.
//
//	shroomsd [serve]                 run the node (embedded defaults without a config)
//	shroomsd init --public-url …     create a node non-interactively
//	shroomsd admin …                 tokens, follows, follow requests, deliveries,
//	                                 invites and partners
//	shroomsd backup FILE             consistent copy of the live database
//	shroomsd migrate                 apply and list database migrations
//	shroomsd version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	shrooms "github.com/shrooms-org/shrooms"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit code: 0 on success,
// 1 when the command failed, 2 on a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, args, stdout, stderr)
	case "init":
		err = runInit(ctx, args, stdin, stdout)
	case "admin":
		err = runAdmin(ctx, args, stdout)
	case "backup":
		err = runBackup(ctx, args, stdout)
	case "migrate":
		err = runMigrate(ctx, args, stdout)
	case "version":
		fmt.Fprintf(stdout, "%s %s\n", shrooms.Software, shrooms.Version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError("unknown command %q", cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(*usageErr)):
		fmt.Fprintf(stderr, "shroomsd: %s\n\n%s", termText(err.Error()), usage)
		return 2
	default:
		// An error may quote another node (an actor's name, a reply).
		fmt.Fprintf(stderr, "shroomsd: %s\n", termText(cliMessage(err)))
		return 1
	}
}

const usage = `usage: shroomsd [command] [flags]

commands:
  serve      run the node (the default); --config FILE, --data-dir DIR
  init       create a node: --data-dir, --public-url, --org-name, --org-handle,
             --admin-user, --admin-email, --admin-password, --modules, --listen
  admin      token create --user NAME | follow ADDRESS | unfollow ADDRESS |
             followers | following | follow-requests [list|approve ID|reject ID] |
             deliveries [--state dead] | deliveries retry ID | queue |
             queue prune [--older-than 30d] |
             mail [--state dead] | mail retry ID | mail discard ID |
             invite create [--expires 7d] [--note TEXT] | invite list |
             invite revoke ID | partner link URL | partner list |
             partner unlink|block|unblock|resync ADDRESS-or-ID |
             partner share ADDRESS-or-ID --modules inventory,stock
  backup     FILE: consistent copy of the live database
  migrate    apply pending database migrations and list them
  version    print the version

Every command takes --config FILE and --data-dir DIR (default ./data, where
init writes config.yaml). SHROOMS_<KEY> environment variables override the
file, e.g. SHROOMS_LISTEN, SHROOMS_PUBLIC_URL, SHROOMS_DATA_DIR.
`

type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return &usageErr{msg: fmt.Sprintf(format, args...)}
}

// cliMessage shows domain errors by their safe message and everything else
// as is: the person at the terminal is the node's admin.
func cliMessage(err error) string {
	var e *shrooms.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// commonFlags adds --config and --data-dir to a command's flag set.
func commonFlags(fs *flag.FlagSet) (configPath, dataDir *string) {
	return fs.String("config", "", "configuration file (default: DATA_DIR/config.yaml when present)"),
		fs.String("data-dir", "", "data directory (default ./data, or SHROOMS_DATA_DIR)")
}

// parseFlags parses a flag set whose errors are usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("%s: %s", fs.Name(), err)
	}
	return nil
}
