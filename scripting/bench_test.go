package scripting

import (
	"context"
	"strconv"
	"testing"
)

func benchScope() Scope {
	return Scope{
		Input:   map[string]any{"x": 1.0, "amount": 500.0, "outcome": "approve"},
		Trigger: map[string]any{"name": "Ann", "days": 3.0, "applicant": "ann", "reason": "holiday"},
		Vars:    map[string]any{"days": 3.0},
		Nodes: map[string]any{
			"task-score001": map[string]any{"output": map[string]any{"score": 80.0}},
		},
		Instance: map[string]any{"id": "i-1", "processId": "p-1", "startedBy": "ann", "startedAt": "2024-01-01T00:00:00Z"},
	}
}

func BenchmarkScriptCached(b *testing.B) {
	e := New(Options{})
	ctx := context.Background()
	s := benchScope()
	b.ReportAllocs()
	for b.Loop() {
		r, err := e.RunScript(ctx, "return {a: input.x + 1}", s)
		if err != nil || r.Value.(map[string]any)["a"] != 2.0 {
			b.Fatal(r, err)
		}
	}
}

func BenchmarkScriptCachedParallel(b *testing.B) {
	e := New(Options{})
	ctx := context.Background()
	s := benchScope()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := e.RunScript(ctx, "return {a: input.x + 1}", s)
			if err != nil || r.Value.(map[string]any)["a"] != 2.0 {
				b.Error(r, err)
				return
			}
		}
	})
}

func BenchmarkCondition(b *testing.B) {
	e := New(Options{})
	ctx := context.Background()
	s := benchScope()
	b.ReportAllocs()
	for b.Loop() {
		ok, err := e.Condition(ctx, "input.amount < 1000", s)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkTemplateInterpolated(b *testing.B) {
	e := New(Options{})
	ctx := context.Background()
	s := benchScope()
	b.ReportAllocs()
	for b.Loop() {
		v, err := e.Render(ctx, "Hello {{ trigger.name }}, you asked for {{ trigger.days }} days", s)
		if err != nil || v != "Hello Ann, you asked for 3 days" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkCompileCold(b *testing.B) {
	e := New(Options{})
	ctx := context.Background()
	s := benchScope()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r, err := e.RunScript(ctx, "return {a: input.x + "+strconv.Itoa(i)+"}", s)
		if err != nil || r.Value.(map[string]any)["a"] != float64(1+i) {
			b.Fatal(r, err)
		}
	}
}

func BenchmarkNewRuntime(b *testing.B) {
	e := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		e.newVM()
	}
}
