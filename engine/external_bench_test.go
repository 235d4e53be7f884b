package engine_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"flowcraft/engine"
)

// BenchmarkExternalReceipt measures, with 8 workers long-polling one topic, the time
// from a job's creation (its CreatedAt, set in the step that commits it) to a worker
// holding it: p50 and p99 in ms. Jobs are created one at a time (the next after the
// previous one was received), so the time is the wake-up, not a queue.
func BenchmarkExternalReceipt(b *testing.B) {
	h := newHarnessTB(b)
	pid := h.deploy(extFlow(map[string]any{"topic": "lat"}, nil))
	x := h.rt.ExternalTasks()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	received := make(chan time.Duration, 1)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprintf("w%d", w)
			for ctx.Err() == nil {
				jobs, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: worker, MaxTasks: 1, Wait: 30 * time.Second,
					Topics: []engine.FetchTopic{{Topic: "lat", LockDuration: time.Minute}}})
				if err != nil {
					return
				}
				for _, j := range jobs {
					lat := time.Since(j.CreatedAt)
					if err := x.Complete(ctx, j.ID, worker, nil, nil); err != nil && ctx.Err() == nil {
						b.Errorf("complete: %v", err)
					}
					received <- lat
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond) // the workers wait
	lats := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		if _, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		select {
		case d := <-received:
			lats = append(lats, d)
		case <-time.After(30 * time.Second):
			b.Fatal("no worker received the job")
		}
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	slices.Sort(lats)
	pct := func(p float64) float64 {
		return float64(lats[min(len(lats)-1, int(p*float64(len(lats))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkExternalThroughput measures completed external tasks per second: instance
// start → a worker fetches (up to 32 jobs a call) → completes → the instance is done,
// with 64 instances in flight and 1 or 8 workers, on the standard engine. A worker
// completes the tasks of a fetch concurrently (as the Camunda and Flowable clients
// do), then fetches again.
func BenchmarkExternalThroughput(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			h := newHarnessTB(b)
			pid := h.deploy(extFlow(map[string]any{"topic": "tp"}, nil))
			x := h.rt.ExternalTasks()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var wwg sync.WaitGroup
			for w := range workers {
				wwg.Add(1)
				go func() {
					defer wwg.Done()
					worker := fmt.Sprintf("w%d", w)
					for ctx.Err() == nil {
						jobs, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: worker, MaxTasks: 32, Wait: 30 * time.Second,
							Topics: []engine.FetchTopic{{Topic: "tp", LockDuration: time.Minute}}})
						if err != nil {
							return
						}
						// Like the Camunda and Flowable clients, a worker handles the tasks
						// of a fetch concurrently, then fetches again.
						var jwg sync.WaitGroup
						for _, j := range jobs {
							jwg.Add(1)
							go func() {
								defer jwg.Done()
								if err := x.Complete(ctx, j.ID, worker, []*engine.Variable{{Name: "ok", Value: true}}, nil); err != nil && ctx.Err() == nil {
									b.Errorf("complete: %v", err)
								}
							}()
						}
						jwg.Wait()
					}
				}()
			}
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						res, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 1}, engine.StartOptions{Wait: time.Minute})
						if err != nil || res.Instance.Status != engine.StatusDone {
							b.Errorf("instance: %v %v", err, res)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tasks/s")
			reportCPU(b, cpu0)
			b.StopTimer()
			cancel()
			wwg.Wait()
		})
	}
}

// BenchmarkExternalDrain measures what the workers alone do: b.N instances already
// wait at their external task (started before the timer), then 1 or 8 workers fetch
// (up to 32 jobs a call), complete each (the instance then ends), until all are done:
// completed external tasks per second, the rate of the worker protocols' own work
// (BenchmarkExternalThroughput adds each instance's start to it).
func BenchmarkExternalDrain(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			h := newHarnessTB(b)
			pid := h.deploy(extFlow(map[string]any{"topic": "drain"}, nil))
			x := h.rt.ExternalTasks()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ids := make([]engine.ID, b.N)
			for i := range b.N {
				res, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": i}, engine.StartOptions{})
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = res.Instance.ID
			}
			// Every job exists before the clock starts.
			for deadline := time.Now().Add(time.Minute); ; {
				_, n, err := x.List(ctx, engine.ExternalFilter{States: []string{engine.ExternalOpen}})
				if err != nil {
					b.Fatal(err)
				}
				if n == b.N {
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d jobs open", n, b.N)
				}
				time.Sleep(10 * time.Millisecond)
			}
			var done atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					worker := fmt.Sprintf("w%d", w)
					for done.Load() < int64(b.N) {
						jobs, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: worker, MaxTasks: 32,
							Topics: []engine.FetchTopic{{Topic: "drain", LockDuration: time.Minute}}})
						if err != nil {
							b.Errorf("fetch: %v", err)
							return
						}
						if len(jobs) == 0 {
							time.Sleep(time.Millisecond) // the last jobs are another worker's
							continue
						}
						var jwg sync.WaitGroup
						for _, j := range jobs {
							jwg.Add(1)
							go func() {
								defer jwg.Done()
								if err := x.Complete(ctx, j.ID, worker, []*engine.Variable{{Name: "ok", Value: true}}, nil); err != nil {
									b.Errorf("complete: %v", err)
									return
								}
								done.Add(1)
							}()
						}
						jwg.Wait()
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tasks/s")
			reportCPU(b, cpu0)
			b.StopTimer()
			// Every instance ended.
			for _, id := range ids[:min(len(ids), 20)] {
				if in, err := h.rt.WaitEnded(ctx, id, time.Minute); err != nil || in.Status != engine.StatusDone {
					b.Fatalf("instance %s: %v %v", id, in, err)
				}
			}
		})
	}
}
