package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/stack"
)

// TestRetentionUnderLoad measures what the history cleanup costs the webhook flow:
// it runs FLOWCRAFT_RETENTION_BENCH ended instances of the order flow
// (examples/order-webhook-fast.json, FLOWCRAFT_RETENTION_ENGINE=fast|standard, default
// fast), then measures the flow's latency at a steady load (16 in flight) idle, and
// again while the cleanup deletes every one of those instances, and prints both p99s.
// It fails when the p99 under cleanup is more than twice the idle one.
//
//	FLOWCRAFT_RETENTION_BENCH=1000000 go test -run RetentionUnderLoad -v -timeout 2h ./stack/
func TestRetentionUnderLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FLOWCRAFT_RETENTION_BENCH"))
	if n <= 0 {
		t.Skip("set FLOWCRAFT_RETENTION_BENCH to the number of ended instances to delete")
	}
	eng := os.Getenv("FLOWCRAFT_RETENTION_ENGINE")
	if eng == "" {
		eng = engine.EngineFast
	}
	ctx := context.Background()
	dir := os.Getenv("FLOWCRAFT_BENCH_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := stack.Open(ctx, stack.Config{DataDir: dir, NoScheduler: true, NoHTTP: true,
		Retention: engine.RetentionOptions{Interval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../examples/order-webhook-fast.json")
	if err != nil {
		t.Fatal(err)
	}
	var p engine.Process
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p.Engine, p.HistoryTTLDays = eng, 1
	def, err := st.Definitions.Create(ctx, &p, "bench")
	if err != nil {
		t.Fatal(err)
	}
	run := func(count, inFlight int, stop *atomic.Bool) []time.Duration {
		var mu sync.Mutex
		var lat []time.Duration
		var next atomic.Int64
		var wg sync.WaitGroup
		for range inFlight {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for {
					i := next.Add(1)
					if count > 0 && i > int64(count) || stop != nil && stop.Load() {
						break
					}
					t0 := time.Now()
					res, err := st.Runtime.StartInstance(ctx, def.ID, map[string]any{"amount": float64(i % 2000), "user": "bench"},
						engine.StartOptions{By: "bench", Wait: time.Minute})
					if err != nil || res.Instance.Status != engine.StatusDone {
						t.Errorf("instance: %v %+v", err, res)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return lat
	}
	pct := func(lat []time.Duration, p float64) time.Duration {
		slices.Sort(lat)
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}

	t0 := time.Now()
	run(n, 64, nil)
	if err := st.Runtime.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	seeded := time.Since(t0)

	const load = 16
	idle := run(20000, load, nil)
	// The cleanup as if a day had passed since now: every instance ended so far is
	// past the one-day time-to-live, none of those the load starts meanwhile.
	c0 := time.Now()
	ret := engine.NewRetention(st.Store, engine.RetentionOptions{Interval: -1}, func() time.Time { return c0.Add(24 * time.Hour) }, nil)
	var stop atomic.Bool
	var rep *engine.CleanupReport
	var cleanupErr error
	go func() {
		rep, cleanupErr = ret.Cleanup(ctx)
		stop.Store(true)
	}()
	during := run(0, load, &stop)
	took := time.Since(c0)
	if cleanupErr != nil {
		t.Fatal(cleanupErr)
	}
	idle50, idle99, dur50, dur99 := pct(idle, .5), pct(idle, .99), pct(during, .5), pct(during, .99)
	msg := fmt.Sprintf("engine=%s seeded %d ended instances in %s; cleanup deleted %d in %d batches in %s (%.0f instances/s); "+
		"order flow at %d in flight: idle p50 %s p99 %s (%d runs), during the cleanup p50 %s p99 %s (%d runs): p99 ratio %.2f",
		eng, n, seeded.Round(time.Second), rep.Deleted, rep.Batches, took.Round(time.Millisecond), float64(rep.Deleted)/took.Seconds(),
		load, idle50.Round(10*time.Microsecond), idle99.Round(10*time.Microsecond), len(idle),
		dur50.Round(10*time.Microsecond), dur99.Round(10*time.Microsecond), len(during), float64(dur99)/float64(idle99))
	t.Log(msg)
	if rep.Deleted < n {
		t.Errorf("deleted %d of %d", rep.Deleted, n)
	}
	if dur99 > 2*idle99 {
		t.Errorf("p99 under cleanup more than twice the idle p99: %s", msg)
	}
}
