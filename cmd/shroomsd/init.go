package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// initFlags are the answers init needs; on a terminal it asks for the
// missing ones.
type initFlags struct {
	dataDir, publicURL, listen         string
	orgName, orgHandle, modules        string
	adminUser, adminEmail, adminPasswd string
	description, postalAddress         string
	signupMode                         string
}

func runInit(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	var f initFlags
	fs.StringVar(&f.dataDir, "data-dir", "", "data directory to create (default ./data)")
	fs.StringVar(&f.publicURL, "public-url", "", "the URL people and peers reach the node at, e.g. https://workshop.example")
	fs.StringVar(&f.listen, "listen", "", "address to listen on (default 127.0.0.1:8080, or the public URL's port on loopback)")
	fs.StringVar(&f.orgName, "org-name", "", "the organisation's name")
	fs.StringVar(&f.orgHandle, "org-handle", "org", "the organisation's handle (acct:HANDLE@host)")
	fs.StringVar(&f.modules, "modules", "all", "comma-separated modules to enable: "+strings.Join(shrooms.Modules, ","))
	fs.StringVar(&f.description, "description", "", "a short description of the organisation")
	fs.StringVar(&f.postalAddress, "postal-address", "", "the organisation's postal address (lines separated by \\n)")
	fs.StringVar(&f.signupMode, "signup-mode", string(shrooms.SignupInvite), "who may create an account in the browser: open, invite or closed")
	fs.StringVar(&f.adminUser, "admin-user", "", "the first admin's username")
	fs.StringVar(&f.adminEmail, "admin-email", "", "the first admin's e-mail address")
	fs.StringVar(&f.adminPasswd, "admin-password", "", "the first admin's password (asked on a terminal when absent)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("init: unexpected argument %q", fs.Arg(0))
	}
	if f.dataDir == "" {
		f.dataDir = envOr("SHROOMS_DATA_DIR", "./data")
	}
	if file, ok := stdin.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		if err := f.ask(file, stdout); err != nil {
			return err
		}
	}
	return f.create(ctx, stdout)
}

// ask prompts for every missing answer.
func (f *initFlags) ask(in *os.File, out io.Writer) error {
	r := bufio.NewReader(in)
	line := func(prompt string, v *string) error {
		for *v == "" {
			fmt.Fprintf(out, "%s: ", prompt)
			s, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("init: %s: no answer", prompt)
			}
			*v = strings.TrimSpace(s)
		}
		return nil
	}
	for _, q := range []struct {
		prompt string
		v      *string
	}{
		{"Public URL (e.g. https://workshop.example)", &f.publicURL},
		{"Organisation name", &f.orgName},
		{"Admin username", &f.adminUser},
		{"Admin e-mail", &f.adminEmail},
	} {
		if err := line(q.prompt, q.v); err != nil {
			return err
		}
	}
	for f.adminPasswd == "" {
		fmt.Fprintf(out, "Admin password (at least %d characters): ", shrooms.MinPasswordLength)
		p, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			return fmt.Errorf("init: reading password: %w", err)
		}
		f.adminPasswd = string(p)
	}
	return nil
}

// create validates everything, then makes the database and config.yaml.
// On failure it leaves no half-made node behind.
func (f *initFlags) create(ctx context.Context, stdout io.Writer) (err error) {
	for _, req := range []struct{ name, v string }{
		{"--public-url", f.publicURL}, {"--org-name", f.orgName}, {"--admin-user", f.adminUser},
		{"--admin-email", f.adminEmail}, {"--admin-password", f.adminPasswd},
	} {
		if strings.TrimSpace(req.v) == "" {
			return usageError("init: %s is required", req.name)
		}
	}
	iris, err := shrooms.NewIRIs(f.publicURL)
	if err != nil {
		return fmt.Errorf("--public-url: %s", shrooms.ErrorMessage(err))
	}
	if err := shrooms.ValidHandle(f.orgHandle); err != nil {
		return fmt.Errorf("--org-handle: %s", shrooms.ErrorMessage(err))
	}
	modules, err := shrooms.ParseModules(f.modules)
	if err != nil {
		return fmt.Errorf("--modules: %s", shrooms.ErrorMessage(err))
	}
	if _, err := shrooms.ParseSignupMode(f.signupMode); err != nil {
		return fmt.Errorf("--signup-mode: must be open, invite or closed")
	}
	admin := &shrooms.User{Username: f.adminUser, Email: f.adminEmail, Name: f.adminUser, Role: shrooms.RoleAdmin}
	if err := admin.Validate(f.adminPasswd); err != nil {
		return adminFlagError(err)
	}
	listen, private := listenFor(iris, f.listen)
	cfgFile := filepath.Join(f.dataDir, configFileName)
	dbFile := filepath.Join(f.dataDir, "shrooms.db")
	for _, p := range []string{cfgFile, dbFile} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s already holds a node (%s exists); refusing to overwrite it", f.dataDir, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(f.dataDir, 0o750); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			for _, p := range []string{dbFile, dbFile + "-wal", dbFile + "-shm", cfgFile} {
				os.Remove(p)
			}
		}
	}()
	db, err := store.Open(dbFile, store.Options{PublicURL: iris.Base})
	if err != nil {
		return err
	}
	_, err = store.NewNodeService(db).InitNode(ctx, shrooms.NodeInit{
		Node:    shrooms.Node{PublicURL: iris.Base, OrgHandle: f.orgHandle, Name: f.orgName, Modules: modules},
		OrgName: f.orgName, Admin: admin, AdminPassword: f.adminPasswd,
	})
	if err == nil {
		err = f.applySettings(ctx, store.NewSettingsService(db))
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = writeInitConfig(cfgFile, iris.Base, listen, f.orgHandle, f.orgName, private); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created node %s in %s\n", iris.Base, f.dataDir)
	fmt.Fprintf(stdout, "  organisation: acct:%s@%s\n  admin:        %s\n  listen:       %s\n  config:       %s\n",
		f.orgHandle, iris.Host(), admin.Username, listen, cfgFile)
	if private {
		fmt.Fprintln(stdout, "  federation.allow_private_addresses is on: the public URL is a local address.")
	}
	fmt.Fprintf(stdout, "Start it with: shroomsd serve --data-dir %s\n", f.dataDir)
	return nil
}

// applySettings stores what the setup wizard would: the description,
// postal address and sign-up mode.
func (f *initFlags) applySettings(ctx context.Context, settings *store.SettingsService) error {
	ctx = shrooms.NewSystemContext(ctx)
	s, err := settings.FindSettings(ctx)
	if err != nil {
		return err
	}
	mode, err := shrooms.ParseSignupMode(f.signupMode)
	if err != nil {
		return fmt.Errorf("--signup-mode: must be open, invite or closed")
	}
	s.Description, s.PostalAddress, s.SignupMode = f.description, strings.ReplaceAll(f.postalAddress, `\n`, "\n"), mode
	if err := settings.UpdateSettings(ctx, s); err != nil {
		return fmt.Errorf("init: %s", shrooms.ErrorMessage(err))
	}
	return nil
}

// listenFor picks the listen address: the flag, else the public URL's port
// on loopback when the URL is a local one, else the default. private
// reports a public URL on a loopback or private address, which can only
// federate with allow_private_addresses.
func listenFor(iris shrooms.IRIs, flagValue string) (listen string, private bool) {
	u, _ := url.Parse(iris.Base)
	host, port := u.Hostname(), u.Port()
	ip := net.ParseIP(host)
	private = host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsPrivate()))
	switch {
	case flagValue != "":
		return flagValue, private
	case private && port != "":
		return "127.0.0.1:" + port, private
	}
	return "127.0.0.1:8080", private
}

func writeInitConfig(path, publicURL, listen, handle, name string, private bool) error {
	q := strconv.Quote
	body := fmt.Sprintf(`# SHROOMS node configuration, written by 'shroomsd init' on %s.
# config.example.yaml documents every key; SHROOMS_<KEY> variables override them.
public_url: %s
listen: %s
org:
  handle: %s
  name: %s
federation:
  allow_private_addresses: %t
`, time.Now().Format("2006-01-02"), q(publicURL), q(listen), q(handle), q(name), private)
	return os.WriteFile(path, []byte(body), 0o600)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// adminFlagError names the --admin-* flag behind an error of
// User.Validate by the field the error concerns: the username is
// --admin-user.
func adminFlagError(err error) error {
	field := shrooms.ErrorField(err)
	msg := strings.TrimPrefix(shrooms.ErrorMessage(err), field+": ")
	switch field {
	case "":
		return fmt.Errorf("--admin: %s", msg)
	case "username":
		field = "user"
	}
	return fmt.Errorf("--admin-%s: %s", field, msg)
}
