package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"flowcraft/engine"
)

// codeOf is the stable code of an engine error (the first problem's of a validation error).
func codeOf(err error) engine.Code {
	var ve *engine.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		return ve.Problems[0].Code
	}
	var e *engine.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestNewVariable: types inferred as seed 003 says, declared types checked (numbers
// may come as text, as Flowable allows), values in their canonical form.
func TestNewVariable(t *testing.T) {
	day := time.Date(2024, 1, 1, 19, 4, 5, 0, time.UTC)
	ok := []struct {
		in       engine.Variable
		typ, val string
	}{
		{engine.Variable{Value: "x"}, "string", `"x"`},
		{engine.Variable{Value: true}, "boolean", `true`},
		{engine.Variable{Value: 12.0}, "integer", `12`},
		{engine.Variable{Value: json.Number("12")}, "integer", `12`},
		{engine.Variable{Value: json.Number("1.0")}, "double", `1`},
		{engine.Variable{Value: 3e9}, "long", `3000000000`},
		{engine.Variable{Value: json.Number("9007199254740993")}, "long", `9007199254740993`},
		{engine.Variable{Value: 1.5}, "double", `1.5`},
		{engine.Variable{Value: map[string]any{"a": 1.0}}, "json", `{"a":1}`},
		{engine.Variable{Value: []any{1.0}}, "json", `[1]`},
		{engine.Variable{}, "null", `null`},
		{engine.Variable{Type: "integer", Value: "42"}, "integer", `42`},
		{engine.Variable{Type: "short", Value: 7.0}, "short", `7`},
		{engine.Variable{Type: "long", Value: json.Number("-9223372036854775808")}, "long", `-9223372036854775808`},
		{engine.Variable{Type: "double", Value: "2.5"}, "double", `2.5`},
		{engine.Variable{Type: "double", Value: 2.0}, "double", `2`},
		{engine.Variable{Type: "date", Value: "2024-01-02T03:04:05+08:00"}, "date", `"2024-01-01T19:04:05.000Z"`},
		{engine.Variable{Type: "date", Value: "2024-01-02T03:04+0800"}, "date", `"2024-01-01T19:04:00.000Z"`},
		{engine.Variable{Type: "date", Value: "2024-01-02"}, "date", `"2024-01-02T00:00:00.000Z"`},
		{engine.Variable{Value: day}, "date", `"2024-01-01T19:04:05.000Z"`},
		{engine.Variable{Type: "json", Value: "just text"}, "json", `"just text"`},
		{engine.Variable{Type: "string"}, "string", `null`},
		{engine.Variable{Type: "binary", Data: []byte("abc")}, "binary", `{"contentType":"application/octet-stream","size":3,"type":"binary"}`},
	}
	for _, tc := range ok {
		tc.in.Name = "v"
		v, err := engine.NewVariable(tc.in, 0)
		if err != nil {
			t.Errorf("%+v: %v", tc.in, err)
			continue
		}
		got, _ := v.StoredJSON()
		if v.Type != tc.typ || string(got) != tc.val {
			t.Errorf("%+v: %s %s, want %s %s", tc.in, v.Type, got, tc.typ, tc.val)
		}
	}
	bad := []struct {
		in   engine.Variable
		code engine.Code
	}{
		{engine.Variable{Type: "integer", Value: 1.5}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "integer", Value: 3e9}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "short", Value: 70000.0}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "integer", Value: "twelve"}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "integer", Value: true}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "boolean", Value: "true"}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "string", Value: 5.0}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "date", Value: "yesterday"}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "date", Value: 5.0}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "double", Value: map[string]any{}}, engine.CodeBadVariableValue},
		{engine.Variable{Type: "float", Value: 1.0}, engine.CodeOneOf},
		{engine.Variable{Type: "binary", Data: make([]byte, 11)}, engine.CodeVariableTooLarge},
	}
	for _, tc := range bad {
		tc.in.Name = "v"
		_, err := engine.NewVariable(tc.in, 10)
		if !errors.Is(err, engine.ErrInvalid) || codeOf(err) != tc.code {
			t.Errorf("%+v: %v (%s), want %s", tc.in, err, codeOf(err), tc.code)
		}
	}
	if _, err := engine.NewVariable(engine.Variable{Value: 1.0}, 0); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("a variable without a name: %v", err)
	}
}

// TestTypedVariablesOfAnInstance: typed variables given at the start, read, created
// (409 when one exists, nothing written), merged, updated, deleted and read back
// with a binary one's content; then a script changes some: a value that fits keeps
// its declared type, others are typed anew; scripts see a date as its text and a
// binary variable as a descriptor. An ended instance's variables are read-only.
func TestTypedVariablesOfAnInstance(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	ctx := context.Background()
	pid := h.deploy(def("typed",
		task_("start", "manual", "ap"),
		task_("ap", "approval", "s").p("assignees", []any{"a"}),
		script("s", `vars.days = vars.days + 1; vars.ratio = vars.days / 2; vars.seen = typeof vars.when + ' ' + vars.when;
			vars.binType = vars.file.type + ' ' + vars.file.contentType + ' ' + vars.file.size; vars.count = 1.5; vars.small = 5;`, "end"),
		task_("end", "end"),
	))
	res, err := h.rt.StartInstance(ctx, pid, nil, engine.StartOptions{By: "tester", Vars: map[string]any{"plain": "p"},
		Variables: []engine.Variable{
			{Name: "days", Type: "integer", Value: 3.0},
			{Name: "when", Type: "date", Value: "2024-01-02T03:04:05+08:00"},
			{Name: "count", Type: "long", Value: 10.0},
			{Name: "small", Type: "short", Value: 1.0},
			{Name: "file", Type: "binary", ContentType: "text/plain", Data: []byte("hello")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instance.ID
	if _, err := h.rt.StartInstance(ctx, pid, nil, engine.StartOptions{By: "tester",
		Variables: []engine.Variable{{Name: "days", Type: "integer", Value: "many"}}}); codeOf(err) != engine.CodeBadVariableValue {
		t.Errorf("a start with a bad variable: %v", err)
	}
	h.waitStatus(id, engine.StatusWaiting)

	types := func() string {
		t.Helper()
		list, err := h.rt.ListVariables(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, v := range list {
			j, _ := v.StoredJSON()
			s += fmt.Sprintf("%s:%s=%s ", v.Name, v.Type, j)
		}
		return s
	}
	want := `count:long=10 days:integer=3 file:binary={"contentType":"text/plain","size":5,"type":"binary"} plain:string="p" small:short=1 when:date="2024-01-01T19:04:05.000Z" `
	if got := types(); got != want {
		t.Errorf("variables at the start:\n%s\nwant\n%s", got, want)
	}

	// Create: one exists, so nothing is written.
	_, err = h.rt.CreateVariables(ctx, id, []engine.Variable{{Name: "fresh", Value: 1.0}, {Name: "days", Value: 9.0}})
	if !errors.Is(err, engine.ErrConflict) || codeOf(err) != engine.CodeVariableExists {
		t.Errorf("create an existing variable: %v", err)
	}
	if _, err := h.rt.GetVariable(ctx, id, "fresh"); !errors.Is(err, engine.ErrNotFound) || codeOf(err) != engine.CodeUnknownVariable {
		t.Errorf("a refused create wrote a variable: %v", err)
	}
	if out, err := h.rt.CreateVariables(ctx, id, []engine.Variable{{Name: "fresh", Value: 1.0}}); err != nil || out[0].Type != "integer" {
		t.Errorf("create: %+v %v", out, err)
	}
	// Put merges; a bad value refuses the whole request.
	if _, err := h.rt.PutVariables(ctx, id, []engine.Variable{{Name: "x", Type: "short", Value: 70000.0}}); codeOf(err) != engine.CodeBadVariableValue {
		t.Errorf("a short out of range: %v", err)
	}
	if _, err := h.rt.PutVariables(ctx, id, []engine.Variable{{Name: "x", Type: "short", Value: 7.0}, {Name: "days", Value: json.Number("4")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.rt.UpdateVariable(ctx, id, engine.Variable{Name: "missing", Value: 1.0}); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("update a missing variable: %v", err)
	}
	if v, err := h.rt.UpdateVariable(ctx, id, engine.Variable{Name: "fresh", Value: "now text"}); err != nil || v.Type != "string" {
		t.Errorf("update: %+v %v", v, err)
	}
	if err := h.rt.DeleteVariable(ctx, id, "x"); err != nil {
		t.Fatal(err)
	}
	if err := h.rt.DeleteVariable(ctx, id, "x"); !errors.Is(err, engine.ErrNotFound) || codeOf(err) != engine.CodeUnknownVariable {
		t.Errorf("delete a missing variable: %v", err)
	}
	// The native PUT merges plain values: the others stay.
	out, err := h.rt.SetVariables(ctx, id, map[string]any{"note": "hi"})
	if err != nil || out["note"] != "hi" || out["days"] != 4.0 || out["plain"] != "p" || out["when"] != "2024-01-01T19:04:05.000Z" {
		t.Errorf("merge: %v %v", out, err)
	}
	if _, err := h.rt.PutVariables(ctx, id, []engine.Variable{{Name: "big", Type: "binary", Data: make([]byte, engine.DefaultMaxBinaryVariable+1)}}); codeOf(err) != engine.CodeVariableTooLarge {
		t.Errorf("binary over 10 MB: %v", err)
	}
	if v, err := h.rt.VariableData(ctx, id, "file"); err != nil || !bytes.Equal(v.Data, []byte("hello")) || v.ContentType != "text/plain" {
		t.Errorf("binary content: %+v %v", v, err)
	}
	want = `count:long=10 days:integer=4 file:binary={"contentType":"text/plain","size":5,"type":"binary"} fresh:string="now text" note:string="hi" plain:string="p" small:short=1 when:date="2024-01-01T19:04:05.000Z" `
	if got := types(); got != want {
		t.Errorf("variables after the changes:\n%s\nwant\n%s", got, want)
	}

	// The script runs.
	tasks := h.openTasks(id, u["a"])
	if len(tasks) != 1 {
		t.Fatalf("tasks: %+v", tasks)
	}
	h.decide(u["a"], tasks[0], "approve")
	if v := h.wait(id); v.Status != engine.StatusDone {
		t.Fatalf("status %s: %s", v.Status, v.Error)
	}
	want = `binType:string="binary text/plain 5" count:double=1.5 days:integer=5 file:binary={"contentType":"text/plain","size":5,"type":"binary"} fresh:string="now text" note:string="hi" plain:string="p" ratio:double=2.5 seen:string="string 2024-01-01T19:04:05.000Z" small:short=5 when:date="2024-01-01T19:04:05.000Z" `
	if got := types(); got != want {
		t.Errorf("variables after the script:\n%s\nwant\n%s", got, want)
	}
	if v, err := h.rt.VariableData(ctx, id, "file"); err != nil || string(v.Data) != "hello" {
		t.Errorf("binary content after the script: %+v %v", v, err)
	}
	if _, err := h.rt.PutVariables(ctx, id, []engine.Variable{{Name: "late", Value: 1.0}}); !errors.Is(err, engine.ErrConflict) || codeOf(err) != engine.CodeInstanceEnded {
		t.Errorf("a write to an ended instance: %v", err)
	}
	if err := h.rt.DeleteVariable(ctx, id, "days"); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("a delete on an ended instance: %v", err)
	}
}

// TestFastInstanceTypedVariables: a fast instance's variables keep their types
// through its single write, and read typed while it is still unwritten or after.
func TestFastInstanceTypedVariables(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pid := h.deploy(withEngine(def("fast",
		task_("start", "manual", "s"),
		script("s", "vars.n = vars.n * 2; vars.d = vars.when; return 1", "end"),
		task_("end", "end"),
	), "fast"))
	res, err := h.rt.StartInstance(ctx, pid, nil, engine.StartOptions{By: "tester", Wait: 20 * time.Second,
		Variables: []engine.Variable{{Name: "n", Type: "long", Value: 21.0}, {Name: "when", Type: "date", Value: "2024-05-06T07:08Z"}}})
	if err != nil || !res.Ended {
		t.Fatalf("start: %+v %v", res, err)
	}
	check := func(what string) {
		list, err := h.rt.ListVariables(ctx, res.Instance.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, v := range list {
			j, _ := v.StoredJSON()
			got += fmt.Sprintf("%s:%s=%s ", v.Name, v.Type, j)
		}
		if want := `d:string="2024-05-06T07:08:00.000Z" n:long=42 when:date="2024-05-06T07:08:00.000Z" `; got != want {
			t.Errorf("%s: %s, want %s", what, got, want)
		}
	}
	check("at the end")
	if err := h.rt.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	check("written")
}

// FuzzNewVariable: any type and JSON value either is refused with ErrInvalid or
// gives a variable whose stored form reads back the same (DecodeVariable); the
// same value as a query condition is refused with ErrInvalid or accepted, never a
// crash.
func FuzzNewVariable(f *testing.F) {
	for _, seed := range [][2]string{{"", `12`}, {"integer", `"42"`}, {"long", `9007199254740993`}, {"double", `"2.5"`},
		{"date", `"2024-01-02T03:04+08:00"`}, {"json", `{"a":[1,"x"]}`}, {"boolean", `true`}, {"short", `70000`}, {"", `null`},
		{"string", `"x"`}, {"date", `"1969-12-31"`}, {"", `1e300`}, {"float", `1`}} {
		f.Add(seed[0], seed[1], "equals")
	}
	f.Fuzz(func(t *testing.T, typ, value, op string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(value)))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		got, err := engine.NewVariable(engine.Variable{Name: "v", Type: typ, Value: v}, 0)
		if err != nil {
			if !errors.Is(err, engine.ErrInvalid) {
				t.Fatalf("%s %s: %v", typ, value, err)
			}
		} else {
			stored, err := got.StoredJSON()
			if err != nil {
				t.Fatalf("%s %s: stored: %v", typ, value, err)
			}
			back, err := engine.DecodeVariable("v", got.Type, stored, got.ContentType, got.Size)
			if err != nil {
				t.Fatalf("%s %s: decode %s: %v", typ, value, stored, err)
			}
			again, _ := back.StoredJSON()
			if !bytes.Equal(again, stored) || back.Type != got.Type {
				t.Fatalf("%s %s: stored %s, read back %s %s", typ, value, stored, back.Type, again)
			}
		}
		if _, err := engine.CheckVarConditions([]engine.VarCondition{{Name: "v", Operation: op, Value: v, Type: typ}}); err != nil && !errors.Is(err, engine.ErrInvalid) {
			t.Fatalf("condition %s %s %s: %v", typ, op, value, err)
		}
	})
}

// TestPayloadAsVariables: with payloadAsVariables each field of the start payload is a
// process variable (as Camunda's start variables are); without it the payload stays
// the trigger's data only.
func TestPayloadAsVariables(t *testing.T) {
	h := newHarness(t)
	flow := func(asVars bool) string {
		var p map[string]any
		if err := json.Unmarshal([]byte(def("payload",
			task_("t", "manual", "s"),
			script("s", "return {amount: vars.amount === undefined ? null : vars.amount, big: vars.amount > 1000}", "e"),
			task_("e", "end"))), &p); err != nil {
			t.Fatal(err)
		}
		p["payloadAsVariables"] = asVars
		b, _ := json.Marshal(p)
		return h.deploy(string(b))
	}
	v := h.run(flow(true), map[string]any{"amount": 1500})
	if out, _ := v.Output.(map[string]any); out["big"] != true || out["amount"] != float64(1500) {
		t.Fatalf("payloadAsVariables: output %v", v.Output)
	}
	v = h.run(flow(false), map[string]any{"amount": 1500})
	if out, _ := v.Output.(map[string]any); out["amount"] != nil {
		t.Fatalf("without payloadAsVariables the payload must not be variables: output %v", v.Output)
	}
	// A definition saved with the flag reads back with it.
	id := flow(true)
	p, err := h.defs.Get(context.Background(), id)
	if err != nil || !p.PayloadAsVariables {
		t.Fatalf("read back: %v %+v", err, p)
	}
}
