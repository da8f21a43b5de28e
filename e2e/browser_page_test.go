package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The browser's actions on pages, as a person does them: open, press,
// type, wait for what shows. Each fails the test, with a screenshot, when
// the page does not let it happen in time.

// waiting returns a context for one wait.
func (b *browser) waiting() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, waitTimeout)
}

// open loads a path of the node (or an absolute URL) and waits for the
// page; it returns the final response, after redirects.
func (b *browser) open(path string) *network.Response {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.n.url() + path
	}
	ctx, cancel := b.waiting()
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		b.fatal(fmt.Errorf("open %s: %w", u, err))
	}
	b.checkConsole()
	return res
}

// submit presses a button (or follows a link) that loads a new page, and
// waits for that page. On a phone it taps, as a thumb does.
func (b *browser) submit(sel string) *network.Response {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, b.press(sel))
	if err != nil {
		b.fatal(fmt.Errorf("submit %s: %w", sel, err))
	}
	b.checkConsole()
	return res
}

// click presses something that does not leave the page (a menu toggle).
func (b *browser) click(sel string) {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	if err := chromedp.Do(ctx, b.press(sel)); err != nil {
		b.fatal(fmt.Errorf("click %s: %w", sel, err))
	}
}

func (b *browser) press(sel string) chromedp.Action[chromedp.Void] {
	if b.vp.Mobile {
		return chromedp.Tap(chromedp.CSS(sel))
	}
	return chromedp.Click(chromedp.CSS(sel))
}

// fill types a value into the input, textarea or select with that id,
// replacing what was there.
func (b *browser) fill(id, value string) {
	b.t.Helper()
	sel := chromedp.ID(id)
	ctx, cancel := b.waiting()
	defer cancel()
	// Empty the field (a select takes the value), as a person selecting
	// the old text before typing would.
	tag, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const el = document.getElementById(%s);
		if (!el) return "";
		el.value = el.tagName === "SELECT" ? %s : "";
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return el.tagName;
	})()`, jsString(id), jsString(value))))
	if err != nil || tag == "" {
		b.fatal(fmt.Errorf("no field #%s (%v)", id, err))
	}
	if tag != "SELECT" {
		if err := chromedp.Do(ctx, chromedp.SendKeys(sel, value)); err != nil {
			b.fatal(fmt.Errorf("fill #%s: %w", id, err))
		}
	}
	if got := b.value(id); got != value {
		b.fatal(fmt.Errorf("#%s holds %q after typing %q", id, got, value))
	}
}

// value reads the value of the field with that id.
func (b *browser) value(id string) string {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		b.fatal(fmt.Errorf("read #%s: %w", id, err))
	}
	return v
}

// upload puts files into a file input.
func (b *browser) upload(id string, files ...string) {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID(id), files)); err != nil {
		b.fatal(fmt.Errorf("upload into #%s: %w", id, err))
	}
}

// waitVisible waits until an element matching the CSS selector shows.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.fatal(fmt.Errorf("waiting for %s to show: %w", sel, err))
	}
}

// waitPresent waits until an element matching the CSS selector is in the
// page, shown or not (a link in a collapsed menu).
func (b *browser) waitPresent(sel string) {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(sel))); err != nil {
		b.fatal(fmt.Errorf("waiting for %s: %w", sel, err))
	}
}

// has reports whether an element matches the CSS selector now.
func (b *browser) has(sel string) bool {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel))) == "true"
}

// waitText waits until the page's visible text contains s.
func (b *browser) waitText(s string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf(`document.body !== null && document.body.innerText.includes(%s)`, jsString(s)), "the text "+s)
}

// waitJS waits until a JavaScript condition holds in the page. It asks
// again while a page loads, when the condition cannot run.
func (b *browser) waitJS(cond, what string) {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	var last error
	for tick := time.NewTicker(25 * time.Millisecond); ; {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			tick.Stop()
			return
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			b.fatal(fmt.Errorf("waiting for %s: %w (last error: %v)", what, ctx.Err(), last))
		case <-tick.C:
		}
	}
}

// eval runs a JavaScript expression and returns its result as JSON.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		b.fatal(fmt.Errorf("evaluate %s: %w", expr, err))
	}
	return string(raw)
}

// evalString runs a JavaScript expression whose value is a string ("" for
// null or undefined).
func (b *browser) evalString(expr string) string {
	b.t.Helper()
	var s *string
	if err := json.Unmarshal([]byte(b.eval(expr)), &s); err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

// text returns the visible text of the page.
func (b *browser) text() string {
	b.t.Helper()
	return b.evalString(`document.body.innerText`)
}

// location returns the current URL ("" when it cannot be read).
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return ""
	}
	return u
}

// path returns the current URL's path and query.
func (b *browser) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
