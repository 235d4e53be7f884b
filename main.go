// Command flowcraft is a self-hosted workflow engine in one binary.
//
//	flowcraft [serve] [--addr :8080] [--data ./data]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/camunda"
	"flowcraft/datasource"
	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/flowable"
	"flowcraft/stack"
	"flowcraft/web"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the flag package printed the usage
		}
		fmt.Fprintln(os.Stderr, "flowcraft:", err)
		os.Exit(1)
	}
}

// run is the whole program: it parses args, and runs the chosen subcommand until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// The engine allocates many short-lived values; collecting less often than Go's
	// default saves CPU (~10% per fast instance) and costs memory: 200 keeps a server
	// under mixed load plus decompression bombs below 250 MB RSS (400 went past 330 MB;
	// scripts/loadprobe, BENCHMARKS.md). GOGC and GOMEMLIMIT, when set, win.
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseServeFlags(args, getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, stderr)
	case "bench":
		cfg, err := parseBenchFlags(args, stderr)
		if err != nil {
			return err
		}
		return bench(ctx, cfg, stdout)
	case "backup", "restore":
		cfg, err := parseFileCmdFlags(cmd, args, getenv, stderr)
		if err != nil {
			return err
		}
		if cmd == "backup" {
			return backupCmd(ctx, cfg, stdout)
		}
		return restoreCmd(ctx, cfg, stdout)
	case "version":
		fmt.Fprintln(stdout, "flowcraft", version)
		return nil
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `flowcraft: a self-hosted workflow engine

Usage:
  flowcraft [serve] [flags]   start the server (default)
  flowcraft bench [flags]     measure the engine in-process (run "flowcraft bench -h")
  flowcraft backup FILE       copy the database to FILE, also while serving (--data, --force)
  flowcraft restore FILE      install a backup as the database; stop the server first (--data, --force)
  flowcraft version           print the version

Run "flowcraft serve -h" for the server's flags.
`)
}

// serveConfig is the server's configuration from flags and environment.
type serveConfig struct {
	Addr          string
	DataDir       string
	AdminPassword string
	LogLevel      slog.Level
	LogJSON       bool
	BodyLimit     int
	SecureCookie  bool
	ShutdownGrace time.Duration
	HTTPAllow     []string // hosts, IPs or CIDRs http-request may reach despite the SSRF guard
	DataSources   string   // JSON of named databases for database-handler
	NodeID        int64    // snowflake node number; unique per flowcraft process on one database
	MaxRuntimes   int      // runtimes one instance may make before it fails
	MaxTokens     int      // live tokens one instance may hold at once before it fails
	IdleStates    int      // waiting instances whose state stays in memory (0: none)
	PprofAddr     string   // serve net/http/pprof here (off when empty)
	KeepProcs     bool     // GOMAXPROCS is set: leave the scheduler as configured
	// MaxBinaryVariable bounds a binary process variable's content, in bytes.
	MaxBinaryVariable int64
	// Location is the server's time zone (--timezone): the seed's text times (the
	// inbox's createAt, workflow_inst/node_inst start_at and end_at) are written in it.
	Location *time.Location
}

// parseServeFlags reads flags; each has an environment variable as its default.
func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var cfg serveConfig
	var level, logFormat, httpAllow, timezone string
	envs := &envSettings{getenv: getenv}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("FLOWCRAFT_ADDR", ":8080"), "listen address (FLOWCRAFT_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", env("FLOWCRAFT_DATA", "./data"), "data directory; the SQLite file lives here (FLOWCRAFT_DATA)")
	fs.StringVar(&level, "log-level", env("FLOWCRAFT_LOG_LEVEL", "info"), "debug, info, warn or error (FLOWCRAFT_LOG_LEVEL)")
	fs.StringVar(&logFormat, "log-format", env("FLOWCRAFT_LOG_FORMAT", "text"), "text or json (FLOWCRAFT_LOG_FORMAT)")
	fs.IntVar(&cfg.BodyLimit, "body-limit", envs.int("FLOWCRAFT_BODY_LIMIT", 4<<20), "largest request body in bytes (FLOWCRAFT_BODY_LIMIT)")
	fs.BoolVar(&cfg.SecureCookie, "secure-cookies", envs.bool("FLOWCRAFT_SECURE_COOKIES", false), "mark cookies Secure, behind a TLS proxy (FLOWCRAFT_SECURE_COOKIES)")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 30*time.Second, "how long in-flight requests may finish on shutdown")
	fs.StringVar(&httpAllow, "http-allow", getenv("FLOWCRAFT_HTTP_ALLOW"), "comma-separated hosts, IPs or CIDRs that http-request may reach although private or loopback (FLOWCRAFT_HTTP_ALLOW)")
	fs.StringVar(&cfg.DataSources, "datasources", getenv("FLOWCRAFT_DATASOURCES"), `named databases for database-handler, JSON: {"reports": {"driver": "sqlite", "dsn": "file:/path/reports.db"}} (FLOWCRAFT_DATASOURCES)`)
	fs.StringVar(&cfg.PprofAddr, "pprof-addr", getenv("FLOWCRAFT_PPROF_ADDR"), "serve Go's /debug/pprof on this address, e.g. 127.0.0.1:6060 (FLOWCRAFT_PPROF_ADDR; off when empty)")
	fs.Int64Var(&cfg.NodeID, "node-id", int64(envs.int("FLOWCRAFT_NODE_ID", 0)), "snowflake node number 0..1023, unique per flowcraft process sharing a database (FLOWCRAFT_NODE_ID)")
	fs.StringVar(&timezone, "timezone", getenv("FLOWCRAFT_TIMEZONE"), "IANA time zone of the seed's text times, e.g. Asia/Shanghai; default the machine's local zone (FLOWCRAFT_TIMEZONE)")
	fs.IntVar(&cfg.MaxRuntimes, "max-runtimes", envs.int("FLOWCRAFT_MAX_RUNTIMES", 100_000), "runtimes one instance may make; past it the instance fails (FLOWCRAFT_MAX_RUNTIMES)")
	fs.IntVar(&cfg.IdleStates, "idle-states", envs.int("FLOWCRAFT_IDLE_STATES", 1_024), "waiting instances whose state stays in memory, so the worker or approver that wakes one saves reading it; 0: none (FLOWCRAFT_IDLE_STATES)")
	fs.IntVar(&cfg.MaxTokens, "max-tokens", envs.int("FLOWCRAFT_MAX_TOKENS", 1_000), "live tokens one instance may hold at once; past it the instance fails (FLOWCRAFT_MAX_TOKENS)")
	fs.Int64Var(&cfg.MaxBinaryVariable, "max-binary-variable", int64(envs.int("FLOWCRAFT_MAX_BINARY_VARIABLE", engine.DefaultMaxBinaryVariable)), "largest binary process variable in bytes (FLOWCRAFT_MAX_BINARY_VARIABLE)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if envs.err != nil {
		return cfg, envs.err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, fmt.Errorf("--log-level: %w", err)
	}
	switch logFormat {
	case "text":
	case "json":
		cfg.LogJSON = true
	default:
		return cfg, fmt.Errorf("--log-format must be text or json")
	}
	cfg.AdminPassword = getenv("FLOWCRAFT_ADMIN_PASSWORD")
	cfg.KeepProcs = getenv("GOMAXPROCS") != ""
	for _, h := range strings.Split(httpAllow, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.HTTPAllow = append(cfg.HTTPAllow, h)
		}
	}
	if cfg.NodeID < 0 || cfg.NodeID > 1023 {
		return cfg, fmt.Errorf("--node-id must be 0..1023")
	}
	cfg.Location = localZone(getenv("TZ"), "/etc/localtime", "/etc/timezone")
	if timezone != "" {
		loc, err := time.LoadLocation(timezone)
		if err != nil || timezone == "Local" {
			return cfg, fmt.Errorf("--timezone %q is not an IANA time zone name (like Asia/Shanghai or UTC)", timezone)
		}
		cfg.Location = loc
	}
	if cfg.MaxRuntimes < 1 || cfg.MaxTokens < 1 {
		return cfg, fmt.Errorf("--max-runtimes and --max-tokens must be at least 1")
	}
	if cfg.MaxBinaryVariable < 1 {
		return cfg, fmt.Errorf("--max-binary-variable must be at least 1")
	}
	if cfg.BodyLimit < 1 {
		return cfg, fmt.Errorf("--body-limit must be at least 1")
	}
	if cfg.IdleStates < 0 {
		return cfg, fmt.Errorf("--idle-states must be 0 (none) or more")
	}
	return cfg, nil
}

// nodeName names this process in node_inst.execute_ip (the seed: who ran the task):
// the host name, with "#<node id>" when several processes may share the database.
func nodeName(nodeID int64) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "flowcraft"
	}
	if nodeID != 0 {
		return fmt.Sprintf("%s#%d", host, nodeID)
	}
	return host
}

// localZone is the machine's time zone under its IANA name, found as Go finds
// time.Local: $TZ (a name, ":name" or a zoneinfo path), else the zoneinfo file the
// localtime symlink points to, else the name in the timezone file (Debian). The
// page scripts format times with that name (Intl's timeZone), so a zone that
// cannot be named is UTC, in the pages and in the API alike.
func localZone(tz, localtime, timezoneFile string) *time.Location {
	var names []string
	if tz = strings.TrimPrefix(tz, ":"); tz != "" {
		names = append(names, tz)
	} else {
		if target, err := os.Readlink(localtime); err == nil {
			names = append(names, target)
		}
		if b, err := os.ReadFile(timezoneFile); err == nil {
			names = append(names, strings.TrimSpace(string(b)))
		}
	}
	for _, name := range names {
		if i := strings.LastIndex(name, "zoneinfo/"); i >= 0 {
			name = strings.TrimPrefix(name[i+len("zoneinfo/"):], "posix/")
		}
		if name == "" || name == "Local" || strings.HasPrefix(name, "/") {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// envSettings reads typed settings from the environment: a malformed value is an
// error (err, the first), never the default in silence; the flags' own checks then
// judge the value as they judge a flag's.
type envSettings struct {
	getenv func(string) string
	err    error
}

func (e *envSettings) fail(name, value, want string) {
	if e.err == nil {
		e.err = fmt.Errorf("%s=%q is not %s", name, value, want)
	}
}

// int is the whole number in name, or def when it is unset.
func (e *envSettings) int(name string, def int) int {
	s := strings.TrimSpace(e.getenv(name))
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		e.fail(name, s, "a whole number")
		return def
	}
	return n
}

// bool is true/false (or 1/0, yes/no, on/off) in name, or def when it is unset.
func (e *envSettings) bool(name string, def bool) bool {
	s := strings.TrimSpace(e.getenv(name))
	switch strings.ToLower(s) {
	case "":
		return def
	case "yes", "on":
		return true
	case "no", "off":
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		e.fail(name, s, "true or false")
		return def
	}
	return v
}

// serve runs the HTTP server until ctx is done, then shuts down gracefully: the
// listener closes, in-flight requests finish (up to the grace period), the database
// closes cleanly.
func serve(ctx context.Context, cfg serveConfig, stdout, stderr io.Writer) error {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var log *slog.Logger
	if cfg.LogJSON {
		log = slog.New(slog.NewJSONHandler(stderr, opts))
	} else {
		log = slog.New(slog.NewTextHandler(stderr, opts))
	}

	// Twice as many Ps as CPUs lets the OS interleave HTTP handlers, engine work and
	// the single database writer more evenly under load: webhook p99 at saturation fell
	// from 27 to 15 ms at the same throughput (BENCHMARKS.md). Fast executions stay
	// bounded by the real CPU count.
	cpus := runtime.GOMAXPROCS(0)
	if !cfg.KeepProcs {
		runtime.GOMAXPROCS(2 * cpus)
	}

	specs, err := datasource.ParseSpecs(cfg.DataSources)
	if err != nil {
		return fmt.Errorf("--datasources: %w", err)
	}
	st, err := stack.Open(ctx, stack.Config{DataDir: cfg.DataDir, Log: log, NodeID: cfg.NodeID, HTTPAllow: cfg.HTTPAllow,
		Store:       sqlite.Options{Location: cfg.Location, Node: nodeName(cfg.NodeID)},
		DataSources: specs, Runtime: engine.RuntimeOptions{FastSlots: max(1, cpus-1),
			MaxRuntimesPerInstance: cfg.MaxRuntimes, MaxActiveTokens: cfg.MaxTokens, MaxBinaryVariable: cfg.MaxBinaryVariable,
			IdleStates: idleStates(cfg.IdleStates)}})
	if err != nil {
		return err
	}
	// On the way out stopAll stops everything within one grace period; an early
	// return closes the stack alone, with a grace of its own.
	stopped := false
	defer func() {
		if !stopped {
			stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
			defer cancel()
			if err := st.Close(stopCtx); err != nil {
				log.Error("closing the engine did not finish within the grace period", "err", err)
			}
		}
	}()
	log.Info("database open", "path", st.Store.Path())
	users := st.Identity
	// The engine stops in stopAll, after the HTTP server: not when ctx (the signal) ends.
	if err := st.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}

	password, err := users.Bootstrap(ctx, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create admin user: %w", err)
	}
	if password != "" {
		if cfg.AdminPassword == "" {
			fmt.Fprintf(stdout, "\n  flowcraft created the admin user.\n  user:     admin\n  password: %s\n  (shown only this once; change it under Admin, or set FLOWCRAFT_ADMIN_PASSWORD before the first start)\n\n", password)
		} else {
			log.Info("admin user created with the password from FLOWCRAFT_ADMIN_PASSWORD")
		}
	}

	app, srv, capi := newApp(st, web.Config{BodyLimit: cfg.BodyLimit, SecureCookie: cfg.SecureCookie, Location: cfg.Location}, log)

	if cfg.PprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dbg := &http.Server{Addr: cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := dbg.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("pprof listener", "err", err)
			}
		}()
		defer dbg.Close()
		log.Info("pprof listening", "addr", cfg.PprofAddr)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("flowcraft listening", "addr", ln.Addr().String(), "url", "http://"+displayAddr(ln.Addr()), "version", version)

	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	srv.CloseStreams()
	capi.Close() // long polls answer Camunda's shutdown error now
	stopped = true
	stopAll(cfg.ShutdownGrace, app, st, log)
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		log.Warn("server stopped", "err", err)
	}
	log.Info("stopped")
	return nil
}

// stopAll stops the HTTP server (in-flight requests finish), then the engine stack
// (scheduler, runtime, database), all within one grace period from now, and logs what
// did not finish. It returns what it logged.
func stopAll(grace time.Duration, app interface{ ShutdownWithContext(context.Context) error },
	st interface{ Close(context.Context) error }, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	if err := app.ShutdownWithContext(ctx); err != nil {
		log.Error("HTTP requests did not finish within the grace period", "err", err)
		errs = append(errs, fmt.Errorf("http: %w", err))
	}
	if err := st.Close(ctx); err != nil {
		log.Error("the engine did not stop within the grace period", "err", err)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// displayAddr turns ":8080" into "localhost:8080" for the log line.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// idleStates is the runtime's IdleStates for --idle-states: 0 there is none, which
// the runtime spells negative (its 0 is the default).
func idleStates(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// newApp assembles the HTTP surfaces over a stack: the native API and the pages,
// seed 003's Flowable REST API beside them (DESIGN §8) and Camunda 7's external task
// API for workers (DESIGN §10), each in its own error shape. Closing the Camunda API
// answers its long polls at once.
func newApp(st *stack.Stack, cfg web.Config, log *slog.Logger) (*fiber.App, *web.Server, *camunda.API) {
	rt := st.Runtime
	fapi := flowable.New(flowable.Deps{Definitions: st.Definitions, Runtime: rt, Tasks: st.Tasks, InstanceLinks: st.Store, History: st.Store,
		Identity: st.Identity, Templates: st.Templates, Jobs: st.Jobs, External: rt.ExternalTasks(), Log: log, Version: version},
		flowable.Config{Location: cfg.Location})
	capi := camunda.New(camunda.Deps{External: rt.ExternalTasks(), Identity: st.Identity, Log: log}, camunda.Config{Location: cfg.Location})
	cfg.PrefixErrors = fapi.PrefixErrors()
	maps.Copy(cfg.PrefixErrors, capi.PrefixErrors())
	app, srv := web.NewServer(cfg, web.Deps{
		Definitions: st.Definitions, Identity: st.Identity, Templates: st.Templates, Scripts: st.Scripts, DB: st.Store, Runtime: rt,
		Tasks: st.Tasks, Events: rt.Events(), Metrics: rt, Jobs: st.Jobs, Retention: st.Retention,
		External: rt.ExternalTasks(), Static: staticFS(), Log: log, Version: version,
	})
	fapi.Mount(app)
	capi.Mount(app)
	return app, srv, capi
}
