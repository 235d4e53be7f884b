package templates

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestBuiltinIDs(t *testing.T) {
	want := []string{
		"manual", "webhook", "cron-timer",
		"script", "http-request", "database-handler",
		"exclusive-gateway", "parallel-gateway", "inclusive-gateway",
		"approval", "delay", "subprocess", "external-task", "milestone", "end",
	}
	r := Builtin()
	if got := r.IDs(); !slices.Equal(got, want) {
		t.Fatalf("IDs() = %v, want %v", got, want)
	}
	if r.Len() != 15 {
		t.Fatalf("Len() = %d, want 15", r.Len())
	}
	for _, id := range want {
		tm, ok := r.Get(id)
		if !ok {
			t.Fatalf("Get(%q) not found", id)
		}
		if got := tm.Spec().ID; got != id {
			t.Errorf("Get(%q).Spec().ID = %q", id, got)
		}
	}
	if _, ok := r.Get("nope"); ok {
		t.Error(`Get("nope") found a template`)
	}
}

func TestBuiltinSpecsWellFormed(t *testing.T) {
	kinds := []Kind{KindTrigger, KindAction, KindFlow, KindWait, KindEnd}
	types := []ParamType{TypeString, TypeText, TypeNumber, TypeBoolean, TypeSelect, TypeCode,
		TypeExpression, TypeUsers, TypeGroups, TypeKeyValue, TypeJSON, TypeArray, TypeForm,
		TypeDuration, TypeCron}
	waiting := map[string]bool{"approval": true, "delay": true, "subprocess": true, "external-task": true}
	for _, s := range Builtin().Specs() {
		t.Run(s.ID, func(t *testing.T) {
			if !slices.Contains(kinds, s.Kind) {
				t.Errorf("unknown kind %q", s.Kind)
			}
			if s.Label.Zh == "" || s.Label.En == "" || s.Description.Zh == "" || s.Description.En == "" {
				t.Errorf("missing label or description: %+v %+v", s.Label, s.Description)
			}
			if s.Icon == "" {
				t.Error("missing icon")
			}
			if s.Waits != waiting[s.ID] {
				t.Errorf("Waits = %v, want %v", s.Waits, waiting[s.ID])
			}
			if s.Waits != (s.Kind == KindWait) {
				t.Errorf("Waits = %v for kind %q", s.Waits, s.Kind)
			}
			if s.Parameters == nil {
				t.Error("Parameters is nil (would serialize as null)")
			}
			keys := map[string]bool{}
			for _, p := range s.Parameters {
				if p.Key == "" || keys[p.Key] {
					t.Errorf("empty or duplicate key %q", p.Key)
				}
				keys[p.Key] = true
				if p.Label.Zh == "" || p.Label.En == "" {
					t.Errorf("%s: missing label %+v", p.Key, p.Label)
				}
				if p.Description.Zh == "" || p.Description.En == "" {
					t.Errorf("%s: missing description %+v", p.Key, p.Description)
				}
				if !slices.Contains(types, p.Type) {
					t.Errorf("%s: unknown type %q", p.Key, p.Type)
				}
				if p.Type == TypeSelect {
					if len(p.Options) == 0 {
						t.Errorf("%s: select without options", p.Key)
					}
					def, ok := p.Default.(string)
					if !ok || !slices.ContainsFunc(p.Options, func(o Option) bool { return o.Value == def }) {
						t.Errorf("%s: default %v not among options", p.Key, p.Default)
					}
					for _, o := range p.Options {
						if o.Value == "" || o.Label.Zh == "" || o.Label.En == "" {
							t.Errorf("%s: bad option %+v", p.Key, o)
						}
					}
				} else if len(p.Options) > 0 {
					t.Errorf("%s: options on a %s parameter", p.Key, p.Type)
				}
				if p.Required && p.Default != nil {
					t.Errorf("%s: required with a default", p.Key)
				}
				// Every default must itself pass the template's check.
				if p.Default != nil {
					for _, pr := range checkParam(p, p.Default) {
						t.Errorf("%s: default %v: %s", p.Key, p.Default, pr)
					}
				}
			}
		})
	}
}

func TestSpecsJSON(t *testing.T) {
	b, err := json.Marshal(Builtin().Specs())
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 15 {
		t.Fatalf("%d specs", len(got))
	}
	for _, s := range got {
		for _, k := range []string{"id", "kind", "label", "description", "icon", "waits", "parameters"} {
			if _, ok := s[k]; !ok {
				t.Errorf("%v: missing %q", s["id"], k)
			}
		}
		if _, ok := s["parameters"].([]any); !ok {
			t.Errorf("%v: parameters = %#v, want an array", s["id"], s["parameters"])
		}
	}

	script := got[3]
	if script["id"] != "script" || script["kind"] != "action" {
		t.Fatalf("got[3] = %v", script)
	}
	label, _ := script["label"].(map[string]any)
	if label["zh"] != "脚本" || label["en"] != "Script" {
		t.Errorf("script label = %v", script["label"])
	}
	params, _ := script["parameters"].([]any)
	if len(params) != 1 {
		t.Fatalf("script parameters = %v", params)
	}
	code, _ := params[0].(map[string]any)
	if code["key"] != "code" || code["type"] != "code" || code["required"] != true {
		t.Errorf("script code param = %v", code)
	}
	if _, ok := code["default"]; ok {
		t.Errorf("unset default serialized: %v", code)
	}

	// Round-trip back into Spec values.
	var specs []Spec
	if err := json.Unmarshal(b, &specs); err != nil {
		t.Fatal(err)
	}
	for i, s := range Builtin().Specs() {
		if specs[i].ID != s.ID || specs[i].Label != s.Label || len(specs[i].Parameters) != len(s.Parameters) {
			t.Errorf("round trip of %s: %+v", s.ID, specs[i])
		}
	}
	if !strings.Contains(string(b), `"label":{"zh":"脚本","en":"Script"}`) {
		t.Error("script label not serialized as {zh, en}")
	}
}

func TestSpecsAreCopies(t *testing.T) {
	r := Builtin()
	s := r.Specs()
	s[0].ID = "changed"
	s[9].Parameters[0].Key = "changed"
	s[9].Parameters[7].Default.([]any)[0] = "changed"
	again := r.Specs()
	if again[0].ID != "manual" || again[9].Parameters[0].Key != "assignees" ||
		again[9].Parameters[7].Default.([]any)[0] != "approve" {
		t.Error("Specs() result shares state with the registry")
	}
}

type fakeTemplate struct{ id string }

func (f fakeTemplate) Spec() Spec                     { return Spec{ID: f.id, Parameters: []Param{}} }
func (f fakeTemplate) Check(map[string]any) []Problem { return nil }

func TestNewRegistryPanics(t *testing.T) {
	tests := []struct {
		name string
		ts   []Template
	}{
		{"duplicate", []Template{fakeTemplate{"a"}, fakeTemplate{"b"}, fakeTemplate{"a"}}},
		{"duplicate builtin", []Template{Script{}, Script{}}},
		{"empty id", []Template{fakeTemplate{""}}},
		{"nil", []Template{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			NewRegistry(tt.ts...)
		})
	}
	r := NewRegistry(fakeTemplate{"b"}, fakeTemplate{"a"})
	if got := r.IDs(); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("IDs() = %v", got)
	}
}

func TestRegistryConcurrent(t *testing.T) {
	r := Builtin()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, s := range r.Specs() {
				tm, ok := r.Get(s.ID)
				if !ok {
					t.Errorf("Get(%q) failed", s.ID)
					return
				}
				tm.Check(WithDefaults(s, nil))
			}
		}()
	}
	wg.Wait()
}

func TestWithDefaultsAndRequired(t *testing.T) {
	spec := HTTPRequest{}.Spec()
	in := map[string]any{"method": "", "url": "https://x.test"}
	got := WithDefaults(spec, in)
	if got["method"] != "GET" || got["timeout"] != float64(30000) || got["url"] != "https://x.test" {
		t.Errorf("WithDefaults = %v", got)
	}
	if in["method"] != "" {
		t.Error("WithDefaults modified its input")
	}
	if _, ok := got["headers"]; ok {
		t.Error("WithDefaults set a parameter without default")
	}
	probs := CheckRequired(spec, map[string]any{"url": "  "})
	if len(probs) != 1 || probs[0].Field != "url" {
		t.Errorf("CheckRequired = %v", probs)
	}
	if probs := CheckRequired(spec, got); probs != nil {
		t.Errorf("CheckRequired = %v", probs)
	}
}
