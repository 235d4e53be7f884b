package engine

import (
	"encoding/json"
	"errors"
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
	})
}
