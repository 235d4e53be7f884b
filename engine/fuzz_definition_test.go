package engine

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// FuzzDecodeDefinition feeds arbitrary bytes through what a definition sent to
// POST /api/process goes through: strict JSON decoding, Normalize and Validate
// with the real template registry and script compiler. None of it may panic; a
// hang shows as the fuzz run's -timeout. A definition that passes must also
// survive being stored: encoded and decoded again it is still valid.
//
// Seeds: testdata/fuzz/FuzzDecodeDefinition (the examples and variants of them).
// Run: go test -run '^$' -fuzz '^FuzzDecodeDefinition$' -fuzztime 30s ./engine/
func FuzzDecodeDefinition(f *testing.F) {
	reg := templates.Builtin()
	v := NewValidator(reg, scripting.New(scripting.Options{}))
	f.Add([]byte(`{"name": "x", "tasks": [{"template": "manual", "connections": [{"to": "e"}]}, {"instId": "e", "template": "end"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Process
		if err := json.Unmarshal(data, &p); err != nil {
			return
		}
		v.Normalize(&p)
		if err := v.Validate(&p); err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("Validate: %T %v; want a *ValidationError listing problems", err, err)
			}
			return
		}
		// Stored and read back (the store keeps the definition as JSON).
		b, err := json.Marshal(&p)
		if err != nil {
			t.Fatalf("a valid definition does not encode: %v", err)
		}
		var back Process
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("a valid definition does not decode after encoding: %v\n%s", err, b)
		}
		v.Normalize(&back)
		if err := v.Validate(&back); err != nil {
			t.Fatalf("a valid definition is invalid after encoding and decoding: %v\n%s", err, b)
		}
		// And it can run: the engine compiles it at the first start.
		if _, err := compile(&back, reg); err != nil {
			t.Fatalf("a valid definition does not compile: %v\n%s", err, b)
		}
	})
}

// TestValidateInputSchema: an inputDataSchema that does not compile, or that
// refers to another document (a local file, a URL), is refused when the
// definition is saved; before, it was saved and every start answered 500, and a
// $ref to a file made the server read it.
func TestValidateInputSchema(t *testing.T) {
	v := NewValidator(templates.Builtin(), scripting.New(scripting.Options{}))
	def := func(schema string) *Process {
		var p Process
		if err := json.Unmarshal([]byte(`{"name": "s", "inputDataSchema": `+schema+`, "tasks": [
			{"instId": "task-start001", "template": "manual", "connections": [{"to": "task-end00001"}]},
			{"instId": "task-end00001", "template": "end"}]}`), &p); err != nil {
			t.Fatal(err)
		}
		v.Normalize(&p)
		return &p
	}
	for _, bad := range []string{`{"type": 5}`, `{"pattern": "("}`, `{"$ref": "file:///etc/hostname"}`, `{"$ref": "other.json"}`,
		`{"properties": {"a": {"$ref": "https://example.com/a.json"}}}`} {
		err := v.Validate(def(bad))
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "inputDataSchema" {
			t.Errorf("inputDataSchema %s: %v, want one problem on inputDataSchema", bad, err)
			continue
		}
		if msg := ve.Problems[0].Message; strings.Contains(msg, "\n") || strings.Contains(msg, "flowcraft.invalid") {
			t.Errorf("inputDataSchema %s: message %q", bad, msg)
		}
	}
	for _, good := range []string{`{}`, `{"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"type": "string"}}}`,
		`{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}`} {
		p := def(good)
		if err := v.Validate(p); err != nil {
			t.Errorf("inputDataSchema %s: %v", good, err)
		}
		if _, err := compile(p, v.templates); err != nil {
			t.Errorf("inputDataSchema %s does not compile: %v", good, err)
		}
	}
}
