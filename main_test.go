package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `flowcraft serve` until the returned stop function is called.
func startServer(t *testing.T, dataDir string, env map[string]string) (addr string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	addr = freeAddr(t)
	stdout = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--data", dataDir}, func(k string) string { return env[k] }, stdout, io.Discard)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("server exited early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, stdout, func() error { cancel(); return <-done }
}

func TestServeBootstrapAndShutdown(t *testing.T) {
	dir := t.TempDir()
	addr, out, stop := startServer(t, dir, nil)
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("admin password not printed: %q", out.String())
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/me", nil)
	req.SetBasicAuth("admin", m[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin with printed password: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}

	// Second start on the same data: nothing printed, the password still works.
	addr, out, stop = startServer(t, dir, map[string]string{"FLOWCRAFT_ADMIN_PASSWORD": "ignored-now"})
	defer stop()
	if strings.Contains(out.String(), "password") {
		t.Fatalf("password printed again: %q", out.String())
	}
	req, _ = http.NewRequest("GET", "http://"+addr+"/api/me", nil)
	req.SetBasicAuth("admin", m[1])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin after restart: %v %v", resp, err)
	}
}

func TestAdminPasswordFromEnv(t *testing.T) {
	addr, out, stop := startServer(t, t.TempDir(), map[string]string{"FLOWCRAFT_ADMIN_PASSWORD": "chosen-secret"})
	defer stop()
	if strings.Contains(out.String(), "chosen-secret") {
		t.Fatal("a chosen password must not be printed")
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/me", nil)
	req.SetBasicAuth("admin", "chosen-secret")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin with env password: %v %v", resp, err)
	}
}

func TestFlags(t *testing.T) {
	env := map[string]string{"FLOWCRAFT_ADDR": ":9999", "FLOWCRAFT_DATA": "/tmp/x"}
	cfg, err := parseServeFlags(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || cfg.Addr != ":9999" || cfg.DataDir != "/tmp/x" {
		t.Fatalf("env defaults: %+v %v", cfg, err)
	}
	cfg, err = parseServeFlags([]string{"--addr", ":7000"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || cfg.Addr != ":7000" {
		t.Fatalf("flag wins: %+v %v", cfg, err)
	}
	if cfg.MaxRuntimes != 100_000 || cfg.MaxTokens != 1_000 || cfg.MaxBinaryVariable != 10<<20 || cfg.IdleStates != 1_024 || idleStates(cfg.IdleStates) != 1_024 {
		t.Fatalf("caps: %d runtimes, %d tokens, %d bytes of a binary variable", cfg.MaxRuntimes, cfg.MaxTokens, cfg.MaxBinaryVariable)
	}
	env["FLOWCRAFT_MAX_TOKENS"] = "50"
	env["FLOWCRAFT_MAX_BINARY_VARIABLE"] = "1000"
	if cfg, err = parseServeFlags([]string{"--max-runtimes", "500"}, func(k string) string { return env[k] }, io.Discard); err != nil ||
		cfg.MaxRuntimes != 500 || cfg.MaxTokens != 50 || cfg.MaxBinaryVariable != 1000 {
		t.Fatalf("caps from flag and env: %+v %v", cfg, err)
	}
	if cfg, err = parseServeFlags([]string{"--max-binary-variable", "2048"}, func(k string) string { return env[k] }, io.Discard); err != nil ||
		cfg.MaxBinaryVariable != 2048 {
		t.Fatalf("--max-binary-variable: %+v %v", cfg, err)
	}
	env["FLOWCRAFT_IDLE_STATES"] = "0"
	if cfg, err = parseServeFlags(nil, func(k string) string { return env[k] }, io.Discard); err != nil || cfg.IdleStates != 0 || idleStates(cfg.IdleStates) >= 0 {
		t.Fatalf("FLOWCRAFT_IDLE_STATES=0 (none): %+v %v", cfg, err)
	}
	for _, bad := range [][]string{{"--log-level", "loud"}, {"--log-format", "xml"}, {"extra"}, {"--nope"}, {"--max-runtimes", "0"}, {"--max-tokens", "-1"}, {"--max-binary-variable", "0"}, {"--idle-states", "-1"}} {
		if _, err := parseServeFlags(bad, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Error("unknown command accepted")
	}
	// The environment is checked as the flags are: a malformed or out-of-range value
	// is an error, not the default in silence.
	for _, bad := range []map[string]string{{"FLOWCRAFT_MAX_TOKENS": "0"}, {"FLOWCRAFT_MAX_RUNTIMES": "lots"},
		{"FLOWCRAFT_NODE_ID": "-1"}, {"FLOWCRAFT_BODY_LIMIT": "0"}, {"FLOWCRAFT_IDLE_STATES": "-5"},
		{"FLOWCRAFT_MAX_BINARY_VARIABLE": "10MB"}, {"FLOWCRAFT_SECURE_COOKIES": "maybe"}} {
		if cfg, err := parseServeFlags(nil, func(k string) string { return bad[k] }, io.Discard); err == nil {
			t.Errorf("%v accepted: %+v", bad, cfg)
		}
	}
	for value, want := range map[string]bool{"true": true, "1": true, "yes": true, "on": true, "false": false, "0": false, "off": false, "": false} {
		cfg, err := parseServeFlags(nil, func(k string) string {
			if k == "FLOWCRAFT_SECURE_COOKIES" {
				return value
			}
			return ""
		}, io.Discard)
		if err != nil || cfg.SecureCookie != want {
			t.Errorf("FLOWCRAFT_SECURE_COOKIES=%q: secure %v, %v; want %v", value, cfg.SecureCookie, err, want)
		}
	}
}

// deadlineRecorder records the deadline of the context each shutdown step got.
type deadlineRecorder struct {
	deadlines []time.Time
	block     bool // wait for the deadline, as requests that do not finish do
	err       error
}

func (d *deadlineRecorder) record(ctx context.Context) error {
	dl, _ := ctx.Deadline()
	d.deadlines = append(d.deadlines, dl)
	if d.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return d.err
}

func (d *deadlineRecorder) ShutdownWithContext(ctx context.Context) error { return d.record(ctx) }
func (d *deadlineRecorder) Close(ctx context.Context) error               { return d.record(ctx) }

// The whole shutdown has one deadline: HTTP requests that use up the grace leave the
// engine no fresh grace of its own (it used to get another full one), and what did
// not finish is logged.
func TestStopAllOneDeadline(t *testing.T) {
	srv := &deadlineRecorder{block: true}
	eng := &deadlineRecorder{err: errors.New("engine: 3 instance(s) had not stopped")}
	var logs syncBuffer
	err := stopAll(50*time.Millisecond, srv, eng, slog.New(slog.NewTextHandler(&logs, nil)))
	if len(srv.deadlines) != 1 || len(eng.deadlines) != 1 || !srv.deadlines[0].Equal(eng.deadlines[0]) {
		t.Fatalf("HTTP deadline %v, engine deadline %v: want one and the same", srv.deadlines, eng.deadlines)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "3 instance(s) had not stopped") {
		t.Fatalf("stopAll: %v", err)
	}
	for _, want := range []string{"HTTP requests did not finish", "the engine did not stop", "3 instance(s) had not stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestTimezoneFlag: --timezone / FLOWCRAFT_TIMEZONE name the server's time zone (an
// IANA name; the flag wins); without either it is the machine's local zone; a name
// that is not a zone is refused at start.
func TestTimezoneFlag(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseServeFlags(nil, getenv, io.Discard)
	if err != nil || cfg.Location.String() == "Local" || cfg.Location.String() == "" {
		t.Fatalf("default: %v %v, want the machine's zone under a name", cfg.Location, err)
	}
	env["TZ"] = "America/New_York"
	if cfg, err = parseServeFlags(nil, getenv, io.Discard); err != nil || cfg.Location.String() != "America/New_York" {
		t.Fatalf("default with TZ: %v %v", cfg.Location, err)
	}
	env["FLOWCRAFT_TIMEZONE"] = "Asia/Shanghai"
	if cfg, err = parseServeFlags(nil, getenv, io.Discard); err != nil || cfg.Location.String() != "Asia/Shanghai" {
		t.Fatalf("env: %v %v", cfg.Location, err)
	}
	if cfg, err = parseServeFlags([]string{"--timezone", "UTC"}, getenv, io.Discard); err != nil || cfg.Location != time.UTC {
		t.Fatalf("flag wins: %v %v", cfg.Location, err)
	}
	for _, bad := range []string{"Mars/Olympus", "Local", "+08:00"} {
		if _, err := parseServeFlags([]string{"--timezone", bad}, getenv, io.Discard); err == nil || !strings.Contains(err.Error(), "--timezone") {
			t.Errorf("--timezone %s: %v", bad, err)
		}
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "flowcraft"
	}
	if got := nodeName(0); got != host {
		t.Errorf("nodeName(0) = %q, want %q", got, host)
	}
	if got := nodeName(7); got != host+"#7" {
		t.Errorf("nodeName(7) = %q", got)
	}
}

// TestLocalZone: the machine's zone is found under its IANA name ($TZ, the
// localtime symlink's zoneinfo path, the timezone file), UTC when it has none.
func TestLocalZone(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "localtime")
	if err := os.Symlink("../usr/share/zoneinfo/Asia/Shanghai", link); err != nil {
		t.Fatal(err)
	}
	posix := filepath.Join(dir, "posix-localtime")
	if err := os.Symlink("/usr/share/zoneinfo/posix/Europe/Berlin", posix); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "copied") // a zone file copied, not linked: no name
	if err := os.WriteFile(copied, []byte("TZif"), 0o644); err != nil {
		t.Fatal(err)
	}
	tzFile := filepath.Join(dir, "timezone")
	if err := os.WriteFile(tzFile, []byte("America/Sao_Paulo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	cases := []struct{ tz, localtime, timezone, want string }{
		{"Europe/London", link, tzFile, "Europe/London"},
		{":Europe/London", link, tzFile, "Europe/London"},
		{"/usr/share/zoneinfo/Asia/Tokyo", link, tzFile, "Asia/Tokyo"},
		{"", link, tzFile, "Asia/Shanghai"},
		{"", posix, missing, "Europe/Berlin"},
		{"", copied, tzFile, "America/Sao_Paulo"},
		{"", copied, missing, "UTC"},
		{"Mars/Olympus", link, tzFile, "UTC"},
	}
	for _, c := range cases {
		if got := localZone(c.tz, c.localtime, c.timezone).String(); got != c.want {
			t.Errorf("localZone(%q, %s, %s) = %s, want %s", c.tz, filepath.Base(c.localtime), filepath.Base(c.timezone), got, c.want)
		}
	}
}
