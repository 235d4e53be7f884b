package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"flowcraft/engine/templates"
)

// ExternalStore persists external jobs. The db package implements it; new jobs and
// the jobs a step ends are written with the step (Step.ExternalJobs).
type ExternalStore interface {
	// LockExternalJobs locks, in one write transaction, up to req.MaxTasks fetchable
	// jobs of req's topics and filters for req.WorkerID: open or locked jobs whose
	// lock_expiry <= now, of instances that are not suspended; by priority (when
	// req.UsePriority) or creation, then id. Each gets its topic's lock duration.
	LockExternalJobs(ctx context.Context, req FetchRequest, now int64) ([]*ExternalJob, error)
	// GetExternalJob returns a job (history included); ErrNotFound when unknown.
	GetExternalJob(ctx context.Context, id ID) (*ExternalJob, error)
	// ListExternalJobs lists jobs and counts the filter's matches.
	ListExternalJobs(ctx context.Context, f ExternalFilter) ([]*ExternalJob, int, error)
	// UpdateExternalJob writes a job's state, lock, retries and error with a rev check
	// (ErrConflict when stale), advancing j.Rev.
	UpdateExternalJob(ctx context.Context, j *ExternalJob) error
	// NextExternalExpiry returns the earliest lock_expiry after `after` of the open
	// and locked jobs (0: none): when a job next becomes fetchable.
	NextExternalExpiry(ctx context.Context, after int64) (int64, error)
	// ExternalScopes returns, for each instance, its trigger data and its variables
	// (binary ones without their Data): what workers receive.
	ExternalScopes(ctx context.Context, instances []ID) (map[ID]*ExternalScope, error)
	// NodeInputs returns the data that reached each runtime (NodeRun.Incoming).
	NodeInputs(ctx context.Context, nodes []ID) (map[ID]any, error)
}

// ExternalScope is what an instance gives the workers of its jobs.
type ExternalScope struct {
	Trigger any
	Vars    map[string]*Variable
}

// ExternalTasks is the service of external jobs: `Runtime.ExternalTasks()`.
// Every method is safe for concurrent use. A job completed, failed or errored ends
// its lock; the node then goes on in the standard engine's usual way (one committed
// step), so a restart loses nothing.
//
// Semantics (DESIGN §10):
//   - Variables a worker receives (FetchTopic.Variables nil: all; a list: those
//     names): the instance's trigger data (when an object), overlaid by the process
//     variables, overlaid by the task's `variables` parameter when it sets one.
//     LocalVariables: only the task's own, its `variables` parameter (when unset, the
//     data that reached the task, when an object).
//   - Complete: the variables are written into the process variables, the local ones
//     are not; the task's output is both, as an object name → value; the job is done.
//   - Fail with retries left: the job is unlocked, with its error, and fetchable again
//     after RetryTimeout. With none left it is an incident: when the task's
//     errorHandler strategy is ignore or goto, that applies (the task ends failed and
//     the job is done); otherwise (fail, the default) the task keeps waiting with the
//     incident as its error, as in Camunda, until SetRetries(n > 0) opens the job
//     again (an admin's retry) or the instance is canceled.
//   - BPMNError: the variables are written; errorHandler.routes sends the flow to the
//     route's task (the task ends failed with "BPMN error <code>: <message>", the
//     target receives {errorCode, errorMessage}); without a route the task fails with
//     that error and its strategy applies (no errorHandler retries: a business error
//     does not go away by trying again).
//   - A job whose runtime stops waiting otherwise (a cancel, a timeout, the instance
//     ended) is canceled in the same step; a suspended instance's jobs are not fetched.
type ExternalTasks struct {
	r     *Runtime
	store ExternalStore
	wake  *extNotifier
	// owners remembers the instance of the jobs this process created or locked.
	owners jobOwners
}

// jobOwners maps a job to its instance, which never changes, so that a worker's
// completion goes to the instance's actor without reading the job first (the actor
// reads it). Only a shortcut: a job it does not know is read. Bounded: forgotten
// when it grows past maxJobOwners entries.
type jobOwners struct {
	mu sync.Mutex
	m  map[ID]ID
}

const maxJobOwners = 1 << 16

func (o *jobOwners) remember(job, instance ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil || len(o.m) >= maxJobOwners {
		o.m = make(map[ID]ID)
	}
	o.m[job] = instance
}

func (o *jobOwners) forget(job ID) {
	o.mu.Lock()
	delete(o.m, job)
	o.mu.Unlock()
}

func (o *jobOwners) instance(job ID) (ID, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	inst, ok := o.m[job]
	return inst, ok
}

// onHeldJob is onJob for an action of the worker that holds a job (complete, BPMN
// error): the job's instance comes from owners when known (fn must check the lock),
// else from the job, read and checked here.
func (x *ExternalTasks) onHeldJob(ctx context.Context, id ID, workerID string,
	fn func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error) error {
	inst, known := x.owners.instance(id)
	if !known {
		j, err := x.get(ctx, id)
		if err != nil {
			return err
		}
		if err := x.holds(j, workerID); err != nil {
			return err
		}
		inst = j.InstanceID
	}
	err := x.onJob(ctx, id, inst, fn)
	if known && errors.Is(err, ErrNotFound) {
		// The instance is gone (deleted): say it of the job, as a read would have.
		if _, gerr := x.get(ctx, id); gerr != nil {
			return gerr
		}
	}
	return err
}

// newExternalTasks returns the service; store may be nil (then every call is
// ErrUnavailable).
func newExternalTasks(r *Runtime, store ExternalStore) *ExternalTasks {
	x := &ExternalTasks{r: r, store: store}
	x.wake = newExtNotifier(x)
	return x
}

// ExternalTasks returns the external task service.
func (r *Runtime) ExternalTasks() *ExternalTasks { return r.external }

func (x *ExternalTasks) ready() error {
	if x == nil || x.store == nil {
		return Errorf(ErrUnavailable, "external tasks are not available on this store")
	}
	return nil
}

func (x *ExternalTasks) nowMs() int64 { return nowMs(x.r.now) }

// begin creates the job of an external-task runtime, which waits for it.
func (x *ExternalTasks) begin(ctx context.Context, s *step, t *ctask, n *NodeRun, params map[string]any) error {
	r := x.r
	if err := x.ready(); err != nil {
		return r.fail(ctx, s, t, n, nil, err)
	}
	st := s.st
	topic := strings.TrimSpace(stringParam(params, "topic", ""))
	switch {
	case topic == "":
		return r.fail(ctx, s, t, n, nil, final(errors.New("topic: the external task has no topic")))
	case len(topic) > MaxTopicLength:
		return r.fail(ctx, s, t, n, nil, final(fmt.Errorf("topic: longer than %d characters", MaxTopicLength)))
	}
	retries := 3
	if v, ok := numberOf(params["retries"]); ok {
		retries = int(min(max(v, 0), 1_000_000))
	}
	var prio int64
	if v, ok := numberOf(params["priority"]); ok {
		prio = int64(min(max(v, -1e15), 1e15))
	}
	var vars map[string]any
	if v, ok := params["variables"]; ok && !templates.IsUnset(v) {
		m, ok := v.(map[string]any)
		if !ok {
			return r.fail(ctx, s, t, n, nil, final(fmt.Errorf("variables: must be an object of name → value, got %T", v)))
		}
		vars = m
	}
	now := nowMs(r.now)
	j := &ExternalJob{
		ID: ID(r.ids.Next()), Topic: topic, Priority: prio, State: ExternalOpen, InstanceID: st.inst.ID, NodeID: n.ID,
		TaskID: t.InstID, ProcessID: st.inst.ProcessID, ProcessVersion: st.inst.Version, BusinessKey: st.inst.BusinessKey,
		TenantID: st.inst.TenantID, CreatedAt: time.UnixMilli(now), TaskRetries: retries, TaskVariables: vars,
	}
	n.Status, n.UpdateAt = StatusWaiting, now
	s.touch(n)
	s.external = append(s.external, j)
	r.taskTimeout(s, t, n)
	if st.inst.Status == StatusRunning && !st.hasPendingOrJoin() {
		// Nothing else can run: the instance waits, in this step rather than one more.
		st.inst.Status = StatusWaiting
	}
	return r.commit(ctx, s)
}

// publish announces a changed job (EventExternal).
func (x *ExternalTasks) publish(j *ExternalJob) {
	cp := *j
	cp.TaskVariables = nil
	x.r.events.Publish(Event{Type: EventExternal, ProcessID: j.ProcessID, InstanceID: j.InstanceID, External: &cp})
}

// committed learns the external jobs a step or an update wrote: each is announced,
// and the open ones wake a fetch waiting for them.
func (x *ExternalTasks) committed(jobs []*ExternalJob) {
	now := x.nowMs()
	for _, j := range jobs {
		x.publish(j)
		switch j.State {
		case ExternalDone, ExternalCanceled:
			x.owners.forget(j.ID)
		default:
			x.owners.remember(j.ID, j.InstanceID)
		}
		if j.State != ExternalOpen {
			continue
		}
		if at := j.LockExpiresAt.UnixMilli(); !j.LockExpiresAt.IsZero() && at > now {
			x.wake.armAt(at)
			continue
		}
		x.wake.notifyJob(j)
	}
}

// validateFetch checks a fetch request; every problem is reported.
func validateFetch(req *FetchRequest) error {
	var ps []FieldError
	add := func(field string, code Code, params Params, format string, args ...any) {
		ps = append(ps, Problem("", field, code, params, format, args...))
	}
	switch {
	case strings.TrimSpace(req.WorkerID) == "":
		add("workerId", CodeRequired, Params{"field": "workerId"}, "a fetch needs a workerId")
	case len(req.WorkerID) > MaxWorkerIDLength:
		add("workerId", CodeTooLong, Params{"max": MaxWorkerIDLength}, "workerId is longer than %d characters", MaxWorkerIDLength)
	}
	if req.MaxTasks < 1 || req.MaxTasks > MaxFetchTasks {
		add("maxTasks", CodeOutOfRange, Params{"min": 1, "max": MaxFetchTasks}, "maxTasks must be from 1 to %d, got %d", MaxFetchTasks, req.MaxTasks)
	}
	if req.Wait < 0 || req.Wait > MaxFetchWait {
		add("asyncResponseTimeout", CodeOutOfRange, Params{"min": 0, "max": MaxFetchWait.Milliseconds()},
			"the long-polling time must be from 0 to %d ms, got %d", MaxFetchWait.Milliseconds(), req.Wait.Milliseconds())
	}
	switch {
	case len(req.Topics) == 0:
		add("topics", CodeRequired, Params{"field": "topics"}, "a fetch needs at least one topic")
	case len(req.Topics) > MaxFetchTopics:
		add("topics", CodeTooMany, Params{"max": MaxFetchTopics}, "at most %d topics per fetch", MaxFetchTopics)
	}
	seen := map[string]bool{}
	for i, t := range req.Topics {
		field := fmt.Sprintf("topics[%d]", i)
		switch {
		case strings.TrimSpace(t.Topic) == "":
			add(field+".topicName", CodeRequired, Params{"field": "topicName"}, "a topic needs a name")
		case len(t.Topic) > MaxTopicLength:
			add(field+".topicName", CodeTooLong, Params{"max": MaxTopicLength}, "a topic name is longer than %d characters", MaxTopicLength)
		case seen[t.Topic]:
			add(field+".topicName", CodeDuplicate, Params{"value": t.Topic}, "topic %q appears twice", t.Topic)
		}
		seen[t.Topic] = true
		if len(t.ProcessIDs) > MaxFetchTopics {
			add(field+".processDefinitionKeyIn", CodeTooMany, Params{"max": MaxFetchTopics}, "at most %d processes per topic", MaxFetchTopics)
		}
		if len(t.TenantIDs) > MaxFetchTopics {
			add(field+".tenantIdIn", CodeTooMany, Params{"max": MaxFetchTopics}, "at most %d tenants per topic", MaxFetchTopics)
		}
		if t.LockDuration <= 0 || t.LockDuration > MaxLockDuration {
			add(field+".lockDuration", CodeOutOfRange, Params{"min": 1, "max": MaxLockDuration.Milliseconds()},
				"lockDuration must be from 1 to %d ms, got %d", MaxLockDuration.Milliseconds(), t.LockDuration.Milliseconds())
		}
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// Fetch locks up to req.MaxTasks open jobs of the topics for req.WorkerID (expired
// locks count as open), long polling up to req.Wait: with nothing to lock, it waits
// until a job of one of its topics is created, unlocked, failed with retries left or
// its lock expires, and tries again. It answers an empty list when the wait ends, and
// the context's error when ctx ends first. ErrInvalid for a bad request.
func (x *ExternalTasks) Fetch(ctx context.Context, req FetchRequest) ([]*LockedJob, error) {
	if err := x.ready(); err != nil {
		return nil, err
	}
	if err := validateFetch(&req); err != nil {
		return nil, err
	}
	var w *extWaiter
	if req.Wait > 0 {
		w = x.wake.add(req.Topics)
		defer x.wake.remove(w)
	}
	var timer *time.Timer
	for {
		jobs, err := x.tryFetch(ctx, &req)
		if err != nil || len(jobs) > 0 || w == nil {
			return jobs, err
		}
		if timer == nil {
			timer = time.NewTimer(req.Wait)
			defer timer.Stop()
		}
		select {
		case <-w.ch:
		case <-timer.C:
			return []*LockedJob{}, nil
		case <-x.wake.closed:
			return []*LockedJob{}, nil
		case <-ctx.Done():
			return []*LockedJob{}, ctx.Err()
		}
	}
}

// tryFetch locks what it can now and reads the variables to send.
func (x *ExternalTasks) tryFetch(ctx context.Context, req *FetchRequest) ([]*LockedJob, error) {
	jobs, err := x.store.LockExternalJobs(ctx, *req, x.nowMs())
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return []*LockedJob{}, nil
	}
	earliest := int64(0)
	for _, j := range jobs {
		if at := j.LockExpiresAt.UnixMilli(); earliest == 0 || at < earliest {
			earliest = at
		}
	}
	x.wake.armAt(earliest)
	for _, j := range jobs {
		x.publish(j)
		x.owners.remember(j.ID, j.InstanceID)
	}
	sort.Slice(jobs, func(a, b int) bool {
		ja, jb := jobs[a], jobs[b]
		if req.UsePriority && ja.Priority != jb.Priority {
			return ja.Priority > jb.Priority
		}
		if !ja.CreatedAt.Equal(jb.CreatedAt) {
			return ja.CreatedAt.Before(jb.CreatedAt)
		}
		return ja.ID < jb.ID
	})
	out, err := x.withVariables(ctx, req, jobs)
	if err != nil {
		// The worker gets an error, not the jobs: give them back at once.
		for _, j := range jobs {
			j.State, j.WorkerID, j.LockExpiresAt = ExternalOpen, "", time.Time{}
			if uerr := x.store.UpdateExternalJob(context.WithoutCancel(ctx), j); uerr == nil {
				x.wake.notifyJob(j)
			}
		}
		return nil, err
	}
	return out, nil
}

// withVariables adds to locked jobs the variables their topics ask for.
func (x *ExternalTasks) withVariables(ctx context.Context, req *FetchRequest, jobs []*ExternalJob) ([]*LockedJob, error) {
	topics := make(map[string]*FetchTopic, len(req.Topics))
	for i := range req.Topics {
		topics[req.Topics[i].Topic] = &req.Topics[i]
	}
	var need, nodes []ID
	seen := map[ID]bool{}
	for _, j := range jobs {
		ft := topics[j.Topic]
		switch {
		case ft == nil || (ft.Variables != nil && len(ft.Variables) == 0):
		case ft.LocalVariables && j.TaskVariables == nil:
			nodes = append(nodes, j.NodeID)
		case ft.LocalVariables:
		case !seen[j.InstanceID]:
			seen[j.InstanceID] = true
			need = append(need, j.InstanceID)
		}
	}
	scopes := map[ID]*ExternalScope{}
	inputs := map[ID]any{}
	var err error
	if len(need) > 0 {
		if scopes, err = x.store.ExternalScopes(ctx, need); err != nil {
			return nil, err
		}
	}
	if len(nodes) > 0 {
		if inputs, err = x.store.NodeInputs(ctx, nodes); err != nil {
			return nil, err
		}
	}
	out := make([]*LockedJob, len(jobs))
	for i, j := range jobs {
		lj := &LockedJob{ExternalJob: *j, Variables: []*Variable{}}
		out[i] = lj
		ft := topics[j.Topic]
		if ft == nil || (ft.Variables != nil && len(ft.Variables) == 0) {
			continue
		}
		lj.Variables = jobVariables(j, scopes[j.InstanceID], inputs[j.NodeID], ft)
	}
	return out, nil
}

// jobVariables builds the variables of one job (see ExternalTasks).
func jobVariables(j *ExternalJob, sc *ExternalScope, input any, ft *FetchTopic) []*Variable {
	vars := map[string]*Variable{}
	plain := func(v any) {
		m, _ := v.(map[string]any)
		for k, v := range m {
			vars[k] = refit(k, nil, v)
		}
	}
	switch {
	case ft.LocalVariables && j.TaskVariables != nil:
		plain(j.TaskVariables)
	case ft.LocalVariables:
		plain(input)
	default:
		if sc != nil {
			plain(sc.Trigger)
			maps.Copy(vars, sc.Vars)
		}
		plain(j.TaskVariables)
	}
	names := make([]string, 0, len(vars))
	if ft.Variables != nil {
		for _, k := range ft.Variables {
			if _, ok := vars[k]; ok {
				names = append(names, k)
			}
		}
	} else {
		for k := range vars {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := make([]*Variable, 0, len(names))
	for _, k := range names {
		cp := *vars[k]
		cp.Name = k
		out = append(out, &cp)
	}
	return out
}

// Errors of the lock checks.

func unknownExternalJob(id ID) error {
	return Coded(ErrNotFound, CodeUnknownExternalJob, Params{"id": id.String()}, "external task %s does not exist", id)
}

func externalEnded(j *ExternalJob) error {
	return Coded(ErrNotFound, CodeExternalJobEnded, Params{"id": j.ID.String(), "state": j.State},
		"external task %s has ended (%s)", j.ID, j.State)
}

// holds checks that workerID holds the lock of a job now.
func (x *ExternalTasks) holds(j *ExternalJob, workerID string) error {
	switch j.State {
	case ExternalDone, ExternalCanceled:
		return externalEnded(j)
	case ExternalLocked:
	default:
		return Coded(ErrConflict, CodeLockNotOwned, Params{"id": j.ID.String(), "workerId": workerID, "owner": ""},
			"external task %s is not locked by worker %q: it is %s", j.ID, workerID, j.State)
	}
	if j.WorkerID != workerID {
		return Coded(ErrConflict, CodeLockNotOwned, Params{"id": j.ID.String(), "workerId": workerID, "owner": j.WorkerID},
			"external task %s cannot be handled by worker %q: it is locked by worker %q", j.ID, workerID, j.WorkerID)
	}
	if j.LockExpiresAt.UnixMilli() <= x.nowMs() {
		return Coded(ErrConflict, CodeLockExpired, Params{"id": j.ID.String(), "workerId": workerID},
			"the lock of worker %q on external task %s has expired; fetch it again", workerID, j.ID)
	}
	return nil
}

func (x *ExternalTasks) get(ctx context.Context, id ID) (*ExternalJob, error) {
	j, err := x.store.GetExternalJob(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, unknownExternalJob(id)
	}
	return j, err
}

// onJob runs fn on the actor of a job's instance with the job read again there, its
// runtime (waiting) and task. fn commits its step.
func (x *ExternalTasks) onJob(ctx context.Context, id ID, inst ID,
	fn func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error) error {
	return x.r.actExisting(ctx, inst, false, func(ctx context.Context, st *instState) error {
		j, err := x.get(ctx, id)
		if err != nil {
			return err
		}
		if j.State == ExternalDone || j.State == ExternalCanceled {
			return externalEnded(j)
		}
		n := st.node(j.NodeID)
		if n == nil || n.Status != StatusWaiting || Ended(st.inst.Status) {
			return Coded(ErrNotFound, CodeExternalJobEnded, Params{"id": j.ID.String(), "state": ExternalCanceled},
				"external task %s has ended: its task no longer waits", j.ID)
		}
		t := st.def.tasks[n.TaskID]
		if t == nil {
			return Errorf(ErrConflict, "task %s is not in version %d of the process", n.TaskID, st.inst.Version)
		}
		err = fn(ctx, st, j, n, t)
		for k, v := range st.typed {
			if v.Data != nil {
				cp := *v
				cp.Data = nil
				st.typed[k] = &cp
			}
		}
		return err
	})
}

// checkVars checks the variables a worker sends (NewVariable).
func (x *ExternalTasks) checkVars(vars []*Variable) ([]*Variable, error) {
	in := make([]Variable, 0, len(vars))
	for _, v := range vars {
		if v != nil {
			in = append(in, *v)
		}
	}
	return x.r.checkVariables(in)
}

// Complete ends a locked job: vars are written into the process variables (and
// local, the node's own, only into its output) and become the task's output; the
// flow goes on. ErrNotFound, or the lock errors when workerID does not hold it.
func (x *ExternalTasks) Complete(ctx context.Context, id ID, workerID string, vars, local []*Variable) error {
	if err := x.ready(); err != nil {
		return err
	}
	typed, err := x.checkVars(vars)
	if err != nil {
		return err
	}
	locals, err := x.checkVars(local)
	if err != nil {
		return err
	}
	return x.onHeldJob(ctx, id, workerID, func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error {
		if err := x.holds(j, workerID); err != nil {
			return err
		}
		out := make(map[string]any, len(typed)+len(locals))
		for _, v := range typed {
			out[v.Name] = v.ScriptValue()
		}
		for _, v := range locals {
			out[v.Name] = v.ScriptValue()
		}
		st.mergeVarsIn(typed)
		s := st.newStep()
		j.State, j.EndedAt = ExternalDone, time.UnixMilli(x.nowMs())
		s.external = append(s.external, j)
		return x.r.complete(ctx, s, t, n, StatusDone, out)
	})
}

// cut bounds a text to max bytes at a rune boundary.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Fail records a failure: with retries > 0 the job is unlocked and may be fetched
// again after RetryTimeout; at 0 it becomes an incident (see ExternalTasks).
func (x *ExternalTasks) Fail(ctx context.Context, id ID, f Failure) error {
	if err := x.ready(); err != nil {
		return err
	}
	var ps []FieldError
	problem := func(field string, code Code, params Params, format string, args ...any) {
		ps = append(ps, Problem("", field, code, params, format, args...))
	}
	if f.Retries < 0 && !f.Decrement {
		problem("retries", CodeTooSmall, Params{"min": 0}, "retries must not be negative, got %d", f.Retries)
	}
	if f.RetryTimeout < 0 || f.RetryTimeout > MaxLockDuration {
		problem("retryTimeout", CodeOutOfRange, Params{"min": 0, "max": MaxLockDuration.Milliseconds()},
			"retryTimeout must be from 0 to %d ms, got %d", MaxLockDuration.Milliseconds(), f.RetryTimeout.Milliseconds())
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	msg, details := cut(f.ErrorMessage, MaxErrorMessage), cut(f.ErrorDetails, MaxErrorDetails)
	j, err := x.get(ctx, id)
	if err != nil {
		return err
	}
	if err := x.holds(j, f.WorkerID); err != nil {
		return err
	}
	retries := f.Retries
	if f.Decrement {
		retries = j.TaskRetries
		if j.Retries != nil {
			retries = *j.Retries
		}
		retries = max(retries-1, 0)
	}
	if retries > 0 {
		now := x.nowMs()
		j.State, j.WorkerID, j.Retries, j.ErrorMessage, j.ErrorDetails = ExternalOpen, "", &retries, msg, details
		j.LockExpiresAt = time.Time{}
		if f.RetryTimeout > 0 {
			j.LockExpiresAt = time.UnixMilli(now + max(f.RetryTimeout.Milliseconds(), 1))
		}
		if err := x.store.UpdateExternalJob(ctx, j); err != nil {
			return x.raced(j, err)
		}
		x.committed([]*ExternalJob{j})
		return nil
	}
	return x.onJob(ctx, id, j.InstanceID, func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error {
		if err := x.holds(j, f.WorkerID); err != nil {
			return err
		}
		j.ErrorMessage, j.ErrorDetails = msg, details
		return x.incident(ctx, st, j, n, t)
	})
}

// raced turns a stale rev into the lock's error as it is now.
func (x *ExternalTasks) raced(j *ExternalJob, err error) error {
	if !errors.Is(err, ErrConflict) {
		return err
	}
	return Coded(ErrConflict, CodeChangedConcurrently, nil, "external task %s was changed at the same moment (fetched, unlocked or ended); try again", j.ID)
}

// incident ends a job's retries (on its instance's actor): with the ignore or goto
// strategy, the task fails and that applies; otherwise the task waits on with the
// incident as its error.
func (x *ExternalTasks) incident(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error {
	zero := 0
	now := x.nowMs()
	j.Retries, j.WorkerID, j.LockExpiresAt = &zero, "", time.Time{}
	msg := j.ErrorMessage
	if msg == "" {
		msg = "no retries left"
	}
	s := st.newStep()
	switch t.ErrorHandler.Strategy {
	case StrategyIgnore, StrategyGoto:
		j.State, j.EndedAt = ExternalDone, time.UnixMilli(now)
		s.external = append(s.external, j)
		return x.r.fail(ctx, s, t, n, nil, final(fmt.Errorf("external task failed: %s", msg)))
	}
	j.State = ExternalIncident
	n.Error, n.UpdateAt = "incident: "+msg, now
	s.touch(n)
	s.external = append(s.external, j)
	return x.r.commit(ctx, s)
}

// BPMNError ends a locked job with a business error: vars are written, and the flow
// follows errorHandler.routes for code, else the task fails with the error and its
// strategy applies.
func (x *ExternalTasks) BPMNError(ctx context.Context, id ID, workerID, code, message string, vars []*Variable) error {
	if err := x.ready(); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(code) == "":
		return InvalidField("errorCode", CodeRequired, Params{"field": "errorCode"}, "a BPMN error needs an errorCode")
	case len(code) > MaxErrorCodeLength:
		return InvalidField("errorCode", CodeTooLong, Params{"max": MaxErrorCodeLength}, "errorCode is longer than %d characters", MaxErrorCodeLength)
	}
	message = cut(message, MaxErrorMessage)
	typed, err := x.checkVars(vars)
	if err != nil {
		return err
	}
	return x.onHeldJob(ctx, id, workerID, func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error {
		if err := x.holds(j, workerID); err != nil {
			return err
		}
		st.mergeVarsIn(typed)
		s := st.newStep()
		j.State, j.EndedAt, j.ErrorCode, j.ErrorMessage = ExternalDone, time.UnixMilli(x.nowMs()), code, message
		s.external = append(s.external, j)
		return x.r.fail(ctx, s, t, n, nil, &TaskError{Code: code, Message: message})
	})
}

// ExtendLock sets a held lock to expire d from now.
func (x *ExternalTasks) ExtendLock(ctx context.Context, id ID, workerID string, d time.Duration) error {
	if err := x.ready(); err != nil {
		return err
	}
	if d <= 0 || d > MaxLockDuration {
		return InvalidField("newDuration", CodeOutOfRange, Params{"min": 1, "max": MaxLockDuration.Milliseconds()},
			"the new lock duration must be from 1 to %d ms, got %d", MaxLockDuration.Milliseconds(), d.Milliseconds())
	}
	j, err := x.get(ctx, id)
	if err != nil {
		return err
	}
	if err := x.holds(j, workerID); err != nil {
		return err
	}
	j.LockExpiresAt = time.UnixMilli(x.nowMs() + d.Milliseconds())
	if err := x.store.UpdateExternalJob(ctx, j); err != nil {
		return x.raced(j, err)
	}
	x.publish(j)
	return nil
}

// Unlock frees a job whatever its lock (Camunda's unlock): it may be fetched again at
// once. Unlocking a job that is not locked changes nothing.
func (x *ExternalTasks) Unlock(ctx context.Context, id ID) error {
	if err := x.ready(); err != nil {
		return err
	}
	j, err := x.get(ctx, id)
	if err != nil {
		return err
	}
	switch j.State {
	case ExternalDone, ExternalCanceled:
		return externalEnded(j)
	case ExternalLocked:
	default:
		return nil
	}
	j.State, j.WorkerID, j.LockExpiresAt = ExternalOpen, "", time.Time{}
	if err := x.store.UpdateExternalJob(ctx, j); err != nil {
		return x.raced(j, err)
	}
	x.committed([]*ExternalJob{j})
	return nil
}

// SetRetries sets the retries of a job; on an incident with retries > 0 it opens the
// job again and the node waits again (an admin's retry); 0 on an open or locked job
// makes it an incident (see ExternalTasks).
func (x *ExternalTasks) SetRetries(ctx context.Context, id ID, retries int) error {
	if err := x.ready(); err != nil {
		return err
	}
	if retries < 0 {
		return InvalidField("retries", CodeTooSmall, Params{"min": 0}, "retries must not be negative, got %d", retries)
	}
	j, err := x.get(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case j.State == ExternalDone || j.State == ExternalCanceled:
		return externalEnded(j)
	case j.State == ExternalIncident && retries > 0:
		var opened *ExternalJob
		err := x.onJob(ctx, id, j.InstanceID, func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error {
			if j.State != ExternalIncident {
				j.Retries = &retries
				if err := x.store.UpdateExternalJob(ctx, j); err != nil {
					return x.raced(j, err)
				}
				return nil
			}
			s := st.newStep()
			j.State, j.Retries, j.WorkerID, j.LockExpiresAt = ExternalOpen, &retries, "", time.Time{}
			n.Error, n.UpdateAt = "", x.nowMs()
			s.touch(n)
			s.external = append(s.external, j)
			if err := x.r.commit(ctx, s); err != nil {
				return err
			}
			opened = j
			return nil
		})
		if err == nil && opened != nil {
			x.committed([]*ExternalJob{opened})
		}
		return err
	case retries == 0 && j.State != ExternalIncident:
		return x.onJob(ctx, id, j.InstanceID, func(ctx context.Context, st *instState, j *ExternalJob, n *NodeRun, t *ctask) error {
			if j.State == ExternalIncident {
				return nil
			}
			j.State = ExternalIncident
			return x.incident(ctx, st, j, n, t)
		})
	}
	j.Retries = &retries
	if err := x.store.UpdateExternalJob(ctx, j); err != nil {
		return x.raced(j, err)
	}
	x.publish(j)
	return nil
}

// Get returns one job (history included).
func (x *ExternalTasks) Get(ctx context.Context, id ID) (*ExternalJob, error) {
	if err := x.ready(); err != nil {
		return nil, err
	}
	return x.get(ctx, id)
}

// List returns the jobs of the filter and their total; a Limit of 0 returns no jobs,
// only the total (a count).
func (x *ExternalTasks) List(ctx context.Context, f ExternalFilter) ([]*ExternalJob, int, error) {
	if err := x.ready(); err != nil {
		return nil, 0, err
	}
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, Invalid("limit", "limit and offset must not be negative")
	}
	return x.store.ListExternalJobs(ctx, f)
}

// TaskError is a coded (business) error of a task: a BPMN error reported by an
// external worker, or a script's thrown {errorCode, errorMessage} (scriptError). The
// task's errorHandler.routes send it to their target (which receives {errorCode,
// errorMessage}); without a route the task fails with it and its strategy applies,
// without errorHandler retries.
type TaskError struct {
	Code    string
	Message string
	cause   error // the script's error, when a script threw it
}

// Unwrap returns the script error a TaskError came from (nil for a worker's).
func (e *TaskError) Unwrap() error { return e.cause }

func (e *TaskError) Error() string {
	if e.Message == "" {
		return "BPMN error " + e.Code
	}
	return "BPMN error " + e.Code + ": " + e.Message
}

// finalError is a task failure that errorHandler retries do not apply to (the
// external task's own retries ran out, or its parameters cannot work).
type finalError struct{ error }

func (e finalError) Unwrap() error { return e.error }

func final(err error) error { return finalError{err} }
