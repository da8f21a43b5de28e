package main

import "testing"

// TestTermText pins the sanitiser itself.
func TestTermText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Repair Café":                "Repair Café",
		"a\x1b[2Jb":                  "a[2Jb",
		"a\x1b]0;title\x07b":         "a]0;titleb",
		"a\u009b31mb":                "a31mb",
		"a\u0085b":                   "ab",
		"line\r\nforged\tcell":       "line forged cell",
		"\x00\x7f":                   "",
		"bidi \u202eevil\u202c done": "bidi evil done",
		"bad \xff\x9b utf-8":         "bad \ufffd\ufffd utf-8",
	} {
		if got := termText(in); got != want {
			t.Errorf("termText(%q) = %q, want %q", in, got, want)
		}
	}
}
