package cron_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"flowcraft/db"
	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/engine/cron"
	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// env is one database file shared by any number of "flowcraft processes" (node), each
// with its own store connection, runtime and scheduler, all on one fake clock.
type env struct {
	t     *testing.T
	dir   string
	clock *fakeClock
	log   *slog.Logger
	defs  *engine.Definitions
	store *sqlite.Store // node 1's store, for assertions
	nodes []*node
}

type node struct {
	store    *sqlite.Store
	rt       *engine.Runtime
	sched    *cron.Scheduler
	stop     func()
	observes bool // registered with Definitions.OnChange (changes are made through this node)
}

var t0 = time.Date(2025, 3, 10, 10, 0, 10, 0, time.UTC) // a process is created 10 s after 10:00

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: newFakeClock(t0), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	store := e.open()
	e.store = store
	scripts := scripting.New(scripting.Options{})
	e.defs = engine.NewDefinitions(store, engine.NewValidator(templates.Builtin(), scripts), e.clock.Now, e.log)
	return e
}

func (e *env) open() *sqlite.Store {
	e.t.Helper()
	store, err := sqlite.Open(context.Background(), e.dir, sqlite.Options{}, e.log)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { store.Close(context.Background()) })
	return store
}

// newRuntime is the standard engine of one node.
func newRuntime(t *testing.T, store *sqlite.Store, node int64, log *slog.Logger) *engine.Runtime {
	t.Helper()
	ids, err := engine.NewIDGen(node)
	if err != nil {
		t.Fatal(err)
	}
	rt := engine.NewRuntime(engine.RuntimeDeps{Store: store, Processes: store, Tasks: store, Directory: store,
		Templates: templates.Builtin(), Services: &templates.Services{Scripts: scripting.New(scripting.Options{})},
		IDs: ids, Events: engine.NewEvents(), Log: log}, engine.RuntimeOptions{JobPoll: 20 * time.Millisecond})
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rt.Close(ctx)
	})
	return rt
}

// start starts a scheduler that observes definition changes; see startNode.
func (e *env) start(opts cron.Options) *node { return e.startNode(opts, true) }

// startNode starts a scheduler as another flowcraft process would (the first uses the
// env's store, later ones their own connection to the same file) and waits until it
// is parked. Only an observing node hears of definition changes at once (as the node
// that serves the change would); the others learn of them from the store.
func (e *env) startNode(opts cron.Options, observes bool) *node {
	e.t.Helper()
	store := e.store
	if len(e.nodes) > 0 {
		store = e.open()
	}
	n := &node{store: store, rt: newRuntime(e.t, store, int64(len(e.nodes)+1), e.log), observes: observes}
	if opts.Owner == "" {
		opts.Owner = fmt.Sprintf("node-%d", len(e.nodes)+1)
	}
	n.sched = cron.New(store, n.rt, e.clock, opts, e.log)
	if observes {
		e.defs.OnChange(n.rt.ProcessChanged)
		e.defs.OnChange(n.sched.Reload)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	mark := e.clock.mark()
	go func() { defer close(done); n.sched.Run(ctx) }()
	n.stop = func() { cancel(); <-done }
	e.t.Cleanup(n.stop)
	e.nodes = append(e.nodes, n)
	e.clock.await(e.t, e.running(), mark+1)
	e.settle()
	return n
}

func (e *env) running() int { return e.count(false) }

// count counts the running nodes (only the observing ones if observing).
func (e *env) count(observing bool) int {
	n := 0
	for _, nd := range e.nodes {
		if nd.stop != nil && (nd.observes || !observing) {
			n++
		}
	}
	return n
}

// kill stops a node's scheduler (a crash or shutdown of that flowcraft process).
func (e *env) kill(n *node) {
	n.stop()
	n.stop = nil
}

// advance moves the clock to `to` and waits until every running scheduler handled the
// wake-up, parked again and finished the starts it began.
func (e *env) advance(to time.Time) {
	e.t.Helper()
	mark := e.clock.mark()
	fired := e.clock.set(to)
	e.clock.await(e.t, e.running(), mark+fired)
	e.settle()
}

// settle waits for the instance starts under way on every running node.
func (e *env) settle() {
	for _, n := range e.nodes {
		if n.stop != nil {
			n.sched.WaitStarts()
		}
	}
}

// walk advances in steps of `step` up to `to`.
func (e *env) walk(to time.Time, step time.Duration) {
	e.t.Helper()
	for now := e.clock.Now().Add(step); !now.After(to); now = now.Add(step) {
		e.advance(now)
	}
}

// runUntil lets time pass up to `to` as a real clock would: it stops at every timer
// deadline on the way, so schedulers wake exactly when they asked to.
func (e *env) runUntil(to time.Time) {
	e.t.Helper()
	for {
		at, ok := e.clock.nextDeadline()
		if !ok || at.After(to) {
			break
		}
		e.advance(at)
	}
	e.advance(to)
}

// change runs a definition change (which calls Reload on the observing nodes) and
// waits until those have reloaded.
func (e *env) change(fn func() error) {
	e.t.Helper()
	mark := e.clock.mark()
	if err := fn(); err != nil {
		e.t.Fatal(err)
	}
	e.clock.await(e.t, e.running(), mark+e.count(true))
	e.settle()
}

func (e *env) create(def *engine.Process) string {
	e.t.Helper()
	var id string
	e.change(func() error {
		p, err := e.defs.Create(context.Background(), def, "dora")
		if p != nil {
			id = p.ID
		}
		return err
	})
	return id
}

func (e *env) slots(pid string) []db.CronSlot {
	e.t.Helper()
	s, err := e.store.CronSlots(context.Background(), pid)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) instances(pid string) []*engine.Instance {
	e.t.Helper()
	for _, n := range e.nodes {
		if err := n.rt.Flush(context.Background()); err != nil { // fast instances are written after they end
			e.t.Fatal(err)
		}
	}
	list, _, err := e.store.ListInstances(context.Background(), engine.InstanceFilter{ProcessID: pid, Page: engine.Page{Limit: 1000}})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// slotTimes are the claimed slots as "15:04:05" (UTC) with their status.
func (e *env) slotTimes(pid string) []string {
	var out []string
	for _, s := range e.slots(pid) {
		out = append(out, s.SlotAt.UTC().Format("15:04:05")+" "+s.Status)
	}
	return out
}

type cronOpts struct {
	expr, tz, missed, overlap string
	wait                      bool // a 1 h delay keeps every instance unfinished
}

func cronDef(o cronOpts) *engine.Process {
	params := map[string]*engine.Parameter{"cron": {Value: o.expr}}
	if o.tz != "" {
		params["timezone"] = &engine.Parameter{Value: o.tz}
	}
	if o.missed != "" {
		params["missedFire"] = &engine.Parameter{Value: o.missed}
	}
	if o.overlap != "" {
		params["overlap"] = &engine.Parameter{Value: o.overlap}
	}
	work := &engine.Task{InstID: "work", Template: "script", Connections: []engine.Connection{{To: "end"}},
		Parameters: map[string]*engine.Parameter{"code": {Value: "return {at: trigger.scheduledAt}"}}}
	if o.wait {
		work = &engine.Task{InstID: "work", Template: "delay", Connections: []engine.Connection{{To: "end"}},
			Parameters: map[string]*engine.Parameter{"duration": {Value: "1h"}}}
	}
	return &engine.Process{Name: "cron " + o.expr, Enabled: true, Tasks: []*engine.Task{
		{InstID: "tick", Template: "cron-timer", Connections: []engine.Connection{{To: "work"}}, Parameters: params},
		work,
		{InstID: "end", Template: "end"},
	}}
}

func minutes(from string, n int, status string) []string {
	start, _ := time.Parse("15:04:05", from)
	out := make([]string, n)
	for i := range out {
		out[i] = start.Add(time.Duration(i)*time.Minute).Format("15:04:05") + " " + status
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// TestEveryMinuteForAnHour: an every-minute cron fires once per minute, on the minute,
// whatever the steps the clock takes (the scheduler also wakes for resyncs).
func TestEveryMinuteForAnHour(t *testing.T) {
	for _, step := range []time.Duration{time.Minute, 20 * time.Second, 7 * time.Second} {
		t.Run(step.String(), func(t *testing.T) {
			e := newEnv(t)
			pid := e.create(cronDef(cronOpts{expr: "* * * * *"}))
			e.start(cron.Options{})
			e.walk(t0.Add(time.Hour), step)
			equal(t, "slots", e.slotTimes(pid), minutes("10:01:00", 60, cron.SlotStarted))
			insts := e.instances(pid)
			if len(insts) != 60 {
				t.Fatalf("%d instances, want 60", len(insts))
			}
			seen := map[string]bool{}
			for _, in := range insts {
				at := in.Trigger.(map[string]any)["scheduledAt"].(string)
				if seen[at] || in.TriggerApp != "cron-timer" {
					t.Errorf("instance %d: scheduledAt %s (dup %v), triggerApp %s", in.ID, at, seen[at], in.TriggerApp)
				}
				seen[at] = true
			}
			for _, s := range e.slots(pid) {
				if s.InstanceID == 0 || s.Owner != "node-1" {
					t.Errorf("slot %v", s)
				}
			}
		})
	}
}

// TestSchedules: 5- and 6-field expressions, descriptors and time zones.
func TestSchedules(t *testing.T) {
	for _, tc := range []struct {
		name, expr, tz string
		until          time.Duration
		want           []string // scheduledAt as the instance sees it
	}{
		{"six fields", "*/20 * * * * *", "", time.Minute,
			[]string{"2025-03-10T10:00:20Z", "2025-03-10T10:00:40Z", "2025-03-10T10:01:00Z"}},
		{"time zone", "0 2 * * *", "Asia/Shanghai", 48 * time.Hour,
			[]string{"2025-03-11T02:00:00+08:00", "2025-03-12T02:00:00+08:00"}},
		{"every", "@every 25m", "", time.Hour,
			[]string{"2025-03-10T10:25:10Z", "2025-03-10T10:50:10Z"}},
		{"weekdays", "30 9 * * MON-FRI", "America/New_York", 7 * 24 * time.Hour,
			[]string{"2025-03-10T09:30:00-04:00", "2025-03-11T09:30:00-04:00", "2025-03-12T09:30:00-04:00",
				"2025-03-13T09:30:00-04:00", "2025-03-14T09:30:00-04:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			pid := e.create(cronDef(cronOpts{expr: tc.expr, tz: tc.tz}))
			e.start(cron.Options{Resync: 6 * time.Hour}) // fewer wake-ups over simulated days
			e.runUntil(t0.Add(tc.until))
			var got []string
			insts := e.instances(pid)
			for i := len(insts) - 1; i >= 0; i-- { // the list is newest first
				got = append(got, insts[i].Trigger.(map[string]any)["scheduledAt"].(string))
			}
			equal(t, "fires", got, tc.want)
		})
	}
}

// TestRestartMidSlot: a scheduler that stops in the middle of a slot and one that
// starts then fire no duplicate: the store remembers the slot.
func TestRestartMidSlot(t *testing.T) {
	for _, missed := range []string{cron.PolicySkip, cron.PolicyRunOnce} {
		t.Run(missed, func(t *testing.T) {
			e := newEnv(t)
			pid := e.create(cronDef(cronOpts{expr: "* * * * *", missed: missed}))
			first := e.start(cron.Options{})
			e.walk(t0.Add(30*time.Minute+10*time.Second), 10*time.Second) // up to 10:30:20
			e.kill(first)
			if n := len(e.slots(pid)); n != 30 {
				t.Fatalf("%d slots before the restart, want 30", n)
			}
			e.start(cron.Options{}) // 10:30:20, 20 s into the 10:30 slot
			if n := len(e.slots(pid)); n != 30 {
				t.Fatalf("restart fired again: %v", e.slotTimes(pid))
			}
			e.walk(t0.Add(time.Hour), 10*time.Second)
			equal(t, "slots", e.slotTimes(pid), minutes("10:01:00", 60, cron.SlotStarted))
			if n := len(e.instances(pid)); n != 60 {
				t.Errorf("%d instances, want 60", n)
			}
		})
	}
}

// TestMissedFire: after a simulated outage, missedFire decides: skip fires nothing for
// the missed slots, runOnce fires one catch-up run. A slot less than the grace late is
// not missed.
func TestMissedFire(t *testing.T) {
	for _, tc := range []struct {
		name, missed string
		down, up     time.Duration // since t0
		wantAtStart  []string      // slots fired when the scheduler comes back
	}{
		{"hour down, skip", cron.PolicySkip, 5*time.Minute + 20*time.Second, 65*time.Minute + 20*time.Second, nil},
		{"hour down, runOnce", cron.PolicyRunOnce, 5*time.Minute + 20*time.Second, 65*time.Minute + 20*time.Second,
			[]string{"11:05:00 started"}},
		{"short outage, skip", cron.PolicySkip, 4*time.Minute + 40*time.Second, 5*time.Minute + 10*time.Second,
			[]string{"10:05:00 started"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			pid := e.create(cronDef(cronOpts{expr: "* * * * *", missed: tc.missed}))
			first := e.start(cron.Options{})
			e.walk(t0.Add(tc.down), 10*time.Second)
			e.kill(first)
			before := len(e.slots(pid))
			e.clock.set(t0.Add(tc.up))
			e.start(cron.Options{})
			got := e.slotTimes(pid)[before:]
			equal(t, "fired at restart", got, tc.wantAtStart)
			if len(tc.wantAtStart) == 1 && tc.missed == cron.PolicyRunOnce {
				insts := e.instances(pid)
				if insts[0].Trigger.(map[string]any)["catchUp"] != true {
					t.Errorf("catch-up run trigger %v", insts[0].Trigger)
				}
			}
			// Back on schedule: the next minute fires once.
			next := t0.Add(tc.up).Truncate(time.Minute).Add(time.Minute)
			e.advance(next)
			all := e.slotTimes(pid)
			equal(t, "next slot", all[len(all)-1:], []string{next.Format("15:04:05") + " started"})
			if n := len(e.instances(pid)); n != len(all) {
				t.Errorf("%d instances for %d slots", n, len(all))
			}
		})
	}
}

// TestOverlap: with overlap=skip a slot does not start while an earlier cron-started
// instance is unfinished; with allow it does.
func TestOverlap(t *testing.T) {
	for _, tc := range []struct {
		overlap string
		want    []string
	}{
		{cron.PolicySkip, []string{"10:01:00 started", "10:02:00 skipped", "10:03:00 skipped"}},
		{cron.PolicyAllow, minutes("10:01:00", 3, cron.SlotStarted)},
	} {
		t.Run(tc.overlap, func(t *testing.T) {
			e := newEnv(t)
			pid := e.create(cronDef(cronOpts{expr: "* * * * *", overlap: tc.overlap, wait: true}))
			e.start(cron.Options{})
			e.walk(t0.Add(3*time.Minute), time.Minute)
			equal(t, "slots", e.slotTimes(pid), tc.want)
			started := 0
			for _, s := range tc.want {
				if s[len(s)-7:] == "started" {
					started++
				}
			}
			if n := len(e.instances(pid)); n != started {
				t.Errorf("%d instances, want %d", n, started)
			}
		})
	}
}

// TestChangesTakeEffect: disabling, enabling, editing and deleting a process act at
// once through Reload (Definitions.OnChange).
func TestChangesTakeEffect(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pid := e.create(cronDef(cronOpts{expr: "* * * * *", missed: cron.PolicyRunOnce}))
	e.start(cron.Options{})
	e.walk(t0.Add(2*time.Minute), time.Minute) // 10:01, 10:02
	off, on := false, true
	e.change(func() error { _, err := e.defs.Patch(ctx, pid, nil, nil, &off, "dora"); return err })
	e.walk(t0.Add(5*time.Minute), time.Minute) // nothing while disabled
	e.change(func() error { _, err := e.defs.Patch(ctx, pid, nil, nil, &on, "dora"); return err })
	// Enabling does not catch up on the disabled minutes, even with runOnce.
	e.walk(t0.Add(6*time.Minute), time.Minute) // 10:06
	equal(t, "after enable", e.slotTimes(pid), []string{"10:01:00 started", "10:02:00 started", "10:06:00 started"})

	// A new expression applies from the next slot.
	e.change(func() error {
		p, err := e.defs.Get(ctx, pid)
		if err != nil {
			return err
		}
		p.Tasks[0].Parameters["cron"].Value = "*/5 * * * *"
		_, err = e.defs.Replace(ctx, pid, p, "dora")
		return err
	})
	e.walk(t0.Add(20*time.Minute), time.Minute)
	equal(t, "after edit", e.slotTimes(pid)[3:], []string{"10:10:00 started", "10:15:00 started", "10:20:00 started"})

	// Deleted: nothing more (its slots go with it).
	e.change(func() error { return e.defs.Delete(ctx, pid, true, "dora") })
	e.walk(t0.Add(30*time.Minute), time.Minute)
	if s := e.slots(pid); len(s) != 0 {
		t.Errorf("slots of a deleted process: %v", s)
	}
}

// TestSharedDatabase: three flowcraft processes on one database fire each slot once.
func TestSharedDatabase(t *testing.T) {
	e := newEnv(t)
	pid := e.create(cronDef(cronOpts{expr: "* * * * *"}))
	e.start(cron.Options{})
	e.startNode(cron.Options{}, false)
	e.startNode(cron.Options{}, false)
	e.walk(t0.Add(30*time.Minute), 30*time.Second)
	equal(t, "slots", e.slotTimes(pid), minutes("10:01:00", 30, cron.SlotStarted))
	if n := len(e.instances(pid)); n != 30 {
		t.Errorf("%d instances, want 30", n)
	}
	owners := map[string]bool{}
	for _, s := range e.slots(pid) {
		owners[s.Owner] = true
	}
	t.Logf("slots claimed by %v", owners)
	// A process created through node 1 is picked up by the others at their resync.
	other := e.create(cronDef(cronOpts{expr: "*/2 * * * *"}))
	e.walk(t0.Add(36*time.Minute), 30*time.Second)
	equal(t, "new process", e.slotTimes(other), []string{"10:32:00 started", "10:34:00 started", "10:36:00 started"})
}

// TestChangeOnAnotherNode: a scheduler that did not hear of a change (it was made on
// another flowcraft process) checks the definition's version before firing a slot.
func TestChangeOnAnotherNode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pid := e.create(cronDef(cronOpts{expr: "* * * * *"}))
	e.startNode(cron.Options{Resync: 24 * time.Hour}, false)
	e.runUntil(t0.Add(2 * time.Minute)) // 10:01, 10:02
	p, err := e.defs.Get(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	p.Tasks[0].Parameters["cron"].Value = "*/5 * * * *"
	if _, err := e.defs.Replace(ctx, pid, p, "dora"); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t0.Add(10 * time.Minute))
	equal(t, "after an edit elsewhere", e.slotTimes(pid), []string{"10:01:00 started", "10:02:00 started", "10:05:00 started", "10:10:00 started"})
	off := false
	if _, err := e.defs.Patch(ctx, pid, nil, nil, &off, "dora"); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t0.Add(20 * time.Minute))
	if n := len(e.slots(pid)); n != 4 {
		t.Errorf("a process disabled elsewhere fired: %v", e.slotTimes(pid))
	}
}

// TestUnusableScheduleIgnored: a schedule the scheduler cannot compute (a {{ }}
// expression — refused by validation today, but stored by an older version) is logged
// once and skipped; the other processes fire as usual.
func TestUnusableScheduleIgnored(t *testing.T) {
	e := newEnv(t)
	badDef := cronDef(cronOpts{expr: "*/5 * * * *"})
	bad := e.create(badDef)
	e.change(func() error {
		stored, err := e.store.GetProcess(context.Background(), bad)
		if err != nil {
			return err
		}
		stored.Tasks[0].Parameters["cron"].Value = "{{ vars.when }}"
		stored.Version++
		return e.store.ReplaceProcess(context.Background(), stored, "an older version") // bypasses validation
	})
	good := e.create(cronDef(cronOpts{expr: "*/10 * * * *"}))
	e.start(cron.Options{})
	e.runUntil(t0.Add(30 * time.Minute))
	if s := e.slots(bad); len(s) != 0 {
		t.Errorf("unusable schedule fired: %v", s)
	}
	equal(t, "good", e.slotTimes(good), []string{"10:10:00 started", "10:20:00 started", "10:30:00 started"})
}
