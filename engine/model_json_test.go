package engine

import (
	"encoding/json"
	"testing"
)

// TestParameterPrintsDefaultAndRequired: seed 000 prints every parameter with its
// default and required, set or not.
func TestParameterPrintsDefaultAndRequired(t *testing.T) {
	b, err := json.Marshal(Parameter{Label: "Code", Type: "string", Value: "return 1"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"label", "type", "value", "default", "required"} {
		if _, ok := got[key]; !ok {
			t.Errorf("parameter JSON %s has no %q", b, key)
		}
	}
}
