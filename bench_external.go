package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"flowcraft/engine"
	"flowcraft/stack"
	"flowcraft/web"
)

// externalFlow is the external-task flow `flowcraft bench -flow external` runs:
// trigger → external task (topic "bench", 3 retries) → end.
const externalFlow = `{"name": "bench external task", "tasks": [
 {"instId": "start", "template": "manual", "positions": [80, 160], "connections": [{"to": "work"}], "parameters": {}},
 {"instId": "work", "template": "external-task", "positions": [260, 160], "connections": [{"to": "end"}],
  "parameters": {"topic": {"value": "bench"}}},
 {"instId": "end", "template": "end", "positions": [440, 160], "connections": [], "parameters": {}}]}`

// benchFetchSize is how many jobs a worker asks for at once (the Camunda client's
// default maxTasks is 10; Flowable's numberOfTasks 1; a busy worker asks for more).
const benchFetchSize = 32

// externalWorker fetches locked jobs and completes them: in-process over the engine
// (engineWorker) or over Camunda's REST API (camundaWorker).
type externalWorker interface {
	// fetch waits up to wait for jobs and locks up to max of them.
	fetch(ctx context.Context, max int, wait time.Duration) ([]benchJob, error)
	complete(ctx context.Context, id string) error
}

type benchJob struct {
	id      string
	created time.Time // zero when not known
}

// camundaTime is Camunda's date format (its default dateFormat).
const camundaTime = "2006-01-02T15:04:05.000-0700"

// benchExternal runs the external-task flow: cfg.N instances, cfg.Concurrency in
// flight, each started and waited for until done, while cfg.Workers workers
// long-poll for their jobs (up to benchFetchSize a call) and complete each; a worker
// completes the jobs of one fetch concurrently, as Camunda's and Flowable's clients
// do, then fetches again.
func benchExternal(ctx context.Context, cfg benchConfig, st *stack.Stack, stdout io.Writer) error {
	rt := st.Runtime
	var p engine.Process
	if err := json.Unmarshal([]byte(externalFlow), &p); err != nil {
		return err
	}
	created, err := st.Definitions.Create(ctx, &p, "bench")
	if err != nil {
		return err
	}
	protocol := "the engine's API, in-process"
	newWorker := func(name string) externalWorker { return engineWorker{x: rt.ExternalTasks(), id: name} }
	if cfg.Camunda {
		base, stop, err := benchServer(ctx, st)
		if err != nil {
			return err
		}
		defer stop()
		user, token, err := benchWorkerAccount(ctx, st)
		if err != nil {
			return err
		}
		protocol = "Camunda's REST API over HTTP on loopback (" + base + "), Basic auth with a worker's API token"
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * benchFetchSize * cfg.Workers}}
		newWorker = func(name string) externalWorker {
			return camundaWorker{client: client, base: base + "/engine-rest/external-task", user: user, token: token, id: name}
		}
	}
	fmt.Fprintf(stdout, "flowcraft bench: external task flow (trigger → external task → end), workers over %s\n", protocol)
	fmt.Fprintf(stdout, "instances=%d concurrency=%d workers=%d fetch=%d cpus=%d\n", cfg.N, cfg.Concurrency, cfg.Workers, benchFetchSize, runtime.NumCPU())

	wctx, stopWorkers := context.WithCancel(ctx)
	var receipts receiptLog
	var wg sync.WaitGroup
	failed := make(chan error, cfg.Workers)
	for w := range cfg.Workers {
		worker := newWorker(fmt.Sprintf("bench-worker-%d", w))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runExternalWorker(wctx, worker, &receipts); err != nil && wctx.Err() == nil {
				failed <- err
				stopWorkers()
			}
		}()
	}
	stop := func() error {
		stopWorkers()
		wg.Wait()
		select {
		case err := <-failed:
			return fmt.Errorf("worker: %w", err)
		default:
			return nil
		}
	}
	// A short warm-up fills the caches and opens the connections.
	if _, err := runOrders(wctx, rt, created.ID, min(200, cfg.N), cfg.Concurrency); err != nil {
		return firstErr(stop(), err)
	}
	receipts.reset()
	start, cpu0 := time.Now(), cpuTime()
	lat, err := runOrders(wctx, rt, created.ID, cfg.N, cfg.Concurrency)
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if err := firstErr(stop(), err); err != nil {
		return err
	}
	slices.Sort(lat)
	fmt.Fprintf(stdout, "completed %d external tasks in %s: %.0f tasks/s (start → worker → done, every step committed to SQLite)\n",
		cfg.N, elapsed.Round(time.Millisecond), float64(cfg.N)/elapsed.Seconds())
	fmt.Fprintf(stdout, "CPU time: %.1f us per task (user+system of this process, workers included)\n", float64(cpu.Microseconds())/float64(cfg.N))
	fmt.Fprintf(stdout, "latency per instance: p50 %s  p99 %s  max %s\n", pct(lat, 0.50), pct(lat, 0.99), lat[len(lat)-1].Round(10*time.Microsecond))
	if r := receipts.sorted(); len(r) > 0 {
		fmt.Fprintf(stdout, "job creation → worker receipt: p50 %s  p99 %s  (%d jobs)\n", pct(r, 0.50), pct(r, 0.99), len(r))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pct is the p-quantile of sorted latencies, rounded to 10 µs.
func pct(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))].Round(10 * time.Microsecond)
}

// runExternalWorker fetches and completes until ctx ends.
func runExternalWorker(ctx context.Context, w externalWorker, receipts *receiptLog) error {
	for ctx.Err() == nil {
		jobs, err := w.fetch(ctx, benchFetchSize, 30*time.Second)
		if err != nil {
			return err
		}
		now := time.Now()
		for _, j := range jobs {
			if !j.created.IsZero() {
				receipts.add(now.Sub(j.created))
			}
		}
		g, gctx := errgroup.WithContext(ctx)
		for _, j := range jobs {
			g.Go(func() error { return w.complete(gctx, j.id) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// receiptLog collects the time from each job's creation to its receipt by a worker.
type receiptLog struct {
	mu   sync.Mutex
	lats []time.Duration
}

func (r *receiptLog) add(d time.Duration) {
	r.mu.Lock()
	r.lats = append(r.lats, d)
	r.mu.Unlock()
}

func (r *receiptLog) reset() {
	r.mu.Lock()
	r.lats = nil
	r.mu.Unlock()
}

func (r *receiptLog) sorted() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.lats)
	slices.Sort(out)
	return out
}

// engineWorker is a worker over the engine's API in the same process.
type engineWorker struct {
	x  *engine.ExternalTasks
	id string
}

func (w engineWorker) fetch(ctx context.Context, max int, wait time.Duration) ([]benchJob, error) {
	jobs, err := w.x.Fetch(ctx, engine.FetchRequest{WorkerID: w.id, MaxTasks: max, Wait: wait,
		Topics: []engine.FetchTopic{{Topic: "bench", LockDuration: time.Minute}}})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, err
	}
	out := make([]benchJob, len(jobs))
	for i, j := range jobs {
		out[i] = benchJob{id: j.ID.String(), created: j.CreatedAt}
	}
	return out, nil
}

func (w engineWorker) complete(ctx context.Context, id string) error {
	jid, err := engine.ParseID(id)
	if err != nil {
		return err
	}
	return w.x.Complete(ctx, jid, w.id, []*engine.Variable{{Name: "ok", Value: true}}, nil)
}

// camundaWorker is a worker over Camunda 7's external task REST API, as
// camunda-external-task-client-js speaks it: fetchAndLock with long polling, then
// one complete per task with a typed variable.
type camundaWorker struct {
	client      *http.Client
	base        string
	user, token string
	id          string
}

func (w camundaWorker) post(ctx context.Context, path string, body any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(w.user, w.token)
	res, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return fmt.Errorf("POST %s: %s: %s", path, res.Status, msg)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (w camundaWorker) fetch(ctx context.Context, max int, wait time.Duration) ([]benchJob, error) {
	var tasks []struct {
		ID         string `json:"id"`
		CreateTime string `json:"createTime"`
	}
	err := w.post(ctx, "/fetchAndLock", map[string]any{"workerId": w.id, "maxTasks": max, "asyncResponseTimeout": wait.Milliseconds(),
		"topics": []map[string]any{{"topicName": "bench", "lockDuration": 60_000, "variables": []string{}}}}, &tasks)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, err
	}
	out := make([]benchJob, len(tasks))
	for i, t := range tasks {
		created, _ := time.Parse(camundaTime, t.CreateTime) // ms precision: receipts are rounded down
		out[i] = benchJob{id: t.ID, created: created}
	}
	return out, nil
}

func (w camundaWorker) complete(ctx context.Context, id string) error {
	return w.post(ctx, "/"+id+"/complete", map[string]any{"workerId": w.id,
		"variables": map[string]any{"ok": map[string]any{"value": true, "type": "Boolean"}}}, nil)
}

// benchServer serves the stack's HTTP surfaces on a loopback port; stop shuts it down.
func benchServer(ctx context.Context, st *stack.Stack) (base string, stop func(), err error) {
	app, _, capi := newApp(st, web.Config{}, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen on loopback: %w", err)
	}
	go app.Listener(ln) //nolint:errcheck // ends when stop shuts the app down
	return "http://" + ln.Addr().String(), func() {
		capi.Close()
		app.ShutdownWithContext(context.WithoutCancel(ctx)) //nolint:errcheck // a benchmark's server
	}, nil
}

// benchWorkerAccount creates a worker account and an API token for it.
func benchWorkerAccount(ctx context.Context, st *stack.Stack) (user, token string, err error) {
	u, err := st.Identity.CreateUser(ctx, &engine.User{ID: "bench-worker", Name: "bench worker", Role: engine.RoleWorker}, engine.NewSecret()[:20])
	if err != nil {
		return "", "", fmt.Errorf("create the worker account: %w", err)
	}
	token, _, err = st.Identity.CreateToken(ctx, u.ID, "bench", 0)
	if err != nil {
		return "", "", fmt.Errorf("create the worker's token: %w", err)
	}
	return u.ID, token, nil
}
