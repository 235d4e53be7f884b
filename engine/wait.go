package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"flowcraft/engine/templates"
)

// beginWait starts a wait-capable task: the runtime goes `waiting` until a job, a
// child instance or a person completes it.
func (r *Runtime) beginWait(ctx context.Context, s *step, t *ctask, n *NodeRun) error {
	st := s.st
	params, err := r.renderParams(ctx, t, st.scope(n.Incoming, nil, 0, false))
	if err != nil {
		return r.fail(ctx, s, t, n, nil, err)
	}
	n.Input, n.InputIsDefinition = t.shownParams(params)
	now := nowMs(r.now)
	switch t.Template {
	case "delay":
		due, err := delayDue(params, r.now())
		if err != nil {
			return r.fail(ctx, s, t, n, nil, err)
		}
		n.Status, n.UpdateAt = StatusWaiting, now
		s.touch(n)
		s.jobs = append(s.jobs, r.job(JobTimer, st.inst.ID, n.ID, t.InstID, due.UnixMilli()))
		r.taskTimeout(s, t, n)
		return r.commit(ctx, s)
	case "subprocess":
		n.Status, n.UpdateAt = StatusWaiting, now
		s.touch(n)
		r.taskTimeout(s, t, n)
		// A watchdog: if this process dies before the child starts, the job wakes the
		// parent, which then starts the child. Otherwise it finds the child and waits on.
		s.jobs = append(s.jobs, r.job(JobContinue, st.inst.ID, n.ID, t.InstID, now+subprocessWatchdog.Milliseconds()))
		if err := r.commit(ctx, s); err != nil {
			return err
		}
		return r.startChild(ctx, st, t, n, params)
	case "approval":
		return r.approvals.begin(ctx, s, t, n, params)
	case "external-task":
		return r.external.begin(ctx, s, t, n, params)
	}
	return r.fail(ctx, s, t, n, nil, fmt.Errorf("template %q cannot run in this version", t.Template))
}

// subprocessWatchdog is when a parent checks that its child instance started.
const subprocessWatchdog = 10 * time.Second

// taskTimeout schedules the timeout of a waiting task, when it has one.
func (r *Runtime) taskTimeout(s *step, t *ctask, n *NodeRun) {
	if t.Timeout > 0 {
		s.jobs = append(s.jobs, r.job(JobTaskTimeout, s.st.inst.ID, n.ID, t.InstID, nowMs(r.now)+t.Timeout))
	}
}

// delayDue computes when a delay ends: `duration` from now, or the time `until`.
func delayDue(params map[string]any, now time.Time) (time.Time, error) {
	if u, ok := params["until"]; ok && !templates.IsUnset(u) {
		s, ok := u.(string)
		if !ok {
			return time.Time{}, fmt.Errorf("until must be a date, got %v", u)
		}
		at, err := templates.ParseTime(s, time.UTC)
		if err != nil {
			return time.Time{}, fmt.Errorf("until: %w", err)
		}
		return at, nil
	}
	d, err := templates.ParseDuration(params["duration"])
	if err != nil {
		return time.Time{}, fmt.Errorf("duration: %w", err)
	}
	return now.Add(d), nil
}

// startChild starts the child instance of a subprocess runtime (committed waiting).
func (r *Runtime) startChild(ctx context.Context, st *instState, t *ctask, n *NodeRun, params map[string]any) error {
	pid, _ := params["processId"].(string)
	input, ok := params["input"]
	if !ok || input == nil {
		input = n.Incoming
	}
	_, err := r.StartInstance(ctx, pid, input, StartOptions{By: st.inst.Executor, ParentID: st.inst.ID, ParentNodeID: n.ID, TriggerApp: "subprocess"})
	if err != nil {
		s := st.newStep()
		return r.fail(ctx, s, t, n, nil, fmt.Errorf("start subprocess %s: %w", pid, err))
	}
	return nil
}

// collectChildren finishes subprocess runtimes whose child ended, and starts children
// that a crash kept from starting.
func (r *Runtime) collectChildren(ctx context.Context, st *instState) error {
	for _, n := range st.live() {
		if n.Status != StatusWaiting || n.Template != "subprocess" {
			continue
		}
		t := st.def.tasks[n.TaskID]
		child, err := r.store.ChildInstance(ctx, n.ID)
		if errors.Is(err, ErrNotFound) {
			params, err := r.renderParams(ctx, t, st.scope(n.Incoming, nil, 0, false))
			if err != nil {
				return r.fail(ctx, st.newStep(), t, n, nil, err)
			}
			if err := r.startChild(ctx, st, t, n, params); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		switch child.Status {
		case StatusDone:
			if err := r.complete(ctx, st.newStep(), t, n, StatusDone, child.Output); err != nil {
				return err
			}
		case StatusFailed, StatusCanceled, StatusTimeout:
			msg := fmt.Sprintf("subprocess instance %s ended %s", child.ID, child.Status)
			if child.Error != "" {
				msg += ": " + child.Error
			}
			cause := errors.New(msg)
			if child.ErrorCode != "" {
				// The child's business error is the subprocess task's, for its routes.
				cause = &TaskError{Code: child.ErrorCode, Message: cut(msg, MaxErrorMessage)}
			}
			if err := r.fail(ctx, st.newStep(), t, n, nil, cause); err != nil {
				return err
			}
		}
	}
	return nil
}
