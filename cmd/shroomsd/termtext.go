package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Text from other nodes (actor handles and names, addresses, errors that
// quote them) reaches the admin's terminal through the CLI. A terminal
// acts on control characters: ESC and C1 sequences move the cursor, clear
// the screen, set the window title or hide text; CR and LF forge lines in
// a table; bidi controls reorder what is shown. termText is the one
// sanitiser every remote string goes through before it is printed, and
// termWriter applies the same rule to everything the admin commands write,
// in case a remote string reaches the output some other way.

// termText returns s fit to print as one field on a terminal: C0 controls,
// DEL, C1 controls and bidi controls are dropped, except tab, CR and LF,
// a run of which becomes one space so that words stay apart but no line or cell is
// forged; bytes that are not UTF-8 become U+FFFD (a raw 0x9B is CSI to an
// 8-bit terminal).
func termText(s string) string {
	if isTermSafe(s, false) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	gap := false          // a run of tabs and line breaks gives one space
	for _, r := range s { // invalid bytes come as utf8.RuneError
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			if !gap {
				b.WriteByte(' ')
			}
			gap = true
			continue
		case isTermControl(r):
			continue
		default:
			b.WriteRune(r)
		}
		gap = false
	}
	return b.String()
}

// isTermControl reports whether a terminal may act on r: every C0 control,
// DEL, every C1 control, and the bidi embeddings, overrides, isolates and
// marks.
func isTermControl(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// isTermSafe reports whether s is valid UTF-8 without terminal controls;
// with lines, newline and tab are allowed.
func isTermSafe(s string, lines bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if isTermControl(r) && !(lines && (r == '\n' || r == '\t')) {
			return false
		}
	}
	return true
}

// termWriter writes through to w what its callers write, less the terminal
// controls: newline and tab (the CLI's own lines and table cells) stay,
// other controls are dropped and bytes that are not UTF-8 become U+FFFD.
// Each Write is cleaned on its own; the CLI writes whole lines and cells,
// so a character is not split between two writes.
type termWriter struct{ w io.Writer }

// Write cleans p and writes it; it reports len(p) when all went through.
func (t termWriter) Write(p []byte) (int, error) {
	s := string(p)
	if !isTermSafe(s, true) {
		var b strings.Builder
		for _, r := range s {
			if r == '\n' || r == '\t' || !isTermControl(r) {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	if _, err := io.WriteString(t.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
