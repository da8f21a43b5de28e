package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var buildOnce sync.Map // tags → *builtBinary

// TestMain runs twice as many tests at once as there are CPUs unless
// -parallel says otherwise: most of a test's time is spent waiting on
// another node's HTTP answer or on a SQLite commit. It removes the
// binaries the tests built.
func TestMain(m *testing.M) {
	flag.Parse()
	parallel := false
	flag.Visit(func(f *flag.Flag) { parallel = parallel || f.Name == "test.parallel" })
	if !parallel {
		flag.Set("test.parallel", strconv.Itoa(2*runtime.GOMAXPROCS(0)))
	}
	code := m.Run()
	buildOnce.Range(func(_, v any) bool {
		if b := v.(*builtBinary); b.path != "" {
			os.RemoveAll(filepath.Dir(b.path))
		}
		return true
	})
	os.Exit(code)
}

type builtBinary struct {
	once sync.Once
	path string
	err  error
}

// buildBinary builds shroomsd with the given build tags, once per test run.
func buildBinary(t testing.TB, tags string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	path, err := build(tags)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// build builds shroomsd with the given build tags, once per test run.
func build(tags string) (string, error) {
	v, _ := buildOnce.LoadOrStore(tags, &builtBinary{})
	b := v.(*builtBinary)
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "shroomsd-bin")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "shroomsd")
		args := []string{"build", "-o", b.path}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		out, err := exec.Command("go", append(args, "../cmd/shroomsd")...).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return b.path, b.err
}

func freePort(t testing.TB) int {
	t.Helper()
	ln := listenLoopback(t)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// process is a running shroomsd.
type process struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer
	done   chan error
	stdout *lockedWriter
}

func startProcess(t *testing.T, bin, dir string, env []string, args ...string) *process {
	t.Helper()
	p := &process{out: &bytes.Buffer{}, done: make(chan error, 1)}
	p.stdout = &lockedWriter{W: p.out}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *process) output() string {
	return p.stdout.String()
}

// waitHTTP polls url until it answers (bounded: the process may also die).
func (p *process) waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("shroomsd exited (%v):\n%s", err, p.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%s never answered:\n%s", url, p.output())
}

// stop sends SIGTERM and expects a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("shroomsd exited with %v:\n%s", err, p.output())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("shroomsd did not stop on SIGTERM:\n%s", p.output())
	}
}

// TestBinaryTwoNodesFollowEachOther is the acceptance scenario:
// two nodes from the built binary on two loopback ports, initialised with
// `shroomsd init`, follow each other with the CLI alone.
func TestBinaryTwoNodesFollowEachOther(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t, "sqlite_fts5")
	work := t.TempDir()
	type node struct {
		dir  string
		port int
		p    *process
	}
	nodes := []*node{{dir: filepath.Join(work, "a")}, {dir: filepath.Join(work, "b")}}
	for i, n := range nodes {
		n.port = freePort(t)
		out, err := exec.Command(bin, "init", "--data-dir", n.dir, "--public-url", fmt.Sprintf("http://127.0.0.1:%d", n.port),
			"--org-name", fmt.Sprintf("Workshop %d", i), "--admin-user", "admin", "--admin-email", "admin@example.org",
			"--admin-password", "correct-horse-battery").CombinedOutput()
		if err != nil {
			t.Fatalf("init: %v\n%s", err, out)
		}
		n.p = startProcess(t, bin, work, []string{"SHROOMS_FEDERATION_POLL_INTERVAL=100ms"}, "serve", "--data-dir", n.dir)
		n.p.waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", n.port))
	}
	admin := func(n *node, args ...string) string {
		out, err := exec.Command(bin, append(append([]string{"admin"}, args...), "--data-dir", n.dir)...).CombinedOutput()
		if err != nil {
			t.Fatalf("admin %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	admin(nodes[0], "follow", fmt.Sprintf("org@127.0.0.1:%d", nodes[1].port))
	admin(nodes[1], "follow", fmt.Sprintf("org@127.0.0.1:%d", nodes[0].port))

	for _, n := range nodes {
		deadline := time.Now().Add(60 * time.Second)
		for {
			following, followers := admin(n, "following"), admin(n, "followers")
			if strings.Contains(following, "accepted") && strings.Contains(followers, "accepted") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s never linked:\nfollowing:\n%s\nfollowers:\n%s\nlog:\n%s", n.dir, following, followers, n.p.output())
			}
			time.Sleep(100 * time.Millisecond)
		}
		if q := admin(n, "queue"); !strings.Contains(q, "deliveries dead:    0") || !strings.Contains(q, "inbox failed:       0") {
			t.Fatalf("queue:\n%s", q)
		}
	}
	for _, n := range nodes {
		n.p.stop(t)
	}
}

// TestBinaryDefaults: `shroomsd` with no arguments and no config runs a
// node with embedded defaults, data in ./data, public URL
// http://localhost:8080.
func TestBinaryDefaults(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t, "sqlite_fts5")
	cwd := t.TempDir()
	port := freePort(t)
	p := startProcess(t, bin, cwd, []string{fmt.Sprintf("SHROOMS_LISTEN=127.0.0.1:%d", port), "SHROOMS_DATA_DIR=", "SHROOMS_PUBLIC_URL="})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p.waitHTTP(t, base+"/healthz")
	resp, err := http.Get(base + "/.well-known/webfinger?resource=acct:org@localhost:8080")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("webfinger: %v %v\n%s", err, resp, p.output())
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(cwd, "data", "shrooms.db")); err != nil {
		t.Fatalf("no ./data/shrooms.db: %v", err)
	}
	// The start-up message is printed once the server listens; stopping
	// the process first makes sure it is all there.
	p.stop(t)
	out := p.output()
	if !strings.Contains(out, "http://localhost:8080") || !strings.Contains(out, "First start") ||
		!strings.Contains(out, "http://localhost:8080/setup?code=") {
		t.Fatalf("start-up message (with the setup address):\n%s", out)
	}
}

// TestBinaryWithoutFTS5Refuses: a binary built without the sqlite_fts5 tag
// says so at start-up instead of failing at the first search.
func TestBinaryWithoutFTS5Refuses(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--data-dir", t.TempDir())
	cmd.Env = append(os.Environ(), fmt.Sprintf("SHROOMS_LISTEN=127.0.0.1:%d", freePort(t)))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "sqlite_fts5") {
		t.Fatalf("binary without FTS5: %v\n%s", err, out)
	}
}
