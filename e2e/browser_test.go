package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's Chromium, headless, through the DevTools
// protocol. Without a browser they skip, unless SHROOMS_BROWSER_TESTS is
// "require" (as in CI), when a missing browser fails them.
const (
	browserTestsEnv = "SHROOMS_BROWSER_TESTS"
	browserPathEnv  = "SHROOMS_CHROMIUM"
	artifactsEnv    = "SHROOMS_ARTIFACTS"
	// browserTimeout bounds one browser test, browser start included.
	browserTimeout = 60 * time.Second
	// waitTimeout bounds one wait for a page, a selector or a text.
	waitTimeout = 15 * time.Second
)

// viewport is the screen a browser test runs on.
type viewport struct {
	Name          string // prefix of the screenshots: desktop, phone
	Width, Height int64
	Scale         float64
	Mobile        bool // mobile emulation with touch
}

var (
	desktop = viewport{Name: "desktop", Width: 1280, Height: 800, Scale: 1}
	phone   = viewport{Name: "phone", Width: 390, Height: 844, Scale: 2, Mobile: true}
)

// findBrowser returns the Chromium to drive, or "" when there is none.
func findBrowser() string {
	if p := os.Getenv(browserPathEnv); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireBrowser returns the browser's path, or skips the test (fails it
// when browser tests are required).
func requireBrowser(t *testing.T) string {
	t.Helper()
	required := os.Getenv(browserTestsEnv) == "require"
	if testing.Short() && !required {
		t.Skip("browser tests skipped in -short mode")
	}
	p := findBrowser()
	if p == "" {
		msg := "no Chromium found: install it (apt-get install chromium) or set " + browserPathEnv +
			" to a Chrome or Chromium binary to run the browser tests"
		if required {
			t.Fatalf("%s is require, but %s", browserTestsEnv, msg)
		}
		t.Skip(msg)
	}
	return p
}

// artifactsDir is where a test's screenshots go: a folder named after the
// test (BrowserWalk) in $SHROOMS_ARTIFACTS, or in artifacts/screenshots at
// the repository's root.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(artifactsEnv)
	if dir == "" {
		dir = filepath.Join("..", "artifacts", "screenshots")
	}
	test, _, _ := strings.Cut(t.Name(), "/")
	dir, err := filepath.Abs(filepath.Join(dir, strings.TrimPrefix(test, "Test")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one headless Chromium with one tab, on one viewport, against
// one node. Its methods fail the test on error.
type browser struct {
	t    *testing.T
	ctx  context.Context
	n    *testNode
	vp   viewport
	dir  string
	shot int // screenshots taken, for their numbers

	mu       sync.Mutex
	problems []string // JavaScript errors and CSP violations
	notes    []string // other browser log lines, logged by checkConsole
	docs     map[string]bool
}

// newBrowser starts a fresh Chromium (its own empty profile) on the
// viewport, for pages of node n. It is closed when the test ends.
func newBrowser(t *testing.T, n *testNode, vp viewport) *browser {
	t.Helper()
	path := requireBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		// Without these, Chromium calls home, and the closed network
		// refuses it.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.WindowSize(int(vp.Width), int(vp.Height)),
		chromedp.UserDataDir(t.TempDir()),
	)
	base, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	b := &browser{t: t, ctx: ctx, n: n, vp: vp, dir: artifactsDir(t), docs: map[string]bool{}}
	// The screenshots of an earlier run would mix with these.
	old, _ := filepath.Glob(filepath.Join(b.dir, vp.Name+"-*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		b.checkConsole()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser and the tab
		t.Fatalf("starting %s: %v", path, err)
	}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatal(err)
	}
	emulate := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.Scale)}
	if vp.Mobile {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	b.do(chromedp.EmulateViewport(vp.Width, vp.Height, emulate...),
		// No animations: a collapsed menu opens at once, so a click
		// never lands on something still moving.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
			if err != nil {
				return err
			}
			// A headless page never has the system's focus, so :focus
			// styles (the skip link) would not show in screenshots.
			_, err = cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			return err
		}))
	return b
}

// onEvent runs in the tab's event loop: it only records. It notes every
// document the tab loads, so that a page answering 4xx on purpose (a form
// with an error) is not taken for a broken resource.
func (b *browser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Type == network.ResourceTypeDocument {
			b.docs[ev.Request.URL] = true
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		b.problems = append(b.problems, fmt.Sprintf("JavaScript exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		line := fmt.Sprintf("browser log (%s, %s) %s %s", e.Source, e.Level, e.Text, e.URL)
		switch {
		case e.Source == cdplog.EntrySourceSecurity ||
			strings.Contains(e.Text, "Content Security Policy"):
			b.problems = append(b.problems, "CSP or security: "+line)
		case e.Level != cdplog.EntryLevelError:
			b.notes = append(b.notes, line)
		case e.Source == cdplog.EntrySourceNetwork && b.docs[e.URL]:
			b.notes = append(b.notes, line) // a page's own status, checked by the test
		default:
			b.problems = append(b.problems, line)
		}
	}
}

// checkConsole fails the test on any JavaScript error, CSP violation or
// broken resource the browser reported so far.
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.notes {
		b.t.Logf("%s: %s", b.vp.Name, l)
	}
	for _, p := range b.problems {
		b.t.Errorf("%s: %s", b.vp.Name, p)
	}
	b.problems, b.notes = nil, nil
}

// do runs actions in the tab.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fatal(err)
	}
}

// fatal fails the test with a screenshot of where the browser was.
func (b *browser) fatal(err error) {
	b.t.Helper()
	where := b.location()
	if b.ctx.Err() == nil {
		b.screenshot("FAILED")
	}
	b.logNodeErrors()
	b.t.Fatalf("%s at %s: %v", b.vp.Name, where, err)
}

// logNodeErrors logs the node's warnings and errors, which say why a page
// answered 500.
func (b *browser) logNodeErrors() {
	for _, l := range strings.Split(b.n.logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
			b.t.Log("node: " + l)
		}
	}
}

// screenshot saves a full-page PNG as a test artefact, named like
// BrowserWalk/desktop-03-dashboard.png, and checks the page's contrast and
// width.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.shot++
	file := filepath.Join(b.dir, fmt.Sprintf("%s-%02d-%s.png", b.vp.Name, b.shot, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot %s", file)
	if name != "FAILED" {
		b.checkContrast(name)
		b.checkOverflow(name)
	}
}
