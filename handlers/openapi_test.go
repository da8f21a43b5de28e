package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiRoutesOf walks the router and returns every /api/v1 route as
// "METHOD /path", with mux's variable patterns ({id:[0-9]+}) cut to the
// names OpenAPI uses ({id}).
func apiRoutesOf(t *testing.T, r *mux.Router) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if route.GetHandler() == nil { // a subrouter, not an endpoint
			return nil
		}
		tpl, err := route.GetPathTemplate()
		if err != nil || !strings.HasPrefix(tpl, "/api/v1/") {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			methods = []string{"ANY"} // a route for every method cannot be documented as one
		}
		for _, m := range methods {
			out[m+" "+normalizeTemplate(tpl)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// normalizeTemplate turns "/a/{id:[0-9]+}/{x}" into "/a/{id}/{x}",
// counting braces so that a pattern like [0-9]{2} stays inside its variable.
func normalizeTemplate(tpl string) string {
	var b strings.Builder
	depth, inPattern := 0, false
	for _, c := range tpl {
		switch {
		case c == '{':
			depth++
			if depth == 1 {
				b.WriteRune(c)
				continue
			}
		case c == '}':
			depth--
			if depth == 0 {
				inPattern = false
				b.WriteRune(c)
				continue
			}
		case c == ':' && depth == 1:
			inPattern = true
		}
		if !inPattern {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func TestNormalizeTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/me":                "/api/v1/me",
		"/api/v1/users/{id:[0-9]+}": "/api/v1/users/{id}",
		"/api/v1/follow-requests/{id:[0-9]+}/{d:a|b}": "/api/v1/follow-requests/{id}/{d}",
		"/api/v1/profiles/{username}":                 "/api/v1/profiles/{username}",
		"/api/v1/x/{code:[0-9]{2}}/y":                 "/api/v1/x/{code}/y",
	} {
		if got := normalizeTemplate(in); got != want {
			t.Errorf("normalizeTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

// openAPIOperations returns every operation of the document as
// "METHOD /path".
func openAPIOperations(t *testing.T, doc map[string]any) map[string]bool {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("the document has no paths")
	}
	out := map[string]bool{}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	return out
}

// TestOpenAPIMatchesRoutes: every /api/v1 route of the real router is in
// the document, with its method, and the document names nothing else.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, h, err := newRouter(Deps{IRIs: shrooms.IRIs{Base: "http://node.example"}, ImportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v, want 3.0.3", doc["openapi"])
	}
	routes, documented := apiRoutesOf(t, h), openAPIOperations(t, doc)
	if len(routes) < 30 {
		t.Fatalf("found only %d API routes walking the router: %v", len(routes), routes)
	}
	var missing, extra []string
	for op := range routes {
		if !documented[op] {
			missing = append(missing, op)
		}
	}
	for op := range documented {
		if !routes[op] {
			extra = append(extra, op)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	for _, op := range missing {
		t.Errorf("route %s is not in openapi.json", op)
	}
	for _, op := range extra {
		t.Errorf("openapi.json documents %s, which the router does not have", op)
	}
}

// TestOpenAPIRefsResolve: every $ref of the document points at something
// in it, and every path variable is declared as a parameter.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	refs := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					refs++
					if _, err := resolvePointer(doc, s); err != "" {
						t.Errorf("%s: $ref %q: %s", at, s, err)
					}
					continue
				}
				walk(x, at+"/"+k)
			}
		case []any:
			for _, x := range v {
				walk(x, at+"/[]")
			}
		}
	}
	walk(doc, "#")
	if refs == 0 {
		t.Fatal("no $ref found; the walk is broken")
	}

	paths := doc.(map[string]any)["paths"].(map[string]any)
	for path, item := range paths {
		for method, o := range item.(map[string]any) {
			declared := map[string]bool{}
			params, _ := o.(map[string]any)["parameters"].([]any)
			for _, p := range params {
				pm := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					x, _ := resolvePointer(doc, ref)
					pm, _ = x.(map[string]any)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, seg := range strings.Split(path, "/") {
				if name, ok := strings.CutPrefix(seg, "{"); ok && !declared[strings.TrimSuffix(name, "}")] {
					t.Errorf("%s %s: path parameter %s is not declared", method, path, seg)
				}
			}
		}
	}
}

// resolvePointer follows a local JSON pointer ("#/components/schemas/X").
func resolvePointer(doc any, ref string) (any, string) {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, "not a local reference"
	}
	cur := doc
	for _, tok := range strings.Split(p, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, "goes through a non-object"
		}
		if cur, ok = m[tok]; !ok {
			return nil, "no " + tok
		}
	}
	return cur, ""
}

// TestOpenAPIServed: the document is served as JSON at /api/openapi.json.
func TestOpenAPIServed(t *testing.T) {
	_, h, err := newRouter(Deps{IRIs: shrooms.IRIs{Base: "http://node.example"}, ImportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	var doc map[string]any
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc["paths"] == nil {
		t.Fatalf("GET /api/openapi.json: %d %s %.200s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}
