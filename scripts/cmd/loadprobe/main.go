// Command loadprobe checks issue 12's "done when" against a running flowcraft:
// for a while (60 s) it sends mixed legitimate traffic (fast webhooks, starts of
// a scripted and of an approval process, instance lists and reads, the inbox,
// approvals) together with hostile traffic (sign-ins with wrong passwords,
// gzip, br and deflate decompression bombs), samples the server's resident
// memory from /proc every second, and prints requests per kind, failures and
// the largest RSS. It exits 1 when the RSS reached the limit (300 MB), a
// legitimate request failed, or a hostile one got a 5xx or no answer.
//
// scripts/loadprobe builds the binary, starts it on a fresh data directory and
// runs this program against it:
//
//	go run ./scripts/cmd/loadprobe -url http://127.0.0.1:18080 -pid 1234 -password secret
package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

func main() {
	cfg := config{}
	flag.StringVar(&cfg.URL, "url", "http://127.0.0.1:18080", "the server's base URL")
	flag.IntVar(&cfg.PID, "pid", 0, "the server's process id, for its RSS (/proc/PID/status)")
	flag.StringVar(&cfg.Password, "password", "", "the admin password")
	flag.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long to send traffic")
	flag.IntVar(&cfg.Workers, "workers", 12, "concurrent senders of legitimate traffic and wrong sign-ins")
	flag.IntVar(&cfg.BombWorkers, "bomb-workers", 2, "concurrent senders of decompression bombs")
	flag.IntVar(&cfg.BombMB, "bomb-mb", 512, "decoded size of each bomb in MiB")
	flag.IntVar(&cfg.RSSLimitMB, "rss-limit-mb", 300, "fail when the server's RSS reaches this many MB")
	flag.Parse()
	if cfg.PID == 0 || cfg.Password == "" {
		fmt.Fprintln(os.Stderr, "loadprobe: -pid and -password are required")
		os.Exit(2)
	}
	ok, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadprobe:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

type config struct {
	URL         string
	PID         int
	Password    string
	Duration    time.Duration
	Workers     int
	BombWorkers int
	BombMB      int
	RSSLimitMB  int
}

// kind is one sort of request with its tally.
type kind struct {
	name    string
	hostile bool // wrong passwords and bombs: any 4xx is a right answer
	weight  int  // share of the workers' picks (0: sent by its own goroutine)

	mu        sync.Mutex
	count     int
	failed    int
	statuses  map[int]int
	latencies []time.Duration
	examples  []string
}

func (k *kind) record(status int, d time.Duration, ok bool, detail string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.count++
	if k.statuses == nil {
		k.statuses = map[int]int{}
	}
	k.statuses[status]++
	k.latencies = append(k.latencies, d)
	if !ok {
		k.failed++
		if len(k.examples) < 5 {
			k.examples = append(k.examples, detail)
		}
	}
}

// probe holds what the setup created and the traffic shares.
type probe struct {
	cfg        config
	client     *http.Client
	adminToken string
	userToken  string // lisi, the approver
	hookToken  string
	scriptProc string
	approvProc string

	recentMu sync.Mutex
	recent   []string // ids of started instances, for reads

	kinds map[string]*kind
	bombs []bomb
}

type bomb struct {
	encoding string
	body     []byte
}

func run(cfg config) (bool, error) {
	p := &probe{cfg: cfg, client: &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true,
			ResponseHeaderTimeout: 60 * time.Second},
	}}
	if err := p.setup(); err != nil {
		return false, fmt.Errorf("setup: %w", err)
	}
	start := time.Now()
	p.bombs = makeBombs(cfg.BombMB << 20)
	fmt.Printf("bombs ready in %v:", time.Since(start).Round(time.Millisecond))
	for _, b := range p.bombs {
		fmt.Printf(" %s %d KiB → %d MiB;", b.encoding, len(b.body)>>10, cfg.BombMB)
	}
	fmt.Println()

	p.kinds = map[string]*kind{}
	for _, k := range []*kind{
		{name: "webhook (fast)", weight: 30},
		{name: "start script", weight: 15},
		{name: "start approval", weight: 5},
		{name: "list instances", weight: 15},
		{name: "read instance", weight: 10},
		{name: "inbox", weight: 10},
		{name: "approve", weight: 0},
		{name: "login wrong password", weight: 10, hostile: true},
		{name: "bomb", hostile: true},
	} {
		p.kinds[k.name] = k
	}

	var maxRSS atomic.Int64
	rss0, _ := readRSS(cfg.PID, "VmRSS")
	maxRSS.Store(rss0)
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // RSS sampler
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rss, err := readRSS(cfg.PID, "VmRSS")
			if err != nil {
				fmt.Printf("  %3ds  server gone: %v\n", i, err)
				return
			}
			if rss > maxRSS.Load() {
				maxRSS.Store(rss)
			}
			if i%10 == 0 {
				fmt.Printf("  %3ds  RSS %6.1f MB  requests %d\n", i, mb(rss), p.total())
			}
		}
	}()
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p.one(ctx)
			}
		}()
	}
	wg.Add(1)
	go func() { // the approver works through lisi's inbox
		defer wg.Done()
		for ctx.Err() == nil {
			if !p.approve(ctx) {
				select {
				case <-ctx.Done():
				case <-time.After(200 * time.Millisecond):
				}
			}
		}
	}()
	for i := range cfg.BombWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; ctx.Err() == nil; n += cfg.BombWorkers {
				p.sendBomb(ctx, n)
			}
		}()
	}
	wg.Wait()

	// After the load the server still answers.
	alive := true
	if resp, err := p.client.Get(cfg.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		alive = false
	} else {
		resp.Body.Close()
	}
	hwm, _ := readRSS(cfg.PID, "VmHWM")
	peak := max(maxRSS.Load(), hwm)
	return p.report(peak, maxRSS.Load(), hwm, alive), nil
}

func (p *probe) total() int {
	n := 0
	for _, k := range p.kinds {
		k.mu.Lock()
		n += k.count
		k.mu.Unlock()
	}
	return n
}

// one sends one request of a kind picked by weight.
func (p *probe) one(ctx context.Context) {
	total := 0
	for _, k := range p.kinds {
		total += k.weight
	}
	r := rand.IntN(total)
	var k *kind
	for _, name := range []string{"webhook (fast)", "start script", "start approval", "list instances", "read instance", "inbox", "login wrong password"} {
		k = p.kinds[name]
		if r < k.weight {
			break
		}
		r -= k.weight
	}
	switch k.name {
	case "webhook (fast)":
		p.expect(ctx, k, "POST", "/api/hooks/"+p.hookToken, "", nil, map[string]any{"amount": rand.IntN(2000), "user": "u-" + strconv.Itoa(rand.IntN(100))}, 200)
	case "start script":
		if id := p.expect(ctx, k, "POST", "/api/process/"+p.scriptProc, p.adminToken, nil, map[string]any{"n": rand.IntN(1000)}, 201); id != "" {
			p.remember(id)
		}
	case "start approval":
		if id := p.expect(ctx, k, "POST", "/api/process/"+p.approvProc, p.adminToken, nil, map[string]any{"applicant": "张三", "days": 1 + rand.IntN(5)}, 201); id != "" {
			p.remember(id)
		}
	case "list instances":
		p.expect(ctx, k, "GET", "/api/processInst?limit=20&status=done", p.adminToken, nil, nil, 200)
	case "read instance":
		if id := p.pick(); id != "" {
			p.expect(ctx, k, "GET", "/api/processInst/"+id, p.adminToken, nil, nil, 200)
		} else {
			p.expect(ctx, k, "GET", "/api/processInst?limit=1", p.adminToken, nil, nil, 200)
		}
	case "inbox":
		p.expect(ctx, k, "GET", "/api/taskInsts?limit=20", p.userToken, nil, nil, 200)
	case "login wrong password":
		// An account that does not exist and one that does: neither may lock out the
		// people whose tokens carry the legitimate traffic.
		user := "mallory"
		if rand.IntN(2) == 0 {
			user = "nobody-" + strconv.Itoa(rand.IntN(1000))
		}
		p.expect(ctx, k, "POST", "/api/login", "", nil, map[string]any{"username": user, "password": "guess-" + strconv.Itoa(rand.IntN(1e6))}, 401, 429)
	}
}

// approve completes one task of lisi's inbox; false when the inbox was empty.
func (p *probe) approve(ctx context.Context) bool {
	status, body, err := p.call(ctx, "GET", "/api/taskInsts?limit=1", p.userToken, nil, nil)
	if err != nil || status != 200 {
		return false // the inbox kind counts inbox failures
	}
	var list struct {
		Response struct {
			List []struct {
				ID string `json:"id"`
			} `json:"list"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &list) != nil || len(list.Response.List) == 0 {
		return false
	}
	p.expect(ctx, p.kinds["approve"], "POST", "/api/taskInst/"+list.Response.List[0].ID, p.userToken, nil, map[string]any{"outcome": "approve", "comment": "ok"}, 200)
	return true
}

// sendBomb sends bomb n (encodings and routes in turn).
func (p *probe) sendBomb(ctx context.Context, n int) {
	b := p.bombs[n%len(p.bombs)]
	routes := []struct{ path, token string }{
		{"/api/login", ""},
		{"/api/hooks/" + p.hookToken, ""},
		{"/api/process/" + p.scriptProc, p.adminToken},
	}
	r := routes[(n/len(p.bombs))%len(routes)]
	k := p.kinds["bomb"]
	start := time.Now()
	status, _, err := p.call(ctx, "POST", r.path, r.token, map[string]string{"Content-Encoding": b.encoding}, b.body)
	if ctx.Err() != nil {
		return
	}
	detail := fmt.Sprintf("%s %s → %d %v", b.encoding, r.path, status, err)
	k.record(status, time.Since(start), err == nil && status >= 400 && status < 500, detail)
}

// expect sends a request and records it as failed unless it answered one of want.
// It returns the "response.id" of the answer, if any.
func (p *probe) expect(ctx context.Context, k *kind, method, path, token string, header map[string]string, body any, want ...int) string {
	start := time.Now()
	status, raw, err := p.call(ctx, method, path, token, header, body)
	if ctx.Err() != nil && err != nil {
		return "" // the run ended under this request
	}
	ok := err == nil && slices.Contains(want, status)
	detail := fmt.Sprintf("%s %s → %d %v %.200s", method, path, status, err, raw)
	k.record(status, time.Since(start), ok, detail)
	if !ok {
		return ""
	}
	var out struct {
		Response struct {
			ID string `json:"id"`
		} `json:"response"`
	}
	_ = json.Unmarshal(raw, &out)
	return out.Response.ID
}

// call sends one request: body is JSON-encoded unless it is already bytes.
func (p *probe) call(ctx context.Context, method, path, token string, header map[string]string, body any) (int, []byte, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.cfg.URL+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, raw, err
}

func (p *probe) remember(id string) {
	p.recentMu.Lock()
	defer p.recentMu.Unlock()
	if len(p.recent) >= 1000 {
		p.recent = p.recent[500:]
	}
	p.recent = append(p.recent, id)
}

func (p *probe) pick() string {
	p.recentMu.Lock()
	defer p.recentMu.Unlock()
	if len(p.recent) == 0 {
		return ""
	}
	return p.recent[rand.IntN(len(p.recent))]
}

// setup creates the approver, two tokens and three processes, as admin (Basic).
func (p *probe) setup() error {
	ctx := context.Background()
	admin := func(method, path string, body any, want int) (map[string]any, error) {
		var r io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			r = bytes.NewReader(j)
		}
		req, _ := http.NewRequestWithContext(ctx, method, p.cfg.URL+path, r)
		req.SetBasicAuth("admin", p.cfg.Password)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := p.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("%s %s: %v", method, path, err)
		}
		// The seed's detail reads (GET /api/process/{id}, ...) answer bare; the rest
		// inside {"response": ...}.
		if inner, ok := out["response"].(map[string]any); ok {
			return inner, nil
		}
		return out, nil
	}
	for _, u := range []map[string]any{
		{"id": "lisi", "name": "李四", "role": "user", "password": "lisi-password-1"},
		{"id": "mallory", "name": "Mallory", "role": "user", "password": "mallory-password-1"},
	} {
		if _, err := admin("POST", "/api/users", u, 201); err != nil {
			return err
		}
	}
	tok, err := admin("POST", "/api/tokens", map[string]any{"name": "loadprobe"}, 201)
	if err != nil {
		return err
	}
	p.adminToken, _ = tok["token"].(string)
	tok, err = admin("POST", "/api/tokens?user=lisi", map[string]any{"name": "loadprobe"}, 201)
	if err != nil {
		return err
	}
	p.userToken, _ = tok["token"].(string)

	for _, d := range []struct {
		def  string
		dest *string
	}{
		{hookDef, &p.hookToken},
		{scriptDef, &p.scriptProc},
		{approvalDef, &p.approvProc},
	} {
		var def map[string]any
		if err := json.Unmarshal([]byte(d.def), &def); err != nil {
			return err
		}
		created, err := admin("POST", "/api/process", def, 201)
		if err != nil {
			return err
		}
		id, _ := created["id"].(string)
		if d.dest != &p.hookToken {
			*d.dest = id
			continue
		}
		full, err := admin("GET", "/api/process/"+id, nil, 200)
		if err != nil {
			return err
		}
		p.hookToken, _ = full["triggerToken"].(string)
	}
	if p.adminToken == "" || p.userToken == "" || p.hookToken == "" || p.scriptProc == "" || p.approvProc == "" {
		return fmt.Errorf("setup answered without a token or id: admin token %t, lisi token %t, hook token %t, processes %q %q",
			p.adminToken != "", p.userToken != "", p.hookToken != "", p.scriptProc, p.approvProc)
	}
	return nil
}

const hookDef = `{"name": "Order score (webhook, fast)", "engine": "fast", "tasks": [
 {"instId": "task-hook0001", "template": "webhook", "positions": [80, 160], "connections": [{"to": "task-score001"}],
  "parameters": {"respond": {"value": "onFinish"}}},
 {"instId": "task-score001", "template": "script", "positions": [260, 160], "connections": [{"to": "task-end00001"}],
  "parameters": {"code": {"value": "const amount = Number(trigger.amount || 0); return {approved: amount < 1000, total: amount * 1.1, user: trigger.user};"}}},
 {"instId": "task-end00001", "template": "end", "positions": [440, 160], "parameters": {"output": {"value": "{{ input }}"}}}]}`

const scriptDef = `{"name": "Scripted (standard)", "tasks": [
 {"instId": "task-start001", "template": "manual", "positions": [80, 160], "connections": [{"to": "task-code0001"}]},
 {"instId": "task-code0001", "template": "script", "positions": [260, 160], "connections": [{"to": "task-end00001"}],
  "parameters": {"code": {"value": "let s = 0; for (let i = 0; i < 100; i++) s += i * trigger.n; return {n: trigger.n, s};"}}},
 {"instId": "task-end00001", "template": "end", "positions": [440, 160], "parameters": {"output": {"value": "{{ input }}"}}}]}`

const approvalDef = `{"name": "Leave (approval)", "tasks": [
 {"instId": "task-start001", "template": "manual", "positions": [80, 160], "connections": [{"to": "task-mgr00001"}]},
 {"instId": "task-mgr00001", "template": "approval", "positions": [260, 160], "connections": [{"to": "task-end00001"}],
  "parameters": {"assignees": {"value": ["lisi"]}, "content": {"value": "{{ trigger.applicant }}: {{ trigger.days }} days"},
   "outcomes": {"value": ["approve", "reject"]}}},
 {"instId": "task-end00001", "template": "end", "positions": [440, 160]}]}`

// makeBombs compresses size zero bytes with gzip, deflate (zlib, as HTTP's
// "deflate" is) and brotli, each on its own goroutine.
func makeBombs(size int) []bomb {
	zeros := make([]byte, 1<<20)
	encoders := []struct {
		name string
		open func(io.Writer) io.WriteCloser
	}{
		{"gzip", func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestCompression); return z }},
		{"deflate", func(w io.Writer) io.WriteCloser { z, _ := zlib.NewWriterLevel(w, flate.BestCompression); return z }},
		{"br", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 5) }},
	}
	out := make([]bomb, len(encoders))
	var wg sync.WaitGroup
	for i, e := range encoders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			w := e.open(&buf)
			for n := 0; n < size; n += len(zeros) {
				w.Write(zeros)
			}
			w.Close()
			out[i] = bomb{e.name, buf.Bytes()}
		}()
	}
	wg.Wait()
	return out
}

// readRSS reads a size field (VmRSS, VmHWM) of /proc/PID/status in bytes.
func readRSS(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(v) // "123456 kB"
			if len(f) == 0 {
				break
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

func mb(b int64) float64 { return float64(b) / 1e6 }

// report prints the tally and says whether the run passed.
func (p *probe) report(peak, sampled, hwm int64, alive bool) bool {
	fmt.Printf("\n%-22s %8s %8s %9s %9s  %s\n", "kind", "requests", "failed", "p50", "p99", "statuses")
	names := make([]string, 0, len(p.kinds))
	for n := range p.kinds {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := p.kinds[names[i]], p.kinds[names[j]]
		if a.hostile != b.hostile {
			return !a.hostile
		}
		return names[i] < names[j]
	})
	legitFailed, hostileBad, total := 0, 0, 0
	for _, n := range names {
		k := p.kinds[n]
		k.mu.Lock()
		slices.Sort(k.latencies)
		q := func(f float64) time.Duration {
			if len(k.latencies) == 0 {
				return 0
			}
			return k.latencies[min(len(k.latencies)-1, int(f*float64(len(k.latencies))))]
		}
		codes := make([]int, 0, len(k.statuses))
		for c := range k.statuses {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		var st []string
		for _, c := range codes {
			st = append(st, fmt.Sprintf("%d×%d", c, k.statuses[c]))
		}
		label := n
		if k.hostile {
			label += " *"
			hostileBad += k.failed
		} else {
			legitFailed += k.failed
		}
		total += k.count
		fmt.Printf("%-22s %8d %8d %9v %9v  %s\n", label, k.count, k.failed, q(0.5).Round(time.Microsecond*100), q(0.99).Round(time.Microsecond*100), strings.Join(st, " "))
		for _, e := range k.examples {
			fmt.Printf("    e.g. %s\n", e)
		}
		k.mu.Unlock()
	}
	fmt.Printf("(* hostile: a 4xx is the right answer; failed = 5xx or no answer)\n\n")
	fmt.Printf("requests: %d in %v (%.0f/s)\n", total, p.cfg.Duration, float64(total)/p.cfg.Duration.Seconds())
	fmt.Printf("server RSS: max sampled %.1f MB, peak (VmHWM) %.1f MB, limit %d MB\n", mb(sampled), mb(hwm), p.cfg.RSSLimitMB)
	fmt.Printf("legitimate requests failed: %d; hostile requests answered badly: %d; server alive after: %v\n", legitFailed, hostileBad, alive)
	pass := peak < int64(p.cfg.RSSLimitMB)*1e6 && legitFailed == 0 && hostileBad == 0 && alive
	if pass {
		fmt.Println("PASS")
	} else {
		fmt.Println("FAIL")
	}
	return pass
}
