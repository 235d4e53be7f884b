package engine_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"flowcraft/engine"
)

// orderFlow is examples/order-webhook-fast.json with the given engine and a manual
// trigger (the webhook trigger arrives with the Triggers issue).
func orderFlow(t testing.TB, engineName string) string {
	b := readExample(t, "order-webhook-fast.json")
	var m map[string]any
	if err := json.Unmarshal([]byte(b), &m); err != nil {
		t.Fatal(err)
	}
	m["engine"] = engineName
	out, _ := json.Marshal(m)
	return string(out)
}

// BenchmarkStandardOrderFlow measures completed instances per second of the order flow
// (trigger → script → exclusive gateway → script → end) on the durable standard
// engine, with 64 instances in flight.
func BenchmarkStandardOrderFlow(b *testing.B) {
	h := newHarnessTB(b)
	pid := h.deploy(orderFlow(b, engine.EngineStandard))
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				res, err := h.rt.StartInstance(ctx, pid, map[string]any{"amount": float64(i % 2000), "user": "bench"},
					engine.StartOptions{Wait: time.Minute})
				if err != nil || res.Instance.Status != engine.StatusDone {
					b.Errorf("instance: %v %v", err, res)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "instances/s")
	reportCPU(b, cpu0)
}
