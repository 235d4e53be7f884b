package scripting

import (
	"context"
	"runtime"
	"time"

	"github.com/dop251/goja"
)

// Options configure an Engine. Zero values mean the documented defaults.
type Options struct {
	CacheSize     int           // compiled programs kept (LRU by source); default 1024
	Timeout       time.Duration // deadline per run when ctx has none; default 2s
	MaxCallStack  int           // maximum JS call depth; default 1024
	MaxLogEntries int           // console entries kept per run; default 100 (each message truncated to 4 KiB)
	MaxStringLen  int           // longest string a guarded built-in may create, in UTF-16 code units (JS length); default 16 Mi
	MaxArrayLen   int           // longest array a guarded built-in may create or walk; default 1_000_000
	MaxOutputSize int           // max JSON size in bytes of a result and of vars; default 16 MiB
	// MaxMemory is the process heap growth in bytes tolerated while a run
	// older than 5ms is executing before that run is interrupted with a limit
	// error; default 256 MiB. See the package documentation for how coarse
	// this is.
	MaxMemory int64
	// MaxTotalMemory is the process heap growth in bytes tolerated while
	// runs are executing, whatever their number; beyond it the monitor
	// interrupts the oldest monitored runs with a limit error until the heap
	// is back under budget. Default 512 MiB.
	MaxTotalMemory int64
	// MaxConcurrentRuns caps the runs executing at once (a batch of
	// templates counts as one); further runs wait for a slot under their
	// context. Default 4*GOMAXPROCS.
	MaxConcurrentRuns int
	// PoolSize is the number of idle runtimes kept for reuse; default
	// 2*GOMAXPROCS.
	PoolSize int
	// MaxSourceSize is the longest script, expression, template, or source
	// built at run time (eval, Function, RegExp patterns), in bytes;
	// default 1 MiB.
	MaxSourceSize int
	// MaxNesting is the deepest syntax tree user code may have, also the
	// deepest group nesting of a regular expression; the parser's own
	// recursion is limited accordingly. Deeper code is refused with a limit
	// error before goja parses or compiles it. Default 512.
	MaxNesting int
}

const (
	defaultCacheSize     = 1024
	defaultTimeout       = 2 * time.Second
	defaultMaxCallStack  = 1024
	defaultMaxLogEntries = 100
	defaultMaxStringLen  = 16 << 20
	defaultMaxArrayLen   = 1_000_000
	defaultMaxOutputSize = 16 << 20
	defaultMaxMemory     = 256 << 20
	defaultMaxTotalMem   = 512 << 20
	defaultMaxSourceSize = 1 << 20
	defaultMaxNesting    = 512

	maxLogMessage  = 4 << 10 // bytes per console message
	maxDepth       = 1000    // nesting depth for JSON, export and join
	maxRunsPerVM   = 10_000  // a runtime is replaced after this many runs
	maxFuncsPerVM  = 512     // program instances cached per runtime
	memCheckDelay  = 5 * time.Millisecond
	memCheckPeriod = 2 * time.Millisecond
)

func (o Options) withDefaults() Options {
	if o.CacheSize <= 0 {
		o.CacheSize = defaultCacheSize
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxCallStack <= 0 {
		o.MaxCallStack = defaultMaxCallStack
	}
	if o.MaxLogEntries <= 0 {
		o.MaxLogEntries = defaultMaxLogEntries
	}
	if o.MaxStringLen <= 0 {
		o.MaxStringLen = defaultMaxStringLen
	}
	if o.MaxArrayLen <= 0 {
		o.MaxArrayLen = defaultMaxArrayLen
	}
	if o.MaxOutputSize <= 0 {
		o.MaxOutputSize = defaultMaxOutputSize
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = defaultMaxMemory
	}
	if o.MaxTotalMemory <= 0 {
		o.MaxTotalMemory = defaultMaxTotalMem
	}
	if o.MaxConcurrentRuns <= 0 {
		o.MaxConcurrentRuns = 4 * runtime.GOMAXPROCS(0)
	}
	if o.PoolSize <= 0 {
		o.PoolSize = 2 * runtime.GOMAXPROCS(0)
	}
	if o.MaxSourceSize <= 0 {
		o.MaxSourceSize = defaultMaxSourceSize
	}
	if o.MaxNesting <= 0 {
		o.MaxNesting = defaultMaxNesting
	}
	return o
}

// Engine compiles and runs user JavaScript in pooled, hardened goja
// runtimes. It is safe for concurrent use.
type Engine struct {
	opts    Options
	cache   *programCache
	pool    chan *vmState
	mon     *memMonitor
	slots   chan struct{} // one per executing batch (MaxConcurrentRuns)
	hardenJ *goja.Program // per-runtime hardening script
}

// New returns an Engine configured by opts.
func New(opts Options) *Engine {
	opts = opts.withDefaults()
	return &Engine{
		opts:    opts,
		cache:   newProgramCache(opts.CacheSize),
		pool:    make(chan *vmState, opts.PoolSize),
		mon:     newMemMonitor(uint64(opts.MaxMemory), uint64(opts.MaxTotalMemory)),
		slots:   make(chan struct{}, opts.MaxConcurrentRuns),
		hardenJ: goja.MustCompile("harden", hardenSource, true),
	}
}

// Scope is what every script and expression sees. Values must be
// JSON-compatible Go data (nil, bool, numbers, json.Number, string, []any,
// map[string]any); anything else is converted through encoding/json.
type Scope struct {
	Input    any
	Trigger  any
	Vars     map[string]any // scripts may write vars.x = ...; changes come back in Result.Vars
	Nodes    map[string]any // "task-id" -> {"output": ...}
	Instance map[string]any // {id, processId, startedBy, startedAt}
	Item     any            // forEach element (only when InLoop)
	Index    int
	InLoop   bool
}

// LogEntry is one captured console call.
type LogEntry struct {
	Level   string    `json:"level"` // log|info|warn|error|debug
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// Result is the outcome of RunScript.
type Result struct {
	Value       any            // JSON-compatible result (see package doc for the conversion rules)
	Vars        map[string]any // vars after the run (always the full map)
	VarsChanged bool
	Logs        []LogEntry
}

// RunScript runs a script node's code: a function body that may use
// `return`, e.g. "vars.a = 1; return {a: input.x + 1}".
func (e *Engine) RunScript(ctx context.Context, code string, s Scope) (Result, error) {
	p := e.compile(kindScript, code)
	if p.err != nil {
		return Result{Vars: s.Vars}, p.err.clone()
	}
	b := e.newBatch(&s)
	defer b.close()
	return b.runScript(ctx, p)
}

// Eval evaluates one bare JS expression (e.g. "input.amount < 1000") to a
// JSON-compatible value.
func (e *Engine) Eval(ctx context.Context, expr string, s Scope) (any, error) {
	p := e.compile(kindExpr, expr)
	if p.err != nil {
		return nil, p.err.clone()
	}
	b := e.newBatch(&s)
	defer b.close()
	return b.eval(ctx, p)
}

// Condition evaluates a bare expression with JavaScript truthiness.
func (e *Engine) Condition(ctx context.Context, expr string, s Scope) (bool, error) {
	p := e.compile(kindExpr, expr)
	if p.err != nil {
		return false, p.err.clone()
	}
	b := e.newBatch(&s)
	defer b.close()
	return b.condition(ctx, p)
}
