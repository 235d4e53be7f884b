package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// ProcessSource loads definitions for execution. The db package implements it.
type ProcessSource interface {
	// ProcessHead returns the current version and enabled flag of a definition.
	ProcessHead(ctx context.Context, id string) (version int, enabled bool, err error)
	// ProcessAt returns a definition as it was at a version (current or earlier).
	ProcessAt(ctx context.Context, id string, version int) (*Process, error)
	// ListStarters returns the candidate starters of a definition (none: everyone may
	// start it); ErrNotFound if there is no such definition.
	ListStarters(ctx context.Context, id string) ([]Starter, error)
}

// RuntimeOptions tune the runtime.
type RuntimeOptions struct {
	Workers      int           // instances executing at once; default 256
	JobPoll      time.Duration // how often the job executor looks for due jobs; default 200ms
	JobLease     time.Duration // how long a claimed job is leased; default 30s
	Owner        string        // lock owner name of this process for jobs; default "node-<snowflake node>"
	DefaultLoopC int           // default maxConcurrency of parallel forEach loops; default 4
	FastSlots    int           // fast instances executing at once; default GOMAXPROCS-1 (at least 1)
	// MaxRuntimesPerInstance fails an instance that made more runtimes than this: a
	// cycle or a fan-out that runs away. Default 100,000.
	MaxRuntimesPerInstance int
	// MaxActiveTokens fails an instance with more live tokens (pending, running or
	// waiting runtimes) at once. Default 1,000.
	MaxActiveTokens int
	// MaxBinaryVariable bounds the content of a binary process variable, in bytes.
	// Default DefaultMaxBinaryVariable (10 MB).
	MaxBinaryVariable int64
	// IdleStates is how many waiting instances keep their state in memory, so that
	// the command that wakes one does not read it again (idlestates.go). Default
	// 1,024; negative: none.
	IdleStates int
}

// Runtime executes process instances durably (the standard engine): every step is
// committed before the next starts; timers, retries and resumptions are jobs.
type Runtime struct {
	store    RuntimeStore
	procs    ProcessSource
	tasks    HumanTaskStore
	dir      Directory
	reg      *templates.Registry
	scripts  *scripting.Engine
	services *templates.Services
	ids      *IDGen
	events   *Events
	log      *slog.Logger
	now      func() time.Time
	opts     RuntimeOptions
	cache    compiledCache

	// jobs claims due jobs and hands them to dispatch; approvals serves human tasks.
	jobs      *JobExecutor
	approvals *Approvals
	external  *ExternalTasks

	mu     sync.Mutex
	actors map[ID]*actor
	// idleStates holds the states of waiting instances whose actor ended (idlestates.go).
	idleStates *idleStates
	waiters    map[ID][]chan *Instance
	started    bool // Start was called: actors may run
	closed     bool // Close was called: no more work is taken
	slots      chan struct{}
	// fastSlots bounds fast instances executing at once (the CPUs but one by default):
	// more would only take turns with each other and starve the HTTP server and the
	// writer, which makes latency spiky (BENCHMARKS.md).
	fastSlots chan struct{}
	// wg counts the running actors and fast instances; fastRunning the latter.
	wg          sync.WaitGroup
	fastRunning atomic.Int64
	// runCtx (derived from Start's context) ends, cause errStopping, when the runtime
	// stops: a step in progress is interrupted and abandoned without commit, and runs
	// again after the next start.
	runCtx  context.Context
	stopRun context.CancelCauseFunc
	// killCtx ends when Close's grace runs out: fast instances still running are then
	// dropped unwritten, as in a crash.
	killCtx  context.Context
	killFast context.CancelCauseFunc
	// closeOnce makes Close idempotent; closeErr is its outcome.
	closeOnce sync.Once
	closeErr  error
	// resumed holds the crash counts of the instances Start resumed, until their actor
	// marks them (MarkResumed) before their first step.
	resumed map[ID]int
	// suspects lets one suspect (an instance whose step was running during a crash) run
	// its first step at a time.
	suspects chan struct{}
	metrics  Metrics
	// heads caches ProcessHead for a second (local changes invalidate it at once).
	heads sync.Map // id -> processHead
	// unwritten holds ended fast instances (*instState) until the store has written
	// them, so that reads right after a start find them.
	unwritten sync.Map
}

// actor serializes work on one instance: one goroutine at a time runs its commands and
// steps.
type actor struct {
	cmds    []command
	running bool
	// stop interrupts the steps the actor is driving (nil while it runs commands):
	// a cancel or suspend calls it with errPreempted.
	stop context.CancelCauseFunc
}

// command is work done on an instance by its actor, e.g. a due timer.
type command struct {
	run func(ctx context.Context, st *instState) error
	// dropped, when set, learns that the command will never run (the instance could not
	// be loaded, or the runtime stopped).
	dropped func(err error)
	// preempt interrupts the step in progress (which is abandoned, not failed) so the
	// command runs at once: cancel and suspend.
	preempt bool
}

// RuntimeDeps are the collaborators of a Runtime.
type RuntimeDeps struct {
	Store     RuntimeStore
	Processes ProcessSource
	Tasks     HumanTaskStore
	External  ExternalStore // nil: external tasks fail (ErrUnavailable)
	Directory Directory
	Templates *templates.Registry
	Services  *templates.Services
	IDs       *IDGen
	Events    *Events
	Now       func() time.Time // default time.Now
	Log       *slog.Logger
}

// NewRuntime returns a runtime with its job executor and approval service. It starts
// nothing: call Start to resume unfinished instances and run jobs, Close to stop.
func NewRuntime(d RuntimeDeps, opts RuntimeOptions) *Runtime {
	store, procs, reg, services, ids, events, now, log := d.Store, d.Processes, d.Templates, d.Services, d.IDs, d.Events, d.Now, d.Log
	if opts.Workers <= 0 {
		opts.Workers = 256
	}
	if opts.JobPoll <= 0 {
		opts.JobPoll = 200 * time.Millisecond
	}
	if opts.JobLease <= 0 {
		opts.JobLease = 30 * time.Second
	}
	if opts.Owner == "" {
		// Node numbers are unique among the processes sharing a database, so the owner
		// name is too, and it stays the same across restarts of this process.
		opts.Owner = fmt.Sprintf("node-%d", ids.Node())
	}
	if opts.DefaultLoopC <= 0 {
		opts.DefaultLoopC = 4
	}
	if opts.FastSlots <= 0 {
		opts.FastSlots = max(1, runtime.GOMAXPROCS(0)-1)
	}
	if opts.MaxRuntimesPerInstance <= 0 {
		opts.MaxRuntimesPerInstance = 100_000
	}
	if opts.MaxActiveTokens <= 0 {
		opts.MaxActiveTokens = 1_000
	}
	if opts.MaxBinaryVariable <= 0 {
		opts.MaxBinaryVariable = DefaultMaxBinaryVariable
	}
	if opts.IdleStates == 0 {
		opts.IdleStates = 1_024
	}
	if now == nil {
		now = time.Now
	}
	r := &Runtime{
		store: store, procs: procs, tasks: d.Tasks, dir: d.Directory, reg: reg, scripts: services.Scripts, services: services, ids: ids, events: events,
		log: log.With("subsystem", "engine"), now: now, opts: opts, cache: compiledCache{m: map[string]*compiled{}},
		actors: map[ID]*actor{}, waiters: map[ID][]chan *Instance{}, slots: make(chan struct{}, opts.Workers),
		fastSlots: make(chan struct{}, opts.FastSlots),
		resumed:   map[ID]int{}, suspects: make(chan struct{}, 1),
		idleStates: newIdleStates(opts.IdleStates),
	}
	r.jobs = NewJobExecutor(JobExecutorDeps{Store: store, Handle: r.dispatch, Now: now, Log: log, Metrics: &r.metrics},
		JobExecutorOptions{Poll: opts.JobPoll, Lease: opts.JobLease, Owner: opts.Owner})
	r.approvals = newApprovals(approvalDeps{Tasks: d.Tasks, Directory: d.Directory, IDs: ids, Events: events, Now: now, Log: log, Flow: r})
	r.external = newExternalTasks(r, d.External)
	return r
}

// Events returns the runtime's event hub.
func (r *Runtime) Events() *Events { return r.events }

// quarantineAfter is the crash count at which Start fails an instance instead of
// resuming it.
const quarantineAfter = 2

// Start resumes every unfinished instance and starts the job executor, in ctx: the
// actors' steps run in it (its values reach the store), and when it ends the runtime
// stops as with Close but without waiting. A second Start does nothing; a Start
// after Close is an error.
//
// Crash loops: an instance whose step kills the whole process (a fatal error Go
// cannot recover) would be resumed at every start and kill it again, forever. So
// each resumed instance adds one to its crash count, durably, right before its first
// step, and every step it commits sets the count back to 0 (in the same write). A
// count of 1 at start means the instance's step was running when the process died;
// such suspects run their first step one at a time, so that the instance that kills
// the process is told apart from the ones that merely ran beside it. An instance
// that reaches quarantineAfter (its step ran, alone among the suspects, during
// another crash) is failed here instead of resumed; a retry runs it again. The first
// crash is not counted (telling it apart would cost a write before every step): a
// step that kills the process runs three times in all. False positive: an innocent
// instance whose first step after two restarts in a row was cut by crashes it did
// not cause (the host killed, say, while it waited on a slow call) is quarantined
// too; retrying it is safe.
func (r *Runtime) Start(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errors.New("engine: start after close")
	}
	if r.started {
		r.mu.Unlock()
		return nil
	}
	r.runCtx, r.stopRun = context.WithCancelCause(ctx)
	r.killCtx, r.killFast = context.WithCancelCause(ctx)
	r.started = true
	r.mu.Unlock()
	list, err := r.store.InstancesToResume(ctx)
	if err != nil {
		return fmt.Errorf("list unfinished instances: %w", err)
	}
	resumed := 0
	for _, ri := range list {
		if ri.Crashes >= quarantineAfter {
			if err := r.quarantine(ctx, ri); err != nil {
				// Not resumed either: it would crash the process again. The next start tries again.
				r.log.Error("quarantining an instance that crashed the process", "instance", ri.ID, "err", err)
			}
			continue
		}
		r.mu.Lock()
		r.resumed[ri.ID] = ri.Crashes
		r.mu.Unlock()
		r.submit(ri.ID, nil, nil)
		resumed++
	}
	if resumed > 0 {
		r.log.Info("resuming unfinished instances", "count", resumed)
	}
	return r.jobs.Start(ctx)
}

// quarantine fails an instance that crashed the process too often instead of resuming it.
func (r *Runtime) quarantine(ctx context.Context, ri Resumable) error {
	st, err := r.load(ctx, ri.ID)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("quarantined: the server crashed %d times in a row while a step of this instance was running after a restart, "+
		"so it was not resumed again; fix the cause, then retry the instance to run that step again", ri.Crashes)
	r.log.Warn("instance quarantined after crashing the process", "instance", ri.ID, "process", st.inst.ProcessID, "crashes", ri.Crashes)
	return r.end(ctx, st, StatusFailed, nil, msg)
}

// takeResumed returns (and forgets) the crash count of an instance Start resumed.
func (r *Runtime) takeResumed(id ID) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.resumed[id]
	delete(r.resumed, id)
	return c, ok
}

// Close stops taking work, stops the job executor, then stops the actors. A step in
// progress is interrupted and abandoned without commit, exactly as if the process had
// crashed: the instance continues with that step on the next start (at-least-once).
// Fast instances in flight run to their end and are written if they end within ctx;
// past it they are dropped unwritten, as in a crash (DESIGN §4), and Close returns an
// error naming the service and how many instances had not stopped, matching ctx's
// error. Close may be called more than once; each call returns the first outcome.
func (r *Runtime) Close(ctx context.Context) error {
	r.closeOnce.Do(func() { r.closeErr = r.close(ctx) })
	return r.closeErr
}

func (r *Runtime) close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	started := r.started
	r.mu.Unlock()
	r.external.wake.close()
	jobsErr := r.jobs.Close(ctx)
	if !started {
		return jobsErr
	}
	r.stopRun(errStopping)
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return jobsErr
	case <-ctx.Done():
	}
	r.mu.Lock()
	actors := len(r.actors)
	r.mu.Unlock()
	fast := r.fastRunning.Load()
	r.killFast(errStopping)
	err := fmt.Errorf("engine: %d instance(s) had not stopped (%d standard, %d fast dropped unwritten): %w",
		int64(actors)+fast, actors, fast, context.Cause(ctx))
	return errors.Join(jobsErr, err)
}

// definition returns the compiled definition of a process at a version.
func (r *Runtime) definition(ctx context.Context, id string, version int) (*compiled, error) {
	if c := r.cache.get(id, version); c != nil {
		return c, nil
	}
	p, err := r.procs.ProcessAt(ctx, id, version)
	if err != nil {
		return nil, err
	}
	c, err := compile(p, r.reg)
	if err != nil {
		// Saved before a check that now refuses it (validation grows stricter): the
		// caller learns what to fix, not "internal error".
		return nil, Coded(ErrConflict, CodeNotRunnable, Params{"process": id, "version": version}, "process %s version %d cannot run: %v; save a corrected version", id, version, err)
	}
	r.cache.put(c)
	return c, nil
}

type processHead struct {
	version int
	enabled bool
	at      time.Time
}

// headTTL bounds how long a change made by another flowcraft process on the same
// database may go unseen by this one.
const headTTL = time.Second

// head returns the current version and enabled flag of a process, cached.
func (r *Runtime) head(ctx context.Context, id string) (int, bool, error) {
	if v, ok := r.heads.Load(id); ok {
		h := v.(processHead)
		if r.now().Sub(h.at) < headTTL {
			return h.version, h.enabled, nil
		}
	}
	version, enabled, err := r.procs.ProcessHead(ctx, id)
	if err != nil {
		return 0, false, err
	}
	r.heads.Store(id, processHead{version: version, enabled: enabled, at: r.now()})
	return version, enabled, nil
}

// ProcessChanged drops what the runtime cached about a process; Definitions calls it
// (through OnChange) whenever a definition changes.
func (r *Runtime) ProcessChanged(id string) { r.heads.Delete(id) }

// StartOptions are the options of a start.
type StartOptions struct {
	By string // the user starting it; empty (hooks, schedules): the definition's creator
	// Caller is the person starting it by hand (the API or the UI): the start must be
	// one they may make (mayStartByHand). Nil for hooks, schedules and subprocesses.
	Caller *User
	// IdempotencyKey: repeats within 24 h with the same trigger data return the first
	// instance; with other data they are ErrUnprocessable.
	IdempotencyKey string
	// IdempotencyScope is whose keys they are (a user, a webhook token): the same key
	// in another scope is another key.
	IdempotencyScope string

	Wait         time.Duration  // wait up to this long for the instance to end
	ParentID     ID             // subprocess: the parent instance
	ParentNodeID ID             // subprocess: the parent's waiting runtime
	TriggerApp   string         // what started it (manual, webhook, cron-timer, subprocess)
	Vars         map[string]any // initial process variables, their types inferred
	// Variables are initial typed variables (checked as NewVariable does), set after
	// Vars.
	Variables []Variable
	// BusinessKey is the instance's business key (seed 003), at most MaxKeyLen characters.
	BusinessKey string
	// TenantID is the instance's tenant; "" takes the definition's. A definition with a
	// tenant starts instances of that tenant only.
	TenantID string
	// Version starts this version of the definition (seed 003's start by a case
	// definition id); 0 the current one. ErrNotFound (unknown_version) when it has
	// none such.
	Version int
}

// StartResult is a started instance; Ended says whether it finished within Wait.
type StartResult struct {
	Instance *Instance
	Ended    bool
	Existing bool // returned for a repeated Idempotency-Key
}

const idempotencyWindow = 24 * time.Hour

// StartInstance starts an instance of a process with trigger data.
func (r *Runtime) StartInstance(ctx context.Context, processID string, trigger any, opts StartOptions) (*StartResult, error) {
	version, enabled, err := r.head(ctx, processID)
	if err != nil {
		return nil, err
	}
	if opts.Version != 0 && opts.Version != version {
		if opts.Version < 1 || opts.Version > version {
			return nil, Coded(ErrNotFound, CodeUnknownVersion, Params{"process": processID, "version": opts.Version},
				"process %s has no version %d", processID, opts.Version)
		}
		version = opts.Version
	}
	if !enabled && opts.ParentID == 0 {
		return nil, Coded(ErrConflict, CodeDisabledProcess, Params{"process": processID}, "process %s is disabled; enable it to start instances", processID)
	}
	def, err := r.definition(ctx, processID, version)
	if err != nil {
		return nil, err
	}
	if err := checkStartLabels(def.p, &opts); err != nil {
		return nil, err
	}
	if opts.Caller != nil {
		if err := mayStartByHand(def.p, opts.Caller); err != nil {
			return nil, err
		}
		if err := r.mayStart(ctx, def.p.ID, opts.Caller); err != nil {
			return nil, err
		}
		if def.p.TriggerApp == "webhook" {
			r.log.Info("webhook process started by hand", "process", processID, "by", opts.Caller.ID, "role", opts.Caller.Role)
		}
	}
	if err := def.validateInput(trigger); err != nil {
		return nil, err
	}
	var idem *IdemKey
	if opts.IdempotencyKey != "" {
		idem = &IdemKey{Scope: idemScope(processID, opts.IdempotencyScope), Key: opts.IdempotencyKey}
		if res, ok, err := r.idempotent(ctx, idem, trigger, opts.Wait); ok || err != nil {
			return res, err
		}
	}
	st, err := r.newInstance(def, trigger, opts)
	if err != nil {
		return nil, err
	}
	if def.p.Engine == EngineFast {
		return r.runFast(ctx, st, idem)
	}
	s := st.newStep()
	s.isNew, s.idem = true, idem
	start := st.nodes[0]
	s.touch(start)
	if err := r.route(ctx, s, def.tasks[start.TaskID], start, start.Output); err != nil {
		return nil, err
	}
	if def.p.Timeout > 0 {
		s.jobs = append(s.jobs, r.job(JobProcessTimeout, st.inst.ID, 0, "", st.inst.StartAt+def.p.Timeout))
	}
	var wait chan *Instance
	if opts.Wait > 0 {
		wait = r.addWaiter(st.inst.ID)
	}
	if err := r.commit(ctx, s); err != nil {
		r.removeWaiter(st.inst.ID, wait)
		if idem != nil && errors.Is(err, ErrConflict) {
			if res, ok, err2 := r.idempotent(ctx, idem, trigger, opts.Wait); ok || err2 != nil {
				return res, err2
			}
		}
		return nil, err
	}
	r.metrics.Started.Add(1)
	snapshot := *st.inst
	r.submit(st.inst.ID, nil, st)
	res := &StartResult{Instance: &snapshot}
	if wait != nil {
		res.Instance, res.Ended = r.await(ctx, st.inst.ID, wait, opts.Wait, &snapshot)
	}
	return res, nil
}

// idempotent returns the instance a key started within the window (ok false: none),
// and ErrUnprocessable when that start had other trigger data.
func (r *Runtime) idempotent(ctx context.Context, k *IdemKey, trigger any, wait time.Duration) (*StartResult, bool, error) {
	id, ok, err := r.store.IdempotentInstance(ctx, *k, r.now().Add(-idempotencyWindow).UnixMilli())
	if err != nil || !ok {
		return nil, false, err
	}
	in, err := r.store.GetInstance(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if !sameData(in.Trigger, trigger) {
		return nil, true, Coded(ErrUnprocessable, CodeKeyReused, nil, "Idempotency-Key %q was already used for a start with other data; "+
			"send the same data to get that start's instance, or a new key for a new start", k.Key)
	}
	res := &StartResult{Instance: in, Existing: true, Ended: Ended(in.Status)}
	if !res.Ended && wait > 0 {
		ch := r.addWaiter(id)
		// It may have ended between the read and the subscription.
		if in2, err := r.store.GetInstance(ctx, id); err == nil && Ended(in2.Status) {
			r.removeWaiter(id, ch)
			res.Instance, res.Ended = in2, true
			return res, true, nil
		}
		res.Instance, res.Ended = r.await(ctx, id, ch, wait, in)
	}
	return res, true, nil
}

// newInstance builds an instance and its trigger runtime (done, output = trigger data).
func (r *Runtime) newInstance(def *compiled, trigger any, opts StartOptions) (*instState, error) {
	now := nowMs(r.now)
	startTask := def.tasks[def.p.StartTaskInstID]
	if startTask == nil {
		return nil, Coded(ErrConflict, CodeNoTrigger, nil, "process %s has no trigger task", def.p.ID)
	}
	app := opts.TriggerApp
	if app == "" {
		app = def.p.TriggerApp
	}
	// Webhooks and schedules start as no one: the seed's executor then defaults to
	// the definition's creator.
	executor := opts.By
	if executor == "" {
		executor = def.p.Creator
	}
	in := &Instance{
		ID: ID(r.ids.Next()), ParentID: opts.ParentID, ParentNodeID: opts.ParentNodeID, ProcessID: def.p.ID,
		Version: def.p.Version, Name: def.p.Name, Engine: def.p.Engine, Status: StatusRunning, Executor: executor,
		TriggerApp: app, Trigger: trigger, StartAt: now, CreateAt: now, UpdateAt: now,
		BusinessKey: opts.BusinessKey, TenantID: opts.TenantID,
	}
	typed, err := r.checkVariables(opts.Variables)
	if err != nil {
		return nil, err
	}
	st := newState(in, def, nil, nil)
	vars := opts.Vars
	if payload, ok := trigger.(map[string]any); ok && def.p.PayloadAsVariables && len(payload) > 0 {
		vars = maps.Clone(payload)
		maps.Copy(vars, opts.Vars)
	}
	if len(vars) > 0 {
		st.setVars(vars)
	}
	st.mergeVarsIn(typed)
	n := r.newRun(st, startTask, trigger)
	n.Status, n.Output, n.StartAt, n.EndAt = StatusDone, trigger, now, now
	n.Input, n.InputIsDefinition = startTask.static, true
	st.nodes = append(st.nodes, n)
	st.setOutput(startTask.InstID, trigger)
	return st, nil
}

// newRun creates a runtime row of a task (not yet added to the state).
func (r *Runtime) newRun(st *instState, t *ctask, input any) *NodeRun {
	now := nowMs(r.now)
	st.execs[t.InstID]++
	return &NodeRun{
		ID: ID(r.ids.Next()), InstanceID: st.inst.ID, TaskID: t.InstID, Name: t.Name, Template: t.Template,
		Status: StatusPending, Incoming: input, CreateAt: now, UpdateAt: now,
		Detail: &NodeDetail{Exec: st.execs[t.InstID]},
	}
}

func (r *Runtime) job(kind string, inst, node ID, task string, due int64) *Job {
	return &Job{ID: ID(r.ids.Next()), Kind: kind, InstanceID: inst, NodeID: node, TaskID: task, DueAt: due,
		MaxAttempts: 5, CreateAt: nowMs(r.now)}
}

// commit writes a step and publishes its events. A fast instance's steps stay in
// memory: it is written once, when it ends.
//
// A step whose context ended (the runtime is stopping, or a cancel or suspend
// preempted it) is abandoned: nothing is written, whatever the step decided after
// its work was interrupted, and the caller must drop its in-memory state.
func (r *Runtime) commit(ctx context.Context, s *step) error {
	if s.st.fast {
		s.reset()
		return nil
	}
	if ctx.Err() != nil {
		s.st.broken = true
		return fmt.Errorf("%w: %w", errAbandoned, context.Cause(ctx))
	}
	s.st.inst.UpdateAt = nowMs(r.now)
	// Invariant: an instance with a runnable token is running, so that a restart
	// resumes it (waiting instances are woken only by their jobs).
	if s.st.inst.Status == StatusWaiting {
		for _, n := range s.touched {
			if n.Status == StatusPending {
				s.st.inst.Status = StatusRunning
				break
			}
		}
	}
	if len(s.jobs) > 0 {
		defer r.jobs.Wake()
	}
	external := s.external
	resumed := s.statusBefore == StatusSuspended && s.st.inst.Status != StatusSuspended
	if err := r.store.CommitStep(ctx, s.toStore()); err != nil {
		s.st.broken = true // what the step changed in memory is not what the store holds
		return err
	}
	if len(external) > 0 {
		r.external.committed(external)
	}
	if resumed {
		r.external.wake.notifyAll() // its jobs may be fetched again
	}
	if f := s.st.afterCommit; f != nil {
		s.st.afterCommit = nil
		f()
	}
	r.metrics.Steps.Add(1)
	r.metrics.TasksCreated.Add(int64(countNew(s.tasks)))
	pid := s.st.inst.ProcessID
	for _, n := range s.touched {
		cp := *n
		r.events.Publish(Event{Type: EventNode, ProcessID: pid, InstanceID: n.InstanceID, Node: &cp})
	}
	if s.isNew || s.statusBefore != s.st.inst.Status {
		cp := *s.st.inst
		r.events.Publish(Event{Type: EventProcess, ProcessID: pid, InstanceID: cp.ID, Instance: &cp})
	}
	r.publishTasks(ctx, s)
	s.reset()
	return nil
}

func countNew(tasks []*HumanTask) int {
	n := 0
	for _, t := range tasks {
		if t.Rev == 1 { // written just now for the first time
			n++
		}
	}
	return n
}

// publishTasks announces the human tasks a step wrote, and the ones the store closed
// because their approval stopped waiting.
func (r *Runtime) publishTasks(ctx context.Context, s *step) {
	written := map[ID]bool{}
	for _, t := range s.tasks {
		written[t.ID] = true
		r.publishTask(t)
	}
	if r.tasks == nil {
		return
	}
	for _, n := range s.touched {
		if n.Template != "approval" || !Ended(n.Status) {
			continue
		}
		closed, err := r.tasks.HumanTasksOfNodes(ctx, []ID{n.ID})
		if err != nil {
			r.log.Warn("reading closed tasks for events", "node", n.ID, "err", err)
			continue
		}
		for _, t := range closed {
			if !written[t.ID] {
				r.publishTask(t)
			}
		}
	}
}

func (r *Runtime) publishTask(t *HumanTask) {
	cp := *t
	r.events.Publish(Event{Type: EventTask, ProcessID: t.ProcessID, InstanceID: t.InstanceID, Task: &cp})
}

// reset empties a committed step so it can collect the next one.
func (s *step) reset() {
	s.touched, s.seen, s.vars, s.deleted, s.jobs, s.done, s.isNew, s.idem, s.tasks = nil, map[*NodeRun]bool{}, nil, nil, nil, nil, false, nil, nil
	s.external = nil
	s.statusBefore = s.st.inst.Status
}

// submit queues a command for an instance and makes sure its actor runs. st, when
// given, is the state already in memory (a fresh start), saving a load.
func (r *Runtime) submit(id ID, cmd *command, st *instState) {
	r.mu.Lock()
	if r.closed || !r.started {
		// Not started: what is committed runs when Start resumes it.
		r.mu.Unlock()
		if cmd != nil && cmd.dropped != nil {
			cmd.dropped(errStopping)
		}
		return
	}
	a := r.actors[id]
	if a == nil {
		a = &actor{}
		r.actors[id] = a
	}
	if cmd != nil {
		a.cmds = append(a.cmds, *cmd)
		if cmd.preempt && a.stop != nil {
			a.stop(errPreempted)
		}
	}
	if a.running {
		r.mu.Unlock()
		return
	}
	a.running = true
	r.wg.Add(1)
	r.mu.Unlock()
	go r.runActor(id, a, st)
}

func (r *Runtime) runActor(id ID, a *actor, st *instState) {
	defer r.wg.Done()
	ctx := r.runCtx
	crashes, resumed := r.takeResumed(id)
	release := func() {}
	if resumed && crashes > 0 {
		// A suspect (see Start) runs its first step only when no other suspect runs one.
		select {
		case r.suspects <- struct{}{}:
			release = sync.OnceFunc(func() { <-r.suspects })
		case <-ctx.Done():
			r.finishActor(id, a, true, errStopping)
			return
		}
	}
	defer func() { release() }()
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		r.finishActor(id, a, true, errStopping)
		return
	}
	defer func() { <-r.slots }()
	for {
		if ctx.Err() != nil {
			r.finishActor(id, a, true, errStopping)
			return
		}
		if st == nil {
			if st = r.idleStates.take(id); st != nil {
				r.metrics.StatesKept.Add(1)
			}
		}
		if st == nil {
			var err error
			r.metrics.StatesLoaded.Add(1)
			if st, err = r.load(ctx, id); err != nil {
				if !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
					r.log.Error("loading instance", "instance", id, "err", err)
				}
				r.finishActor(id, a, true, err)
				return
			}
			if resumed {
				// Durably, before the first step: if that step kills the process, the
				// next start knows.
				if err := r.store.MarkResumed(ctx, id); err != nil {
					if ctx.Err() == nil {
						r.log.Error("marking a resumed instance; it will be retried", "instance", id, "err", err)
						r.mu.Lock()
						r.resumed[id] = crashes
						r.mu.Unlock()
						r.scheduleContinue(id, 2*time.Second)
					}
					r.finishActor(id, a, true, err)
					return
				}
				resumed = false
			}
		}
		st.afterCommit = release
		st.yield = func() bool { return r.hasCommands(a) }
		r.mu.Lock()
		cmds := a.cmds
		a.cmds = nil
		r.mu.Unlock()
		var err error
		for i, cmd := range cmds {
			if err = r.safely(ctx, st, cmd.run); err != nil {
				for _, rest := range cmds[i+1:] {
					if rest.dropped != nil {
						rest.dropped(err)
					}
				}
				break
			}
		}
		if err == nil && st.broken {
			// A command failed (its caller was told) after changing the state, or its
			// commit did: what the store holds is the truth.
			st = nil
			continue
		}
		if err == nil {
			// The steps run under a context of their own, which a cancel or suspend
			// ends (cause errPreempted): the step in progress is then abandoned.
			stepCtx, stop := context.WithCancelCause(ctx)
			r.mu.Lock()
			a.stop = stop
			for _, c := range a.cmds {
				if c.preempt {
					// It came after the commands were taken, before a.stop was set.
					stop(errPreempted)
					break
				}
			}
			r.mu.Unlock()
			err = r.safely(stepCtx, st, r.drive)
			r.mu.Lock()
			a.stop = nil
			r.mu.Unlock()
			preempted := errors.Is(context.Cause(stepCtx), errPreempted)
			stop(nil)
			if preempted && ctx.Err() == nil {
				// Nothing of the interrupted step was written; reload what was, and run
				// the command that preempted it.
				st = nil
				continue
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				r.log.Error("instance step failed; it will be retried", "instance", id, "err", err)
				r.scheduleContinue(id, 2*time.Second)
			}
			r.finishActor(id, a, true, err)
			return
		}
		var keep *instState
		if r.idleStates.admits(st) {
			keep = st
		}
		if r.endActor(id, a, false, nil, keep) {
			return
		}
	}
}

// hasCommands reports whether commands wait for an actor: drive then yields to them
// between steps.
func (r *Runtime) hasCommands(a *actor) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(a.cmds) > 0
}

// errStopping is why commands are dropped during shutdown, and the cause of runCtx.
var errStopping = Coded(ErrConflict, CodeStopping, nil, "the engine is stopping; try again")

// errAbandoned marks a step given up without commit because its context ended (the
// runtime is stopping, or a cancel or suspend preempted it). What is committed is
// intact; the step runs again later (at-least-once).
var errAbandoned = errors.New("step abandoned")

// errPreempted is the cause of a step interrupted by a cancel or suspend.
var errPreempted = errors.New("interrupted by a cancel or suspend of the instance")

// finishActor ends the actor unless commands arrived meanwhile (then it returns false
// and the loop goes on). force ends it regardless, dropping queued commands.
func (r *Runtime) finishActor(id ID, a *actor, force bool, why error) bool {
	return r.endActor(id, a, force, why, nil)
}

// endActor is finishActor; keep, when the actor ends, is its state to cache, put
// there under the same lock that frees the instance for the next actor.
func (r *Runtime) endActor(id ID, a *actor, force bool, why error, keep *instState) bool {
	r.mu.Lock()
	if !force && len(a.cmds) > 0 {
		r.mu.Unlock()
		return false
	}
	dropped := a.cmds
	a.running = false
	a.cmds = nil
	if r.actors[id] == a {
		delete(r.actors, id)
		if keep != nil && !force {
			r.idleStates.keep(keep)
		}
	}
	r.mu.Unlock()
	for _, c := range dropped {
		if c.dropped != nil {
			c.dropped(why)
		}
	}
	return true
}

// safely runs a command, turning a panic into an error.
func (r *Runtime) safely(ctx context.Context, st *instState, cmd func(context.Context, *instState) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return cmd(ctx, st)
}

// scheduleContinue records a job that resumes the instance later (after an error).
func (r *Runtime) scheduleContinue(id ID, after time.Duration) {
	j := r.job(JobContinue, id, 0, "", r.now().Add(after).UnixMilli())
	if err := r.store.CommitStep(r.runCtx, &Step{Jobs: []*Job{j}}); err != nil && r.runCtx.Err() == nil {
		// Stopping: the instance is still running in the store, so the next start resumes it.
		r.log.Error("scheduling continuation", "instance", id, "err", err)
	}
	r.jobs.Wake()
}

// load reads an instance into memory.
func (r *Runtime) load(ctx context.Context, id ID) (*instState, error) {
	in, nodes, vars, err := r.store.LoadInstance(ctx, id)
	if err != nil {
		return nil, err
	}
	def, err := r.definition(ctx, in.ProcessID, in.Version)
	if err != nil {
		return nil, err
	}
	return newState(in, def, nodes, vars), nil
}

func (r *Runtime) addWaiter(id ID) chan *Instance {
	ch := make(chan *Instance, 1)
	r.mu.Lock()
	r.waiters[id] = append(r.waiters[id], ch)
	r.mu.Unlock()
	return ch
}

func (r *Runtime) removeWaiter(id ID, ch chan *Instance) {
	if ch == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ws := r.waiters[id]
	for i, w := range ws {
		if w == ch {
			r.waiters[id] = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(r.waiters[id]) == 0 {
		delete(r.waiters, id)
	}
}

// notifyEnded hands an ended instance to whoever waits for it.
func (r *Runtime) notifyEnded(in *Instance) {
	r.mu.Lock()
	ws := r.waiters[in.ID]
	delete(r.waiters, in.ID)
	r.mu.Unlock()
	for _, w := range ws {
		cp := *in
		w <- &cp
	}
}

// await waits for an instance to end, up to d. It returns the latest known state.
func (r *Runtime) await(ctx context.Context, id ID, ch chan *Instance, d time.Duration, last *Instance) (*Instance, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case in := <-ch:
		return in, true
	case <-t.C:
	case <-ctx.Done():
	}
	r.removeWaiter(id, ch)
	if in, err := r.store.GetInstance(context.WithoutCancel(ctx), id); err == nil {
		return in, Ended(in.Status)
	}
	return last, false
}
