package e2e

import (
	"encoding/json"
)

// contrastJS lists the visible texts of the page whose colour contrast is
// below WCAG AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
// The background is the first opaque one among the element's ancestors,
// with the translucent ones above it blended in; disabled controls are
// exempt, as WCAG says.
const contrastJS = `(() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    seen.add(el);
    if (el.closest("[disabled], .disabled, [aria-disabled=true]")) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility !== "visible" || Number(s.opacity) === 0) continue;
    if (el.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)")) continue;
    const bg = background(el);
    const fg = over(parse(s.color), bg);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) {
      const rgb = (c) => "rgb(" + [c.r, c.g, c.b].map(Math.round).join(",") + ")";
      out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : "") +
        " " + JSON.stringify(n.textContent.trim().slice(0, 40)) + ": " + ratio.toFixed(2) + ":1 (" + rgb(fg) + " on " + rgb(bg) + ")");
    }
  }
  return out;
})()`

// checkContrast fails the test for every text of the page that does not
// meet WCAG AA contrast.
func (b *browser) checkContrast(page string) {
	b.t.Helper()
	var problems []string
	if err := json.Unmarshal([]byte(b.eval(contrastJS)), &problems); err != nil {
		b.t.Fatal(err)
	}
	for _, p := range problems {
		b.t.Errorf("%s %s: low contrast: %s", b.vp.Name, page, p)
	}
}

// overflowJS lists what sticks out of the viewport sideways (a page that
// scrolls sideways on a phone): the elements whose right edge passes the
// viewport's width, outermost first.
const overflowJS = `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1)) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
        " reaches " + Math.round(r.right) + "px");
    }
  }
  return out.length ? out : ["the page is " + document.documentElement.scrollWidth + "px wide"];
})()`

// checkOverflow fails the test when the page is wider than the screen.
func (b *browser) checkOverflow(page string) {
	b.t.Helper()
	var problems []string
	if err := json.Unmarshal([]byte(b.eval(overflowJS)), &problems); err != nil {
		b.t.Fatal(err)
	}
	for _, p := range problems {
		b.t.Errorf("%s %s: wider than the screen: %s", b.vp.Name, page, p)
	}
}
