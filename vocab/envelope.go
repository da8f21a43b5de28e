package vocab

import (
	"bytes"
	"encoding/json"

	shrooms "github.com/shrooms-org/shrooms"
)

// Envelope is the cheap, streams-free view of an incoming activity that the
// inbox checks before storing it. The inbox must answer fast, and typing an
// activity with go-fed streams in the request path costs about two thirds of
// its throughput (see FEDERATION-NOTES.md); the full parse (ParseActivity)
// happens later, from the stored row.
type Envelope struct {
	ID   string
	Type string
	// Actor is the actor IRI, or the id of an embedded actor object.
	Actor string
	// ObjectID is the object IRI, or the id of the embedded object.
	ObjectID string
	// ObjectEmbedded is true when the object was a JSON object, not a bare IRI.
	ObjectEmbedded bool
	// ObjectType is the type of the embedded object ("" for a bare IRI).
	ObjectType string
	// HasContext reports whether the document has a non-empty @context.
	HasContext bool
}

// envelopeJSON is the part of an activity the envelope decodes; the rest of
// the document is skipped by the decoder without being built.
type envelopeJSON struct {
	Context json.RawMessage `json:"@context"`
	ID      json.RawMessage `json:"id"`
	Type    json.RawMessage `json:"type"`
	Actor   json.RawMessage `json:"actor"`
	Object  json.RawMessage `json:"object"`
}

// refJSON is an embedded actor or object, of which only id and type matter.
type refJSON struct {
	ID   json.RawMessage `json:"id"`
	Type json.RawMessage `json:"type"`
}

// ParseEnvelope checks that raw nests at most maxDepth levels of arrays and
// objects (a non-positive maxDepth means DefaultMaxDepth), then decodes the
// envelope with encoding/json. The depth is checked by a byte scan before
// any decoding, so hostile deep input costs one pass and no recursion. It
// returns EINVALID for too deep or invalid JSON, a top level that is not an
// object, and a missing id, type or actor. A missing @context is reported in
// HasContext, not as an error.
func ParseEnvelope(raw []byte, maxDepth int) (*Envelope, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	if err := checkDepth(raw, maxDepth); err != nil {
		return nil, err
	}
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(raw) {
			return nil, shrooms.Errorf(shrooms.EINVALID, "invalid JSON").Keyed("federation.error.json")
		}
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity must be a JSON object").Keyed("federation.error.json_object", "What", "activity")
	}
	var ej envelopeJSON
	if err := json.Unmarshal(raw, &ej); err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "invalid JSON").Keyed("federation.error.json")
	}
	env := &Envelope{HasContext: rawPresent(ej.Context)}
	if firstByte(ej.ID) == '"' {
		_ = json.Unmarshal(ej.ID, &env.ID)
	}
	env.Type = rawTypeOf(ej.Type)
	env.Actor, _ = rawRef(ej.Actor)
	var objType json.RawMessage
	env.ObjectID, objType = rawRef(ej.Object)
	env.ObjectEmbedded = objType != nil || firstByte(ej.Object) == '{'
	env.ObjectType = rawTypeOf(objType)
	switch {
	case env.ID == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no id").Keyed("federation.error.no_id", "What", "activity")
	case env.Type == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no type").Keyed("federation.error.no_type", "What", "activity")
	case env.Actor == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no actor").Keyed("federation.error.activity_no_actor")
	}
	return env, nil
}

// checkDepth refuses raw when its arrays and objects nest deeper than limit.
// It counts brackets outside strings, honouring escapes; whether the JSON is
// otherwise valid is left to the decoder that runs next.
func checkDepth(raw []byte, limit int) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range raw {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > limit {
				return shrooms.Errorf(shrooms.EINVALID, "JSON nested too deeply").Keyed("federation.error.json_deep")
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// firstByte returns the first non-space byte of raw, or 0.
func firstByte(raw []byte) byte {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) > 0 {
		return t[0]
	}
	return 0
}

// rawPresent reports whether a raw value is there and not null, "" or empty.
func rawPresent(raw json.RawMessage) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "", "null", `""`, "[]", "{}":
		return false
	}
	return true
}

// rawRef returns the IRI a raw value stands for (a string, the id of an
// object, or the first element of an array) and, for an object, its raw
// type.
func rawRef(raw json.RawMessage) (id string, typ json.RawMessage) {
	switch firstByte(raw) {
	case '"':
		_ = json.Unmarshal(raw, &id)
		return id, nil
	case '{':
		var r refJSON
		if json.Unmarshal(raw, &r) != nil {
			return "", nil
		}
		id, _ = rawRef(r.ID)
		if r.Type == nil {
			r.Type = json.RawMessage(`""`)
		}
		return id, r.Type
	case '[':
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			return "", nil
		}
		if firstByte(arr[0]) == '[' {
			return "", nil // one level of array only
		}
		return rawRef(arr[0])
	}
	return "", nil
}

// rawTypeOf returns a raw type: the string, or the first string of an array.
func rawTypeOf(raw json.RawMessage) string {
	switch firstByte(raw) {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case '[':
		var arr []any
		if json.Unmarshal(raw, &arr) == nil {
			return rawType(arr)
		}
	}
	return ""
}
