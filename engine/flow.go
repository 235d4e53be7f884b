package engine

import (
	"context"
	"fmt"
	"maps"
)

// drive runs an instance's runnable tokens one step at a time until it ends, waits, is
// suspended, or the runtime stops.
func (r *Runtime) drive(ctx context.Context, st *instState) error {
	if !Ended(st.inst.Status) {
		if err := r.collectChildren(ctx, st); err != nil {
			return err
		}
	}
	for ctx.Err() == nil {
		switch st.inst.Status {
		case StatusSuspended, StatusDone, StatusFailed, StatusCanceled, StatusTimeout:
			return nil
		}
		// Commands (a cancel, a suspend, a due timer) go first, between any two steps:
		// a flow that never waits must not keep them queued.
		if st.yield != nil && st.yield() {
			return nil
		}
		n, live := st.nextPending()
		if msg := r.overCap(st, live); msg != "" {
			return r.end(ctx, st, StatusFailed, nil, msg)
		}
		if n == nil {
			fired, err := r.settleJoins(ctx, st)
			if err != nil || fired {
				if err != nil {
					return err
				}
				continue
			}
			return r.idle(ctx, st)
		}
		if err := r.execute(ctx, st, n); err != nil {
			return err
		}
	}
	return nil
}

// overCap says which per-instance cap the instance exceeds, or "" if none: a cycle or
// a fan-out that multiplies tokens must not run until the disk is full.
func (r *Runtime) overCap(st *instState, live int) string {
	if n, limit := len(st.nodes), r.opts.MaxRuntimesPerInstance; n > limit {
		return fmt.Sprintf("the instance made %d runtimes, more than the limit of %d per instance "+
			"(a cycle or fan-out that runs away?); if the flow really needs more, raise it with --max-runtimes (FLOWCRAFT_MAX_RUNTIMES) and retry", n, limit)
	}
	if limit := r.opts.MaxActiveTokens; live > limit {
		return fmt.Sprintf("the instance has %d active tokens at once, more than the limit of %d per instance "+
			"(a fan-out that multiplies tokens?); if the flow really needs more, raise it with --max-tokens (FLOWCRAFT_MAX_TOKENS) and retry", live, limit)
	}
	return ""
}

// capError is a task that would exceed a per-instance cap; it fails the instance
// whatever the task's errorHandler says.
type capError struct{ msg string }

func (e *capError) Error() string { return e.msg }

// loopCap refuses a loop that would take the instance past MaxRuntimesPerInstance.
func (r *Runtime) loopCap(st *instState, more int) error {
	if n, limit := len(st.nodes)+more, r.opts.MaxRuntimesPerInstance; n > limit {
		return &capError{fmt.Sprintf("the loop would take the instance to %d runtimes, more than the limit of %d per instance; "+
			"if the flow really needs more, raise it with --max-runtimes (FLOWCRAFT_MAX_RUNTIMES) and retry", n, limit)}
	}
	return nil
}

// idle is reached when nothing is runnable: the instance waits, or it is finished.
func (r *Runtime) idle(ctx context.Context, st *instState) error {
	live := st.live()
	if len(live) == 0 {
		return r.end(ctx, st, StatusDone, st.finalOutput(), "")
	}
	if st.inst.Status != StatusWaiting {
		s := st.newStep()
		st.inst.Status = StatusWaiting
		return r.commit(ctx, s)
	}
	return nil
}

// settleJoins decides joins that wait while nothing is runnable: an inclusive join
// fires when no live token can still reach it; a join no token can reach any more
// is a deadlock and fails the instance.
func (r *Runtime) settleJoins(ctx context.Context, st *instState) (bool, error) {
	live := st.live()
	for _, j := range live {
		t := st.def.tasks[j.TaskID]
		if j.Status != StatusWaiting || t == nil || !t.join {
			continue
		}
		reachable := false
		for _, other := range live {
			if other == j {
				continue
			}
			if other.TaskID == j.TaskID || st.def.reachable(other.TaskID, j.TaskID) {
				reachable = true
				break
			}
		}
		if reachable {
			continue
		}
		s := st.newStep()
		if t.Template == "inclusive-gateway" {
			j.Status = StatusPending
			s.touch(j)
			return true, r.commit(ctx, s)
		}
		missing := []string{}
		arrived := map[string]bool{}
		for _, a := range j.Detail.Arrived {
			arrived[a] = true
		}
		for _, in := range t.incoming {
			if !arrived[in] {
				missing = append(missing, in)
			}
		}
		msg := fmt.Sprintf("parallel join %s waits for %v, which can no longer arrive", t.InstID, missing)
		j.Status, j.Error, j.EndAt = StatusFailed, msg, nowMs(r.now)
		s.touch(j)
		if err := r.commit(ctx, s); err != nil {
			return false, err
		}
		return false, r.end(ctx, st, StatusFailed, nil, msg)
	}
	return false, nil
}

// route sends the output of a finished runtime along the task's connections.
func (r *Runtime) route(ctx context.Context, s *step, t *ctask, from *NodeRun, output any) error {
	if len(t.Connections) == 0 {
		return nil
	}
	targets, err := r.pick(ctx, s.st, t, output)
	if err != nil {
		return err
	}
	for _, to := range targets {
		r.arrive(s, to, t.InstID, output)
	}
	return nil
}

// pick chooses the connections a token takes out of a task.
func (r *Runtime) pick(ctx context.Context, st *instState, t *ctask, output any) ([]string, error) {
	scope := st.scope(output, nil, 0, false)
	holds := func(cond string) (bool, error) {
		if cond == "" {
			return true, nil
		}
		ok, err := r.scripts.Condition(ctx, cond, scope)
		if err != nil {
			return false, fmt.Errorf("condition %q: %w", cond, err)
		}
		return ok, nil
	}
	var targets []string
	switch t.Template {
	case "parallel-gateway":
		for _, c := range t.Connections {
			targets = append(targets, c.To)
		}
		return targets, nil
	case "exclusive-gateway", "inclusive-gateway":
		// Exclusive: the first connection whose condition holds; inclusive: all of them.
		// Either falls back to the default connection.
		first := t.Template == "exclusive-gateway"
		def := ""
		for _, c := range t.Connections {
			if c.Default {
				def = c.To
				continue
			}
			ok, err := holds(c.Condition)
			if err != nil {
				return nil, err
			}
			if ok {
				targets = append(targets, c.To)
				if first {
					return targets, nil
				}
			}
		}
		if len(targets) == 0 {
			if def == "" {
				return nil, fmt.Errorf("no condition of %s %s holds and it has no default connection", t.Template, t.InstID)
			}
			targets = []string{def}
		}
		return targets, nil
	}
	// Any other task: every connection whose condition (if any) holds.
	for _, c := range t.Connections {
		ok, err := holds(c.Condition)
		if err != nil {
			return nil, err
		}
		if ok {
			targets = append(targets, c.To)
		}
	}
	return targets, nil
}

// arrive puts a token on a task: a new pending runtime, or an arrival at a join.
func (r *Runtime) arrive(s *step, to, from string, value any) {
	st := s.st
	t := st.def.tasks[to]
	if t == nil {
		return
	}
	if !t.join {
		s.touch(r.newRun(st, t, value))
		return
	}
	var j *NodeRun
	for _, n := range st.nodes {
		if n.TaskID == to && n.Status == StatusWaiting && n.Detail != nil && !contains(n.Detail.Arrived, from) {
			j = n
			break
		}
	}
	if j == nil {
		j = r.newRun(st, t, map[string]any{})
		j.Status = StatusWaiting
		j.Detail.Arrived = []string{}
	}
	// Copy on write: events published earlier share the old map.
	prev, _ := j.Incoming.(map[string]any)
	in := make(map[string]any, len(prev)+1)
	maps.Copy(in, prev)
	in[from] = value
	j.Incoming = in
	j.Detail.Arrived = append(j.Detail.Arrived, from)
	if t.Template == "parallel-gateway" && len(j.Detail.Arrived) >= len(t.incoming) {
		j.Status = StatusPending
	}
	j.UpdateAt = nowMs(r.now)
	s.touch(j)
}

// end finishes an instance: live tokens are canceled, jobs dropped, the parent (if any)
// told, waiters woken.
func (r *Runtime) end(ctx context.Context, st *instState, status string, output any, errMsg string) error {
	return r.endIn(ctx, st.newStep(), status, output, errMsg)
}

// endIn is end in step s: the instance ends in the transaction that writes what s
// already holds.
func (r *Runtime) endIn(ctx context.Context, s *step, status string, output any, errMsg string) error {
	st := s.st
	now := nowMs(r.now)
	for _, n := range st.live() {
		n.Status, n.EndAt, n.UpdateAt = StatusCanceled, now, now
		if n.StartAt > 0 {
			n.Cost = now - n.StartAt
		}
		s.touch(n)
	}
	in := st.inst
	in.Status, in.Error, in.EndAt, in.Cost = status, errMsg, now, now-in.StartAt
	if status == StatusDone {
		in.Output = output
	}
	s.drop = true
	r.metrics.ended(status)
	if st.fast {
		return nil // runFast writes it, after giving back its execution slot
	}
	if in.ParentID != 0 {
		// Wake the parent durably, in the same transaction: even if this process dies
		// now, the job resumes the parent, which collects this result.
		s.jobs = append(s.jobs, r.job(JobContinue, in.ParentID, in.ParentNodeID, "", now))
	}
	if err := r.commit(ctx, s); err != nil {
		return err
	}
	r.notifyEnded(in)
	if in.ParentID != 0 {
		r.submit(in.ParentID, nil, nil)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
