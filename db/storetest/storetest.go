// Package storetest is the contract every db.Store implementation must pass, in the
// manner of testing/fstest: an implementation's own test calls
//
//	storetest.Run(t, func(t *testing.T) db.Store { ... a new, empty store ... })
//
// The tests use only the db.Store interface. They cover definitions and their
// versions, webhook tokens, steps (instances, runtimes, variables) committed all or
// nothing with optimistic revs, jobs and their leases, human tasks and the inbox,
// users, groups, tokens and sessions with the last-admin rule, idempotency keys,
// cron slots, backups and the store's lifecycle.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"flowcraft/db"
	"flowcraft/engine"
)

// Run runs the contract tests, each on a new, empty store made by open. Run closes
// every store when its test ends (a store closed by the test is closed again, which
// must be harmless). The tests run in parallel.
func Run(t *testing.T, open func(t *testing.T) db.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fixture{T: t, s: open(t), ctx: t.Context()}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if err := f.s.Close(ctx); err != nil && !f.closed {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(f)
		})
	}
}

// tests is the suite, by name.
var tests = []struct {
	name string
	fn   func(f *fixture)
}{
	{"Ping", testPing},
	// Definitions.
	{"ProcessCRUD", testProcessCRUD},
	{"ProcessReplaceAndVersions", testProcessReplaceAndVersions},
	{"ListProcesses", testListProcesses},
	{"DeleteProcess", testDeleteProcess},
	{"TriggerTokens", testTriggerTokens},
	{"DefinitionLabelsAndVersions", testDefinitionLabelsAndVersions},
	{"CandidateStarters", testCandidateStarters},
	{"DefinitionVersionFilters", testDefinitionVersionFilters},
	// Steps: instances, runtimes, variables.
	{"CommitAndLoad", testCommitAndLoad},
	{"StaleRevsConflict", testStaleRevsConflict},
	{"ConcurrentStepsFailAlone", testConcurrentStepsFailAlone},
	{"CommitStepAsync", testCommitStepAsync},
	{"ListInstances", testListInstances},
	{"TypedVariables", testTypedVariables},
	{"VariableConditions", testVariableConditions},
	{"ResumeAndCrashCount", testResumeAndCrashCount},
	{"ChildInstances", testChildInstances},
	{"DeleteInstance", testDeleteInstance},
	{"IdempotencyKeys", testIdempotencyKeys},
	{"BusinessKeysAndTenants", testBusinessKeysAndTenants},
	{"InstanceLinks", testInstanceLinks},
	{"RuntimeFilters", testRuntimeFilters},
	{"FinishedInstances", testFinishedInstances},
	{"History", testHistory},
	// Jobs.
	{"JobLeases", testJobLeases},
	{"JobRetriesAndRevive", testJobRetriesAndRevive},
	{"JobsWrittenBySteps", testJobsWrittenBySteps},
	{"ListJobs", testListJobs},
	{"JobQueues", testJobQueues},
	{"HistoryRetention", testHistoryRetention},
	// Human tasks.
	{"HumanTasks", testHumanTasks},
	{"Inbox", testInbox},
	{"InboxPagingAndSorting", testInboxPagingAndSorting},
	{"ApprovalEndClosesTasks", testApprovalEndClosesTasks},
	{"HumanTaskFields", testHumanTaskFields},
	{"ListHumanTasks", testListHumanTasks},
	{"AdminTasks", testAdminTasks},
	{"DoneSearch", testDoneSearch},
	// Identity.
	{"Users", testUsers},
	{"ListUsers", testListUsers},
	{"LastAdmin", testLastAdmin},
	{"Groups", testGroups},
	{"Tokens", testTokens},
	{"Sessions", testSessions},
	// Cron.
	{"CronSlots", testCronSlots},
	// The store as a whole.
	{"ConcurrentWriters", testConcurrentWriters},
	{"Backup", testBackup},
	{"CloseWritesQueuedSteps", testCloseWritesQueuedSteps},
	{"CloseWithDeadline", testCloseWithDeadline},
}

// fixture is one test's store and helpers.
type fixture struct {
	*testing.T
	s    db.Store
	ctx  context.Context
	next atomic.Int64 // instance, runtime, job and task ids
	// closed is set by the tests that close the store themselves (and check Close).
	closed bool
}

// base is the time of the fixtures: every created row is around it (unix ms).
var base = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func ms(d time.Duration) int64 { return base.Add(d).UnixMilli() }

// secs is base plus n seconds (unix ms).
func secs(n int) int64 { return ms(time.Duration(n) * time.Second) }

// id returns a fresh id, unique in the store.
func (f *fixture) id() engine.ID { return engine.ID(1000 + f.next.Add(1)) }

func (f *fixture) must(err error, what string) {
	f.Helper()
	if err != nil {
		f.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails unless err matches kind (errors.Is).
func (f *fixture) wantErr(err, kind error, what string) {
	f.Helper()
	if !errors.Is(err, kind) {
		f.Errorf("%s: got %v, want an error matching %q", what, err, kind)
	}
}

// sampleProcess is a small definition, not stored.
func sampleProcess(id string) *engine.Process {
	return &engine.Process{
		ID: id, Name: "sample " + id, Engine: engine.EngineStandard, Enabled: true, Creator: "dora", Version: 1,
		InputDataSchema: json.RawMessage(`{}`), OutputDataSchema: json.RawMessage(`{}`),
		Extension: json.RawMessage(`{"color":"blue"}`), Metadata: json.RawMessage(`{}`),
		TriggerApp: "manual", StartTaskInstID: "task-a",
		Tasks: []*engine.Task{{InstID: "task-a", Name: "start", Template: "manual", Positions: []float64{1, 2},
			Connections: []engine.Connection{}}},
		CreateAt: ms(0), UpdateAt: ms(0),
	}
}

// process stores a definition; change, if given, edits it first.
func (f *fixture) process(id string, change ...func(*engine.Process)) *engine.Process {
	f.Helper()
	p := sampleProcess(id)
	for _, c := range change {
		c(p)
	}
	f.must(f.s.InsertProcess(f.ctx, p), "insert process "+id)
	return p
}

// run is an instance of a test with its runtimes, as the engine holds them.
type run struct {
	in    *engine.Instance
	nodes []*engine.NodeRun
}

// newInstance builds an unstored instance of process pid, status st, created at
// base+at, with one runtime of task-a.
func (f *fixture) newInstance(pid, st string, at time.Duration) *run {
	in := &engine.Instance{ID: f.id(), ProcessID: pid, Version: 1, Name: "instance", Engine: engine.EngineStandard,
		Status: st, Executor: "dora", TriggerApp: "manual", Trigger: map[string]any{"n": 1.0},
		StartAt: ms(at), CreateAt: ms(at), UpdateAt: ms(at)}
	n := &engine.NodeRun{ID: f.id(), InstanceID: in.ID, TaskID: "task-a", Name: "start", Template: "manual",
		Status: engine.StatusDone, Incoming: map[string]any{}, Output: map[string]any{"ok": true}, CreateAt: ms(at), UpdateAt: ms(at)}
	return &run{in: in, nodes: []*engine.NodeRun{n}}
}

// instance commits a new instance (see newInstance) and returns it with revs current.
func (f *fixture) instance(pid, st string, at time.Duration) *run {
	f.Helper()
	r := f.newInstance(pid, st, at)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}), "commit a new instance")
	return r
}

// setStatus commits a step that changes the instance's status.
func (f *fixture) setStatus(r *run, st string) {
	f.Helper()
	r.in.Status = st
	r.in.UpdateAt++
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in}), "commit status "+st)
}

func ids[T any](list []T, id func(T) engine.ID) []engine.ID {
	out := make([]engine.ID, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

func instID(in *engine.Instance) engine.ID { return in.ID }
func taskID(t *engine.HumanTask) engine.ID { return t.ID }
func jobID(j *engine.Job) engine.ID        { return j.ID }

func testPing(f *fixture) {
	f.must(f.s.Ping(f.ctx), "ping")
}
