package vocab_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/shrooms-org/shrooms/vocab"
)

// fuzzDepth is the nesting limit the fuzz target parses with: small, so
// that the fuzzer reaches it.
const fuzzDepth = 8

// FuzzParseEnvelope feeds the inbox's first parse of a request body with
// arbitrary bytes (seeds in testdata/fuzz/FuzzParseEnvelope). It must
// never panic, never accept what is not a JSON object nested within the
// limit, and every envelope it accepts has an id, a type and an actor.
//
//	go test -run '^$' -fuzz '^FuzzParseEnvelope$' -fuzztime 10s ./vocab/
func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Follow","actor":"https://a.example/u","object":"https://b.example/o"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, err := vocab.ParseEnvelope(raw, fuzzDepth)
		again, err2 := vocab.ParseEnvelope(raw, fuzzDepth)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(env, again) {
			t.Fatalf("two parses differ: %+v %v / %+v %v", env, err, again, err2)
		}
		if err != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		if b := bytes.TrimLeft(raw, " \t\r\n"); len(b) == 0 || b[0] != '{' {
			t.Fatalf("accepted a top level that is not an object: %q", raw)
		}
		if d := jsonDepth(t, raw); d > fuzzDepth {
			t.Fatalf("accepted depth %d over the limit %d: %q", d, fuzzDepth, raw)
		}
		if env.ID == "" || env.Type == "" || env.Actor == "" {
			t.Fatalf("accepted an envelope without id, type or actor: %+v", env)
		}
		if env.ObjectType != "" && !env.ObjectEmbedded {
			t.Fatalf("an object type without an embedded object: %+v", env)
		}
	})
}

// jsonDepth measures the nesting of valid JSON with the decoder's tokens,
// independently of the byte scan under test.
func jsonDepth(t *testing.T, raw []byte) int {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // 1e999 is valid JSON, not a float64
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest
		}
		if err != nil {
			t.Fatalf("tokens of valid JSON: %v", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}
