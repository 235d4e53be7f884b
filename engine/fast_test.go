package engine_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestFastShutdownLosesNothingAcknowledged: while clients keep starting fast instances,
// the engine and the database close; every instance whose start returned is written.
func TestFastShutdownLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	h := openHarness(t, dir)
	pid := h.deploy(orderFlow(t, engine.EngineFast))
	var mu sync.Mutex
	var acked []engine.ID
	var stop atomic.Bool
	var wg sync.WaitGroup
	enough := make(chan struct{})
	var once sync.Once
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				res, err := h.rt.StartInstance(context.Background(), pid, map[string]any{"amount": float64(i % 2000)}, engine.StartOptions{})
				if err != nil {
					continue // refused during shutdown: not acknowledged
				}
				if res.Instance.Status != engine.StatusDone {
					t.Errorf("fast instance %s", res.Instance.Status)
				}
				mu.Lock()
				acked = append(acked, res.Instance.ID)
				if len(acked) >= 2000 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	<-enough
	// Close under load, as main does on SIGTERM: the engine, then the store.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.rt.Close(ctx)
	h.store.Close(ctx)
	stop.Store(true)
	wg.Wait()

	h2 := openHarness(t, dir)
	mu.Lock()
	defer mu.Unlock()
	_, total, err := h2.rt.ListInstances(context.Background(), engine.InstanceFilter{ProcessID: pid, Page: engine.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if total < len(acked) {
		t.Fatalf("%d acknowledged, %d written", len(acked), total)
	}
	for _, id := range acked {
		v, err := h2.rt.Describe(context.Background(), id)
		if err != nil || v.Status != engine.StatusDone || len(v.Tasks) != 6 {
			t.Fatalf("acknowledged instance %s: %v %v", id, err, v)
		}
	}
	t.Logf("%d instances acknowledged, all written", len(acked))
}

// BenchmarkFastOrderFlow measures completed (and persisted) fast instances per second.
func BenchmarkFastOrderFlow(b *testing.B) {
	h := newHarnessTB(b)
	pid := h.deploy(orderFlow(b, engine.EngineFast))
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	cpu0 := cpuTime()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := h.rt.StartInstance(ctx, pid, map[string]any{"amount": 100.0, "user": "bench"}, engine.StartOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := h.rt.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "instances/s")
	reportCPU(b, cpu0)
}
