package engine

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"time"
)

// Instance actions of PUT /api/processInst/{id}.
const (
	ActionCancel  = "cancel"
	ActionSuspend = "suspend"
	ActionResume  = "resume"
	ActionRetry   = "retry"
)

// act runs fn on an instance's actor and waits for its answer.
func (r *Runtime) act(ctx context.Context, id ID, fn func(ctx context.Context, st *instState) error) error {
	return r.actOn(ctx, id, false, fn)
}

// actOn is act; preempt interrupts the instance's step in progress (abandoned, not
// failed: it runs again if the instance goes on) so that fn runs at once.
func (r *Runtime) actOn(ctx context.Context, id ID, preempt bool, fn func(ctx context.Context, st *instState) error) error {
	if _, err := r.store.GetInstance(ctx, id); err != nil {
		return err
	}
	return r.actExisting(ctx, id, preempt, fn)
}

// actExisting is actOn for an instance known to exist (a row that refers to it was
// just read): it saves the read.
func (r *Runtime) actExisting(ctx context.Context, id ID, preempt bool, fn func(ctx context.Context, st *instState) error) error {
	res := make(chan error, 1)
	r.submit(id, &command{
		run: func(ctx context.Context, st *instState) error {
			err := fn(ctx, st)
			if errors.Is(err, errAbandoned) {
				res <- errStopping // nothing was written: the runtime is stopping
			} else {
				res <- err
			}
			if isCallerError(err) {
				// The caller's mistake, not the instance's; whatever the command
				// changed in memory before it is read again from the store.
				st.broken = true
				return nil
			}
			return err
		},
		dropped: func(err error) { res <- err },
		preempt: preempt,
	}, nil)
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func isCallerError(err error) bool {
	_, ok := err.(*Error)
	return ok
}

// Act applies an action (cancel, suspend, resume, retry) to an instance. An action the
// current status does not allow is ErrConflict naming the status.
func (r *Runtime) Act(ctx context.Context, id ID, action string) (*Instance, error) {
	var out *Instance
	// A cancel or suspend does not queue behind the instance's own steps: it interrupts
	// the step in progress, which is abandoned (a suspended instance runs it again when
	// resumed).
	preempt := action == ActionCancel || action == ActionSuspend
	err := r.actOn(ctx, id, preempt, func(ctx context.Context, st *instState) error {
		in := st.inst
		notIn := func() error {
			return Coded(ErrConflict, CodeActionNotAllowed, Params{"action": action, "status": in.Status}, "cannot %s instance %s: it is %s", action, in.ID, in.Status)
		}
		switch action {
		case ActionCancel:
			if Ended(in.Status) {
				return notIn()
			}
			if err := r.end(ctx, st, StatusCanceled, nil, "canceled"); err != nil {
				return err
			}
		case ActionSuspend:
			if in.Status != StatusRunning && in.Status != StatusWaiting && in.Status != StatusPending {
				return notIn()
			}
			s := st.newStep()
			in.Status = StatusSuspended
			if err := r.commit(ctx, s); err != nil {
				return err
			}
		case ActionResume:
			if in.Status != StatusSuspended {
				return notIn()
			}
			s := st.newStep()
			in.Status = StatusRunning
			if err := r.commit(ctx, s); err != nil {
				return err
			}
		case ActionRetry:
			if in.Status != StatusFailed && in.Status != StatusTimeout {
				return notIn()
			}
			if err := r.retry(ctx, st); err != nil {
				return err
			}
		default:
			return InvalidField("action", CodeOneOf, Params{"allowed": "cancel, suspend, resume, retry"}, "unknown action %q: use cancel, suspend, resume or retry", action)
		}
		cp := *st.inst
		out = &cp
		return nil
	})
	return out, err
}

// retry reruns what stopped when the instance failed: the failed runtimes (each task's
// last execution) and the tokens that were canceled with the failure.
func (r *Runtime) retry(ctx context.Context, st *instState) error {
	s := st.newStep()
	endedAt := st.inst.EndAt
	latest := map[string]*NodeRun{}
	for _, n := range st.nodes {
		latest[n.TaskID] = n
	}
	for _, n := range st.nodes {
		t := st.def.tasks[n.TaskID]
		if t == nil || latest[n.TaskID] != n {
			continue
		}
		switch {
		case n.Status == StatusFailed || n.Status == StatusTimeout:
		case n.Status == StatusCanceled && n.EndAt == endedAt:
		default:
			continue
		}
		next := r.newRun(st, t, n.Incoming)
		if t.join && n.Detail != nil && len(n.Detail.Arrived) > 0 {
			next.Detail.Arrived = append([]string(nil), n.Detail.Arrived...)
			if in, ok := n.Incoming.(map[string]any); ok {
				next.Incoming = maps.Clone(in)
			}
			if t.Template == "inclusive-gateway" || len(next.Detail.Arrived) < len(t.incoming) {
				next.Status = StatusWaiting
			}
		}
		s.touch(next)
	}
	in := st.inst
	in.Status, in.Error, in.ErrorCode, in.EndAt, in.Cost = StatusRunning, "", "", 0, 0
	if st.def.p.Timeout > 0 {
		s.jobs = append(s.jobs, r.job(JobProcessTimeout, in.ID, 0, "", nowMs(r.now)+st.def.p.Timeout))
	}
	return r.commit(ctx, s)
}

// DeleteInstance removes an ended instance and all its rows.
func (r *Runtime) DeleteInstance(ctx context.Context, id ID) error {
	in, err := r.store.GetInstance(ctx, id)
	if err != nil {
		return err
	}
	if !Ended(in.Status) {
		return Coded(ErrConflict, CodeInstanceRunning, Params{"status": in.Status}, "instance %s is %s; cancel it before deleting", id, in.Status)
	}
	r.idleStates.forget(id)
	return r.store.DeleteInstance(ctx, id)
}

// ListInstances returns a page of instances.
func (r *Runtime) ListInstances(ctx context.Context, f InstanceFilter) ([]*Instance, int, error) {
	return r.store.ListInstances(ctx, f)
}

// InstanceView is an instance as GET /api/processInst/{inst_id} answers it (seed 000):
// the instance's own fields, proc_id and the fields of the definition version it
// runs, and every task of that version (the whole task) with its runtimes. Where the
// instance and the definition share a field name (id, name, engine, status,
// executor, error, version, triggerApp, createAt, updateAt) the instance's value is
// the one shown. The definition's enabled flag and webhook token are left out: they
// are the process's current state, not part of the version the instance runs (read
// them with GET /api/process/{id}).
type InstanceView struct {
	*Instance
	ProcID           string          `json:"proc_id"` // the seed's name of processId
	Description      string          `json:"description"`
	StartTaskInstID  string          `json:"startTaskInstId"`
	EndTaskInstID    string          `json:"endTaskInstId"`
	Creator          string          `json:"creator"`
	Timeout          int64           `json:"timeout"` // the definition's, ms
	InputDataSchema  json.RawMessage `json:"inputDataSchema"`
	OutputDataSchema json.RawMessage `json:"outputDataSchema"`
	Extension        json.RawMessage `json:"extension"`
	Metadata         json.RawMessage `json:"metadata"`
	Category         string          `json:"category"` // the version's (tenantId is the instance's own)
	Tasks            []*TaskView     `json:"tasks"`

	HistoryTTLDays     int  `json:"historyTimeToLive"`  // the version's history time-to-live, days
	PayloadAsVariables bool `json:"payloadAsVariables"` // the version's
}

// TaskView is one task of an instance: the whole task of the definition version, the
// status of its latest runtime and every runtime.
type TaskView struct {
	*Task
	Status   string     `json:"status"` // of the latest runtime; "" when it never ran
	Runtimes []*NodeRun `json:"runtimes"`
}

// newInstanceView builds the view of in, which runs definition p.
func newInstanceView(in *Instance, p *Process) *InstanceView {
	return &InstanceView{Instance: in, ProcID: in.ProcessID, Description: p.Description,
		StartTaskInstID: p.StartTaskInstID, EndTaskInstID: p.EndTaskInstID, Creator: p.Creator, Timeout: p.Timeout,
		InputDataSchema: p.InputDataSchema, OutputDataSchema: p.OutputDataSchema, Extension: p.Extension, Metadata: p.Metadata,
		Category: p.Category, HistoryTTLDays: p.HistoryTTLDays, PayloadAsVariables: p.PayloadAsVariables}
}

// Describe returns an instance with its tasks and runtimes.
func (r *Runtime) Describe(ctx context.Context, id ID) (*InstanceView, error) {
	var in *Instance
	var nodes []*NodeRun
	if st, ok := r.unwrittenState(id); ok {
		cp := *st.inst
		in = &cp
		for _, n := range st.nodes {
			nc := *n
			nodes = append(nodes, &nc)
		}
	} else {
		var err error
		if in, nodes, _, err = r.store.LoadInstance(ctx, id); err != nil {
			return nil, err
		}
	}
	def, err := r.definition(ctx, in.ProcessID, in.Version)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		if t := def.tasks[n.TaskID]; t != nil {
			t.fillInput(n)
		}
	}
	var approvals []ID
	for _, n := range nodes {
		if n.Template == "approval" {
			approvals = append(approvals, n.ID)
		}
	}
	if len(approvals) > 0 && r.tasks != nil {
		hts, err := r.tasks.HumanTasksOfNodes(ctx, approvals)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			for _, ht := range hts {
				if ht.NodeID == n.ID {
					n.HumanTasks = append(n.HumanTasks, ht)
				}
			}
		}
	}
	v := newInstanceView(in, def.p)
	byTask := map[string]*TaskView{}
	for _, t := range def.p.Tasks {
		tc := *t // the definition is shared (cached): the view gets its own copy
		tv := &TaskView{Task: &tc, Runtimes: []*NodeRun{}}
		byTask[t.InstID] = tv
		v.Tasks = append(v.Tasks, tv)
	}
	for _, n := range nodes {
		tv := byTask[n.TaskID]
		if tv == nil {
			tv = &TaskView{Task: &Task{InstID: n.TaskID, Name: n.Name, Template: n.Template}, Runtimes: []*NodeRun{}}
			byTask[n.TaskID] = tv
			v.Tasks = append(v.Tasks, tv)
		}
		tv.Runtimes = append(tv.Runtimes, n)
		tv.Status = n.Status
	}
	return v, nil
}

// DescribeTask returns one task of an instance with its runtimes.
func (r *Runtime) DescribeTask(ctx context.Context, id ID, taskID string) (*TaskView, error) {
	v, err := r.Describe(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, t := range v.Tasks {
		if t.InstID == taskID {
			return t, nil
		}
	}
	return nil, Coded(ErrNotFound, CodeNoSuchTask, Params{"task": taskID}, "instance %s has no task %s", id, taskID)
}

// WaitEnded waits up to d for an instance to end and returns its latest state.
func (r *Runtime) WaitEnded(ctx context.Context, id ID, d time.Duration) (*Instance, error) {
	if st, ok := r.unwrittenState(id); ok {
		cp := *st.inst
		return &cp, nil
	}
	ch := r.addWaiter(id)
	in, err := r.store.GetInstance(ctx, id)
	if err != nil || Ended(in.Status) {
		r.removeWaiter(id, ch)
		return in, err
	}
	in, _ = r.await(ctx, id, ch, d, in)
	return in, nil
}
