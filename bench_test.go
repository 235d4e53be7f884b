package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"flowcraft/engine"
)

// failingStarter fails every start once two are under way, the first with one error
// type, the second with another.
type failingStarter struct {
	mu      sync.Mutex
	entered int
	both    chan struct{}
}

func (f *failingStarter) StartInstance(ctx context.Context, pid string, trigger any, opts engine.StartOptions) (*engine.StartResult, error) {
	f.mu.Lock()
	f.entered++
	me := f.entered
	if me == 2 {
		close(f.both)
	}
	f.mu.Unlock()
	<-f.both
	if me%2 == 1 {
		return nil, errors.New("plain error")
	}
	return nil, engine.Errorf(engine.ErrConflict, "typed error")
}

// Two bench workers failing at once with errors of different types: runOrders returns
// one of them (it used to panic in atomic.Value.CompareAndSwap).
func TestRunOrdersTwoErrorTypes(t *testing.T) {
	f := &failingStarter{both: make(chan struct{})}
	_, err := runOrders(context.Background(), f, "proc", 2, 2)
	if err == nil || !(strings.Contains(err.Error(), "plain error") || strings.Contains(err.Error(), "typed error")) {
		t.Fatalf("runOrders: %v, want one of the two failures", err)
	}
}

// countingStarter ends every instance done and records the amounts it was given.
type countingStarter struct {
	mu      sync.Mutex
	amounts map[float64]int
}

func (c *countingStarter) StartInstance(ctx context.Context, pid string, trigger any, opts engine.StartOptions) (*engine.StartResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.amounts[trigger.(map[string]any)["amount"].(float64)]++
	return &engine.StartResult{Instance: &engine.Instance{Status: engine.StatusDone}, Ended: true}, nil
}

// runOrders starts each of the n instances once and returns n latencies.
func TestRunOrdersStartsEachOnce(t *testing.T) {
	c := &countingStarter{amounts: map[float64]int{}}
	lat, err := runOrders(context.Background(), c, "proc", 50, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(lat) != 50 || len(c.amounts) != 50 {
		t.Fatalf("%d latencies, %d distinct starts; want 50 and 50", len(lat), len(c.amounts))
	}
	for a, n := range c.amounts {
		if n != 1 {
			t.Errorf("instance %v started %d times", a, n)
		}
	}
}

// TestBenchFlags: the external flow's flags, and what they refuse.
func TestBenchFlags(t *testing.T) {
	cfg, err := parseBenchFlags([]string{"-flow", "external", "-workers", "3", "-camunda"}, io.Discard)
	if err != nil || cfg.Flow != "external" || cfg.Workers != 3 || !cfg.Camunda || cfg.Engine != engine.EngineStandard {
		t.Fatalf("external flags: %+v %v", cfg, err)
	}
	if cfg, err = parseBenchFlags(nil, io.Discard); err != nil || cfg.Flow != "order" || cfg.Workers != 8 || cfg.Camunda {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	for _, bad := range [][]string{{"-flow", "external", "-engine", "fast"}, {"-flow", "nope"}, {"-flow", "external", "-workers", "0"},
		{"-n", "0"}, {"extra"}} {
		if _, err := parseBenchFlags(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestBenchExternal runs `flowcraft bench -flow external` small, with its workers
// in-process and over Camunda's REST API on loopback (a worker account's token as
// the Basic password): every instance ends done, and the report says so.
func TestBenchExternal(t *testing.T) {
	for _, camunda := range []bool{false, true} {
		t.Run(fmt.Sprintf("camunda=%v", camunda), func(t *testing.T) {
			var out strings.Builder
			cfg := benchConfig{Engine: engine.EngineStandard, Flow: "external", Workers: 2, Camunda: camunda, N: 20, Concurrency: 4, Dir: t.TempDir()}
			if err := bench(t.Context(), cfg, &out); err != nil {
				t.Fatalf("bench: %v\n%s", err, out.String())
			}
			for _, want := range []string{"completed 20 external tasks", "tasks/s", "job creation → worker receipt"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
