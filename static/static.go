// Package static holds the node's embedded assets: HTML and mail
// templates, message catalogs, stylesheets, scripts and the vendored
// front-end packages (static/vendor.sh pins their versions). Everything
// ships inside the binary.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
)

// FS holds every asset. Templates are embedded with "all:" because the
// partials are named _*.html.
//
//go:embed all:templates mail i18n css img js vendor
var FS embed.FS

// hashes maps an asset path (as under /static/) to the first hex digits of
// its SHA-256, computed once.
var hashes = func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return out
}()

// URL returns the address of an asset with its content hash, so that
// browsers may keep it forever and still get a new version with a new
// binary: URL("css/shrooms.css") is "/static/css/shrooms.css?v=0123abcd4567".
// It panics for an asset that does not exist, which the template tests
// catch.
func URL(path string) string {
	path = strings.TrimPrefix(path, "/")
	h, ok := hashes[path]
	if !ok {
		panic("static: no asset " + path)
	}
	return "/static/" + path + "?v=" + h
}

// Hash returns an asset's content hash and whether it exists.
func Hash(path string) (string, bool) {
	h, ok := hashes[path]
	return h, ok
}
