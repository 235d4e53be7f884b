// Package cron runs the cron-timer triggers: it starts every enabled process whose
// trigger is a cron-timer on its schedule.
//
// Each slot (a process and a scheduled time) fires at most once, across restarts and
// across flowcraft processes sharing one database: before starting an instance the
// scheduler claims the slot in the store, and a slot claimed before is not fired
// again. A claim that is followed by a crash before the instance starts loses that
// run (at-most-once per slot).
//
// Slots that passed while no scheduler ran (downtime) are handled by the process's
// missedFire policy: skip (the schedule resumes with the next slot) or runOnce (one
// catch-up run at once, then the schedule resumes). A slot is missed when it is more
// than Options.Grace late. With overlap=skip a slot does not start an instance while
// an earlier cron-started instance of the process is unfinished.
package cron

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	robfig "github.com/robfig/cron/v3"

	"flowcraft/engine"
	"flowcraft/engine/templates"
)

// Clock is the scheduler's time source. Tests use a fake one to drive it.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires once, d from now.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer of a Clock.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// SystemClock is the real clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time                 { return time.Now() }
func (systemClock) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }
func (t sysTimer) Stop() bool          { return t.t.Stop() }

// Starter starts process instances; *engine.Runtime implements it.
type Starter interface {
	StartInstance(ctx context.Context, processID string, trigger any, opts engine.StartOptions) (*engine.StartResult, error)
}

// Slot statuses recorded in the store.
const (
	SlotStarted = "started" // an instance was started
	SlotSkipped = "skipped" // overlap=skip and an earlier run was unfinished
	SlotFailed  = "failed"  // the start was refused (disabled meanwhile, input schema, ...)
)

// SlotStore is what the scheduler needs from storage; *db.DB implements it.
type SlotStore interface {
	// CronProcesses returns every enabled process whose trigger is a cron-timer, with tasks.
	CronProcesses(ctx context.Context) ([]*engine.Process, error)
	// GetProcess returns a definition; engine.ErrNotFound if there is none.
	GetProcess(ctx context.Context, id string) (*engine.Process, error)
	// ProcessHead returns the current version and enabled flag of a definition.
	ProcessHead(ctx context.Context, id string) (version int, enabled bool, err error)
	// ClaimSlot records, in its own transaction, that owner fires slot; false when the
	// slot was claimed before (by this or another flowcraft process).
	ClaimSlot(ctx context.Context, processID string, slot time.Time, owner string, now time.Time) (bool, error)
	// FinishSlot records what became of a claimed slot (instance 0 for none).
	FinishSlot(ctx context.Context, processID string, slot time.Time, status string, inst engine.ID, errMsg string) error
	// LastSlot returns the latest claimed slot of a process; false if it never fired.
	LastSlot(ctx context.Context, processID string) (time.Time, bool, error)
	// UnfinishedCronInstance reports whether the process has an unfinished instance
	// started by a cron-timer.
	UnfinishedCronInstance(ctx context.Context, processID string) (bool, error)
	// PruneSlots deletes slots claimed before `before`, keeping each process's latest.
	PruneSlots(ctx context.Context, before time.Time) (int64, error)
}

// Options tune the scheduler.
type Options struct {
	Owner     string        // recorded with each claim, e.g. "node-1"; default "scheduler"
	Grace     time.Duration // how late a slot may fire before it counts as missed; default 1m
	Resync    time.Duration // how often to reread the definitions (changes made by other flowcraft processes); default 30s
	Retention time.Duration // how long claimed slots are kept; default 7 days (the latest of each process stays)
	Retry     time.Duration // wait after a storage error before trying a slot again; default 5s
}

// Missed-fire and overlap policies (parameters missedFire and overlap).
const (
	PolicySkip    = "skip"
	PolicyRunOnce = "runOnce"
	PolicyAllow   = "allow"
)

// Scheduler fires the cron-timer triggers. Run it with Start and Close (or Run); call
// Reload with a process id whenever a definition changes (Definitions.OnChange).
type Scheduler struct {
	store   SlotStore
	starter Starter
	clock   Clock
	opts    Options
	log     *slog.Logger

	mu       sync.Mutex
	pending  map[string]bool // processes to reload
	inflight map[string]int  // starts under way, by process
	wake     chan struct{}
	started  bool // Start was called
	closed   bool // Close was called
	stop     context.CancelFunc
	done     chan struct{}  // closed when the Start goroutine has stopped
	starts   sync.WaitGroup // starts under way (added to only by the Run goroutine)

	// Owned by the Run goroutine.
	entries map[string]*entry
}

// entry is the schedule of one process.
type entry struct {
	id       string
	version  int
	expr, tz string
	sched    robfig.Schedule
	loc      *time.Location
	missed   string
	overlap  string
	broken   bool      // the schedule does not parse (logged once per version)
	cursor   time.Time // every slot up to and including cursor has been handled
	next     time.Time // the first slot after cursor; zero: never
	hold     time.Time // after a storage error: do not try before this
}

// New returns a scheduler. clock nil means the system clock.
func New(store SlotStore, starter Starter, clock Clock, opts Options, log *slog.Logger) *Scheduler {
	if clock == nil {
		clock = SystemClock()
	}
	if opts.Owner == "" {
		opts.Owner = "scheduler"
	}
	if opts.Grace <= 0 {
		opts.Grace = time.Minute
	}
	if opts.Resync <= 0 {
		opts.Resync = 30 * time.Second
	}
	if opts.Retention <= 0 {
		opts.Retention = 7 * 24 * time.Hour
	}
	if opts.Retry <= 0 {
		opts.Retry = 5 * time.Second
	}
	return &Scheduler{
		store: store, starter: starter, clock: clock, opts: opts, log: log.With("subsystem", "cron"),
		pending: map[string]bool{}, inflight: map[string]int{}, wake: make(chan struct{}, 1), entries: map[string]*entry{},
	}
}

// Reload makes the scheduler reread a process's definition (created, edited, enabled,
// disabled or deleted) before its next decision. It does not block; its signature
// fits Definitions.OnChange.
func (s *Scheduler) Reload(processID string) {
	s.mu.Lock()
	s.pending[processID] = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// errClosed is Start's answer after Close.
var errClosed = errors.New("cron scheduler: closed")

// Start runs the scheduler in the background, in ctx, until Close (or until ctx
// ends). A second Start does nothing; a Start after Close is an error. New starts
// nothing.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if s.started {
		return nil
	}
	s.started = true
	ctx, s.stop = context.WithCancel(ctx)
	s.done = make(chan struct{})
	done := s.done
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	return nil
}

// Close stops firing slots and waits, until ctx ends, for the instance starts under
// way. If ctx ends first it returns an error naming how many starts were unfinished
// (their slots are recorded when they end), matching ctx's error. Close before Start
// only prevents a Start.
func (s *Scheduler) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	stop, done := s.stop, s.done
	s.mu.Unlock()
	if stop == nil {
		return nil
	}
	stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cron scheduler: %d instance start(s) unfinished: %w", s.underWay(), context.Cause(ctx))
	}
}

// underWay counts the instance starts under way, of every process.
func (s *Scheduler) underWay() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.inflight {
		n += c
	}
	return n
}

// Run fires slots until ctx ends, then waits for the starts under way.
func (s *Scheduler) Run(ctx context.Context) {
	defer s.starts.Wait()
	now := s.clock.Now()
	s.loadAll(ctx)
	resyncAt, pruneAt := now.Add(s.opts.Resync), now
	for {
		now = s.clock.Now()
		if !now.Before(resyncAt) {
			s.loadAll(ctx)
			resyncAt = now.Add(s.opts.Resync)
		}
		if !now.Before(pruneAt) {
			s.prune(ctx, now)
			pruneAt = now.Add(time.Hour)
		}
		s.applyReloads(ctx)
		s.fireDue(ctx, now)
		if ctx.Err() != nil {
			return
		}
		wakeAt := resyncAt
		if pruneAt.Before(wakeAt) {
			wakeAt = pruneAt
		}
		for _, e := range s.entries {
			if at := e.wakeAt(); !at.IsZero() && at.Before(wakeAt) {
				wakeAt = at
			}
		}
		t := s.clock.NewTimer(wakeAt.Sub(s.clock.Now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		case <-s.wake:
			t.Stop()
		}
	}
}

// wakeAt is when the entry next needs attention; zero for never.
func (e *entry) wakeAt() time.Time {
	if e.next.IsZero() {
		return time.Time{}
	}
	if e.hold.After(e.next) {
		return e.hold
	}
	return e.next
}

// loadAll rereads every cron process: new ones are added, changed ones rebuilt (their
// progress kept in the store), vanished ones dropped.
func (s *Scheduler) loadAll(ctx context.Context) {
	procs, err := s.store.CronProcesses(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("reading cron processes; will retry", "err", err)
		}
		return
	}
	seen := make(map[string]bool, len(procs))
	for _, p := range procs {
		seen[p.ID] = true
		s.upsert(ctx, p)
	}
	for id := range s.entries {
		if !seen[id] {
			s.drop(id, "no longer an enabled cron process")
		}
	}
}

func (s *Scheduler) applyReloads(ctx context.Context) {
	s.mu.Lock()
	ids := make([]string, 0, len(s.pending))
	for id := range s.pending {
		ids = append(ids, id)
	}
	clear(s.pending)
	s.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		s.reload(ctx, id)
	}
}

// reload rereads one process.
func (s *Scheduler) reload(ctx context.Context, id string) {
	p, err := s.store.GetProcess(ctx, id)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		s.drop(id, "deleted")
	case err != nil:
		if ctx.Err() == nil {
			s.log.Error("reading process; the next resync retries", "process", id, "err", err)
		}
	case !p.Enabled || p.TriggerApp != "cron-timer":
		s.drop(id, "disabled or no longer a cron process")
	default:
		s.upsert(ctx, p)
	}
}

func (s *Scheduler) drop(id, why string) {
	if _, ok := s.entries[id]; ok {
		delete(s.entries, id)
		s.log.Info("cron schedule removed", "process", id, "why", why)
	}
}

// upsert adds or rebuilds the entry of an enabled cron process. An entry at the same
// version is kept as it is.
func (s *Scheduler) upsert(ctx context.Context, p *engine.Process) {
	if old := s.entries[p.ID]; old != nil && old.version == p.Version {
		return
	}
	e, err := newEntry(p)
	if err != nil {
		s.entries[p.ID] = &entry{id: p.ID, version: p.Version, broken: true}
		s.log.Warn("cron schedule ignored", "process", p.ID, "version", p.Version, "err", err)
		return
	}
	// Where the schedule resumes: after the latest slot fired (by anyone), and never
	// before the definition's last change (enabling a process does not catch up on
	// the time it was disabled; an edited schedule starts fresh).
	e.cursor = time.UnixMilli(p.UpdateAt)
	last, ok, err := s.store.LastSlot(ctx, p.ID)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("reading the last cron slot; the next resync retries", "process", p.ID, "err", err)
		}
		delete(s.entries, p.ID)
		return
	}
	if ok && last.After(e.cursor) {
		e.cursor = last
	}
	e.next = e.after(e.cursor)
	s.entries[p.ID] = e
	s.log.Info("cron schedule loaded", "process", p.ID, "version", p.Version, "cron", e.expr, "timezone", e.tz,
		"missedFire", e.missed, "overlap", e.overlap, "next", e.next)
}

// newEntry reads the cron-timer parameters of a process.
func newEntry(p *engine.Process) (*entry, error) {
	t := p.Task(p.StartTaskInstID)
	if t == nil || t.Template != "cron-timer" {
		return nil, fmt.Errorf("the trigger task is not a cron-timer")
	}
	raw := map[string]any{}
	for k, prm := range t.Parameters {
		if prm != nil {
			raw[k] = prm.Value
		}
	}
	v := templates.WithDefaults(templates.CronTimer{}.Spec(), raw)
	e := &entry{id: p.ID, version: p.Version, missed: PolicySkip, overlap: PolicyAllow}
	e.expr, _ = v["cron"].(string)
	e.tz, _ = v["timezone"].(string)
	var err error
	if e.sched, err = templates.ParseCron(e.expr); err != nil {
		return nil, err
	}
	if e.loc, err = templates.LoadTimezone(e.tz); err != nil {
		return nil, err
	}
	if m, _ := v["missedFire"].(string); m == PolicyRunOnce {
		e.missed = PolicyRunOnce
	}
	if o, _ := v["overlap"].(string); o == PolicySkip {
		e.overlap = PolicySkip
	}
	return e, nil
}

// after returns the first slot after t; zero if there is none (within five years).
func (e *entry) after(t time.Time) time.Time {
	n := e.sched.Next(t.In(e.loc))
	if n.IsZero() {
		return n
	}
	return n.In(e.loc)
}

// fireDue handles every entry with a slot at or before now.
func (s *Scheduler) fireDue(ctx context.Context, now time.Time) {
	var due []*entry
	for _, e := range s.entries {
		if !e.broken && !e.next.IsZero() && !e.next.After(now) && !e.hold.After(now) {
			due = append(due, e)
		}
	}
	slices.SortFunc(due, func(a, b *entry) int { return cmp.Or(a.next.Compare(b.next), cmp.Compare(a.id, b.id)) })
	for _, e := range due {
		if ctx.Err() != nil {
			return
		}
		s.fire(ctx, e, now)
	}
}

// fire handles the due slots of one entry: all slots in (cursor, now]. Only the latest
// of them can start an instance. If the oldest is more than Grace late the slots were
// missed: missedFire=skip drops them, runOnce starts one catch-up run.
func (s *Scheduler) fire(ctx context.Context, e *entry, now time.Time) {
	oldest := e.next
	latest := lastSlot(e, e.cursor, now)
	missed := now.Sub(oldest) > s.opts.Grace
	if missed && e.missed == PolicySkip {
		s.log.Info("missed cron slots skipped", "process", e.id, "from", oldest, "to", latest)
		e.advance(latest)
		return
	}
	// Another flowcraft process may have changed the definition since we read it.
	version, enabled, err := s.store.ProcessHead(ctx, e.id)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		s.drop(e.id, "deleted")
		return
	case err != nil:
		s.storeError(ctx, e, now, "reading process", err)
		return
	case !enabled || version != e.version:
		// Reread it; a slot the new schedule has due fires in the next round.
		s.reload(ctx, e.id)
		return
	}
	claimed, err := s.store.ClaimSlot(ctx, e.id, latest, s.opts.Owner, now)
	if errors.Is(err, engine.ErrNotFound) {
		s.drop(e.id, "deleted")
		return
	}
	if err != nil {
		s.storeError(ctx, e, now, "claiming a cron slot", err)
		return
	}
	e.advance(latest)
	if !claimed {
		s.log.Debug("cron slot fired elsewhere", "process", e.id, "slot", latest)
		return
	}
	s.start(ctx, e, latest, now, missed)
}

// start starts the instance of a claimed slot, in the background (a fast-engine
// instance runs to its end inside StartInstance, and must not hold up other slots),
// and records the outcome.
func (s *Scheduler) start(ctx context.Context, e *entry, slot, now time.Time, catchUp bool) {
	id := e.id
	// A claimed slot is recorded whatever happens to ctx from here on.
	rec := context.WithoutCancel(ctx)
	finish := func(status string, inst engine.ID, msg string) {
		if err := s.store.FinishSlot(rec, id, slot, status, inst, msg); err != nil {
			s.log.Error("recording a cron slot", "process", id, "slot", slot, "err", err)
		}
	}
	if e.overlap == PolicySkip {
		// Starts under way here are not in the store yet (a fast instance is written
		// when it ends); the store knows the unfinished instances of every node.
		busy := s.startsUnderWay(id) > 0
		if !busy {
			var err error
			if busy, err = s.store.UnfinishedCronInstance(ctx, id); err != nil {
				s.log.Error("overlap check failed; slot not started", "process", id, "slot", slot, "err", err)
				finish(SlotFailed, 0, "overlap check: "+err.Error())
				return
			}
		}
		if busy {
			s.log.Info("cron slot skipped: an earlier run is unfinished", "process", id, "slot", slot)
			finish(SlotSkipped, 0, "an earlier cron-started instance is still unfinished (overlap: skip)")
			return
		}
	}
	trigger := map[string]any{
		"scheduledAt": slot.In(e.loc).Format(time.RFC3339),
		"firedAt":     now.In(e.loc).Format(time.RFC3339Nano),
		"cron":        e.expr,
		"timezone":    e.loc.String(),
		"catchUp":     catchUp,
	}
	s.track(id, 1)
	s.starts.Add(1)
	go func() {
		defer s.starts.Done()
		res, err := s.starter.StartInstance(rec, id, trigger, engine.StartOptions{TriggerApp: "cron-timer"})
		s.track(id, -1)
		if err != nil {
			s.log.Warn("cron slot could not start an instance", "process", id, "slot", slot, "err", err)
			finish(SlotFailed, 0, err.Error())
			return
		}
		s.log.Debug("cron slot fired", "process", id, "slot", slot, "instance", res.Instance.ID, "catchUp", catchUp)
		finish(SlotStarted, res.Instance.ID, "")
	}()
}

// track counts the starts under way of a process.
func (s *Scheduler) track(id string, delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight[id] += delta
	if s.inflight[id] <= 0 {
		delete(s.inflight, id)
	}
}

func (s *Scheduler) startsUnderWay(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight[id]
}

func (s *Scheduler) storeError(ctx context.Context, e *entry, now time.Time, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	e.hold = now.Add(s.opts.Retry)
	s.log.Error(what+"; will retry", "process", e.id, "retryAt", e.hold, "err", err)
}

// advance marks every slot up to and including slot as handled.
func (e *entry) advance(slot time.Time) {
	e.cursor = slot
	e.next = e.after(slot)
	e.hold = time.Time{}
}

func (s *Scheduler) prune(ctx context.Context, now time.Time) {
	n, err := s.store.PruneSlots(ctx, now.Add(-s.opts.Retention))
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("pruning old cron slots", "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Debug("old cron slots pruned", "count", n)
	}
}

// lookbacks bound the search for the latest slot before now: the first window that
// holds a slot is walked, so even an every-second schedule after months of downtime
// costs at most a minute of slots. (A cron spec's slots are fixed times, so walking
// from any point finds the same ones.)
func lookbacks() [5]time.Duration {
	return [...]time.Duration{time.Minute, time.Hour, 24 * time.Hour, 31 * 24 * time.Hour, 366 * 24 * time.Hour}
}

// maxWalk bounds one walk through a schedule.
const maxWalk = 100_000

// lastSlot returns the latest slot in (after, now]; the caller knows there is one.
func lastSlot(e *entry, after, now time.Time) time.Time {
	if d, ok := e.sched.(robfig.ConstantDelaySchedule); ok {
		// @every: slots are a chain from the cursor, not fixed times; step arithmetically.
		first := e.after(after)
		return first.Add((now.Sub(first) / d.Delay) * d.Delay)
	}
	for _, back := range lookbacks() {
		from := now.Add(-back)
		whole := !from.After(after)
		if whole {
			from = after
		}
		if s, ok := walk(e, from, now); ok {
			return s
		}
		if whole {
			break
		}
	}
	if s, ok := walk(e, after, now); ok {
		return s
	}
	return e.next
}

// walk returns the latest slot in (from, now], following at most maxWalk slots.
func walk(e *entry, from, now time.Time) (last time.Time, found bool) {
	t := from
	for range maxWalk {
		n := e.after(t)
		if n.IsZero() || n.After(now) {
			break
		}
		last, found, t = n, true, n
	}
	return last, found
}
