// Package static holds the node's embedded assets: HTML templates and
// stylesheets. Everything ships inside the binary.
package static

import "embed"

// FS holds templates/*.html and css/*.css.
//
//go:embed templates/*.html css/*.css
var FS embed.FS
