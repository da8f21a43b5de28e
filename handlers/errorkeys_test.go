package handlers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// errorKeyShape is what an error key looks like: dotted identifiers such
// as "places.error.parent_unknown", never a sentence.
var errorKeyShape = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_-]+)+$`)

// errorKeysInSources returns every key the module's Go sources (tests
// excepted) give a shrooms.Error, by the first argument of each call to
// Keyed, with where it is. An argument that is not a string literal is
// reported as an error: the keys must be readable here.
func errorKeysInSources(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != ".." || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Keyed" || len(call.Args) == 0 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: Keyed takes its key as a string literal", fset.Position(call.Pos()))
				return true
			}
			k, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			keys[k] = fset.Position(lit.Pos()).String()
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestErrorKeysInCatalogs fails when a service can return an error whose
// key has no entry in every catalog, or whose key is a sentence.
func TestErrorKeysInCatalogs(t *testing.T) {
	keys := errorKeysInSources(t)
	if len(keys) == 0 {
		t.Fatal("found no error keys: is the source walk broken?")
	}
	cat := catalogKeys(t)
	for k, at := range keys {
		if !errorKeyShape.MatchString(k) {
			t.Errorf("%s: error key %q is not an identifier", at, k)
		}
		for _, lang := range shrooms.Languages {
			if !cat[lang][k] {
				t.Errorf("%s: error key %q has no entry in the %s catalog", at, k, lang)
			}
		}
	}
}

// TestCatalogKeysAreIdentifiers fails when a catalog key is a sentence:
// errors are translated by their key, never by their English text.
func TestCatalogKeysAreIdentifiers(t *testing.T) {
	for lang, keys := range catalogKeys(t) {
		for k := range keys {
			if !errorKeyShape.MatchString(k) {
				t.Errorf("%s catalog: key %q is not an identifier", lang, k)
			}
		}
	}
}
