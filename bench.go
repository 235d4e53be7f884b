package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"flowcraft/engine"
	"flowcraft/stack"
)

// orderFlow is examples/order-webhook-fast.json: webhook → script → exclusive
// gateway → script → end, the shape of the peer benchmark flow.
//
//go:embed examples/order-webhook-fast.json
var orderFlow []byte

// benchConfig is the configuration of `flowcraft bench`.
type benchConfig struct {
	Engine      string
	Flow        string // "order" or "external"
	Workers     int    // external: workers fetching and completing
	Camunda     bool   // external: the workers speak Camunda's REST API over HTTP
	N           int
	Concurrency int
	Dir         string
	CPUProfile  string // write a CPU profile of the measured run here
}

func parseBenchFlags(args []string, stderr io.Writer) (benchConfig, error) {
	var cfg benchConfig
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Engine, "engine", engine.EngineStandard, "engine to measure: standard or fast")
	fs.IntVar(&cfg.N, "n", 20000, "instances to run")
	fs.IntVar(&cfg.Concurrency, "concurrency", 64, "instances in flight at once")
	fs.StringVar(&cfg.Dir, "data", "", "data directory (default: a new temporary one, removed afterwards)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.StringVar(&cfg.Flow, "flow", "order", "flow to run: order (webhook → script → gateway → script → end) or external (trigger → external task → end, done by workers)")
	fs.IntVar(&cfg.Workers, "workers", 8, "external: workers long-polling for the tasks and completing them")
	fs.BoolVar(&cfg.Camunda, "camunda", false, "external: the workers speak Camunda's external task REST API over HTTP on loopback instead of calling the engine in-process")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch cfg.Flow {
	case "order":
	case "external":
		if cfg.Engine != engine.EngineStandard {
			return cfg, fmt.Errorf("-flow external runs on the standard engine (a fast instance cannot wait for a worker)")
		}
		if cfg.Workers < 1 {
			return cfg, fmt.Errorf("-workers must be positive")
		}
	default:
		return cfg, fmt.Errorf("-flow must be order or external")
	}
	if cfg.Engine != engine.EngineStandard && cfg.Engine != engine.EngineFast {
		return cfg, fmt.Errorf("-engine must be standard or fast")
	}
	if cfg.N < 1 || cfg.Concurrency < 1 {
		return cfg, fmt.Errorf("-n and -concurrency must be positive")
	}
	return cfg, nil
}

// bench runs the order flow in-process N times and prints throughput and latency.
func bench(ctx context.Context, cfg benchConfig, stdout io.Writer) error {
	if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "flowcraft-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.Dir = dir
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	st, err := stack.Open(ctx, stack.Config{DataDir: cfg.Dir, NoScheduler: true})
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := st.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	rt := st.Runtime
	if cfg.Flow == "external" {
		return benchExternal(ctx, cfg, st, stdout)
	}

	var p engine.Process
	if err := json.Unmarshal(orderFlow, &p); err != nil {
		return err
	}
	p.Engine = cfg.Engine
	created, err := st.Definitions.Create(ctx, &p, "bench")
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "flowcraft bench: order flow (trigger → script → exclusive gateway → script → end)\n")
	fmt.Fprintf(stdout, "engine=%s instances=%d concurrency=%d cpus=%d %s %s/%s\n", cfg.Engine, cfg.N, cfg.Concurrency,
		runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	// A short warm-up compiles the scripts and fills the caches.
	if _, err := runOrders(ctx, rt, created.ID, min(200, cfg.N), cfg.Concurrency); err != nil {
		return err
	}
	if err := rt.Flush(ctx); err != nil {
		return err
	}
	start, cpu0 := time.Now(), cpuTime()
	lat, err := runOrders(ctx, rt, created.ID, cfg.N, cfg.Concurrency)
	if err != nil {
		return err
	}
	// Fast instances are written in the background: the clock stops when all are.
	if err := rt.Flush(ctx); err != nil {
		return err
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	slices.Sort(lat)
	persisted := "every step committed to SQLite"
	if cfg.Engine == engine.EngineFast {
		persisted = "every instance written to SQLite"
	}
	fmt.Fprintf(stdout, "completed %d instances in %s: %.0f instances/s (%s)\n",
		cfg.N, elapsed.Round(time.Millisecond), float64(cfg.N)/elapsed.Seconds(), persisted)
	fmt.Fprintf(stdout, "CPU time: %.1f us per instance (user+system of this process)\n", float64(cpu.Microseconds())/float64(cfg.N))
	fmt.Fprintf(stdout, "latency per instance: p50 %s  p99 %s  max %s\n", pct(lat, 0.50), pct(lat, 0.99), lat[len(lat)-1].Round(10*time.Microsecond))
	return nil
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// orderStarter starts instances; *engine.Runtime implements it.
type orderStarter interface {
	StartInstance(ctx context.Context, processID string, trigger any, opts engine.StartOptions) (*engine.StartResult, error)
}

// runOrders starts n instances with `concurrency` in flight, each waiting for its end, and
// returns the latency of each. An errgroup of `concurrency` workers takes the
// instances in turn (long-lived workers, so that each start does not pay for a new
// goroutine's stack growing); the first failure stops the others and is returned,
// whatever its type.
func runOrders(ctx context.Context, rt orderStarter, pid string, n, concurrency int) ([]time.Duration, error) {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for range min(concurrency, n) {
		g.Go(func() error {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return nil
				}
				t0 := time.Now()
				res, err := rt.StartInstance(ctx, pid, map[string]any{"amount": float64(i % 2000), "user": "bench"},
					engine.StartOptions{By: "bench", Wait: time.Minute})
				if err == nil && res.Instance.Status != engine.StatusDone {
					err = fmt.Errorf("instance %s ended %s: %s", res.Instance.ID, res.Instance.Status, res.Instance.Error)
				}
				if err != nil {
					return err
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return lat, nil
}
