package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// execute runs one pending runtime and commits what it did as one step.
func (r *Runtime) execute(ctx context.Context, st *instState, n *NodeRun) error {
	t := st.def.tasks[n.TaskID]
	s := st.newStep()
	if t == nil {
		n.Status, n.Error = StatusFailed, fmt.Sprintf("task %s is not in version %d of the process", n.TaskID, st.inst.Version)
		s.touch(n)
		if err := r.commit(ctx, s); err != nil {
			return err
		}
		return r.end(ctx, st, StatusFailed, nil, n.Error)
	}
	if st.inst.Status != StatusRunning {
		st.inst.Status = StatusRunning
	}
	now := nowMs(r.now)
	n.StartAt, n.Status, n.UpdateAt = now, StatusRunning, now
	r.publishRunning(st, n)

	if t.IsIgnore {
		return r.complete(ctx, s, t, n, StatusSkipped, n.Incoming)
	}
	switch t.spec.Kind {
	case "trigger", "flow":
		n.Input, n.InputIsDefinition = t.static, true // nothing to resolve: a trigger's settings, a gateway's none
		return r.complete(ctx, s, t, n, StatusDone, n.Incoming)
	case "end":
		return r.runEnd(ctx, s, t, n)
	case "wait":
		return r.beginWait(ctx, s, t, n)
	}
	runs, out, err := r.runAction(ctx, st, t, n)
	for _, it := range runs {
		s.touch(it)
	}
	if err != nil {
		return r.fail(ctx, s, t, n, runs, err)
	}
	return r.complete(ctx, s, t, n, StatusDone, out)
}

func (r *Runtime) publishRunning(st *instState, n *NodeRun) {
	if st.fast {
		return // a fast instance is seen when it ends
	}
	cp := *n
	r.events.Publish(Event{Type: EventNode, ProcessID: st.inst.ProcessID, InstanceID: st.inst.ID, Node: &cp})
}

// complete marks a runtime finished with output, routes the output on and commits.
// A routing failure (no gateway condition holds) is a failure of the task.
func (r *Runtime) complete(ctx context.Context, s *step, t *ctask, n *NodeRun, status string, out any) error {
	now := nowMs(r.now)
	if n.Detail == nil || n.Detail.LoopSize == 0 {
		n.Output = out
	}
	n.Status, n.EndAt, n.UpdateAt = status, now, now
	n.Cost = now - n.StartAt
	s.touch(n)
	st := s.st
	st.setOutput(t.InstID, out)
	if err := r.route(ctx, s, t, n, out); err != nil {
		return r.fail(ctx, s, t, n, nil, err)
	}
	if !st.fast && !Ended(st.inst.Status) && len(st.live()) == 0 {
		// The last token ended: the instance ends in this step rather than one more
		// (what drive would do next: nothing is pending, no join waits).
		return r.endIn(ctx, s, StatusDone, st.finalOutput(), "")
	}
	return r.commit(ctx, s)
}

// runAction executes an action task: once, or once per loop iteration. It returns the
// runtimes it used (the first is n) and the task output.
func (r *Runtime) runAction(ctx context.Context, st *instState, t *ctask, n *NodeRun) ([]*NodeRun, any, error) {
	runner, ok := t.tpl.(templates.Runner)
	if !ok {
		return []*NodeRun{n}, nil, fmt.Errorf("template %q cannot run", t.Template)
	}
	lh := t.LoopHandler
	switch lh.Mode {
	case LoopForEach:
		return r.runForEach(ctx, st, t, n, runner)
	case LoopWhile:
		return r.runWhile(ctx, st, t, n, runner)
	}
	out, err := r.invoke(ctx, st, t, n, runner, n.Incoming, nil, 0, false)
	return []*NodeRun{n}, out, err
}

// invoke runs a template once on behalf of runtime n.
func (r *Runtime) invoke(ctx context.Context, st *instState, t *ctask, n *NodeRun, runner templates.Runner,
	input, item any, index int, inLoop bool) (out any, err error) {
	scope := st.scope(input, item, index, inLoop)
	params, err := r.renderParams(ctx, t, scope)
	if err != nil {
		return nil, err
	}
	n.Input, n.InputIsDefinition = t.shownParams(params)
	tctx := ctx
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeoutCause(ctx, time.Duration(t.Timeout)*time.Millisecond, errTaskTimeout)
		defer cancel()
	}
	call := &templates.Call{ProcessID: st.inst.ProcessID, InstanceID: st.inst.ID.String(), TaskID: t.InstID,
		Params: params, Input: input, Scope: scope, Services: r.services}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("task %s crashed: %v", t.InstID, p)
		}
	}()
	res, err := runner.Run(tctx, call)
	n.Logs = append(n.Logs, res.Logs...)
	if err != nil {
		if context.Cause(tctx) == errTaskTimeout {
			return nil, fmt.Errorf("%w after %d ms: %v", errTaskTimeout, t.Timeout, err)
		}
		return nil, scriptError(err) // a thrown {errorCode} is a business error for errorHandler.routes
	}
	if res.VarsChanged {
		st.setVars(res.Vars)
	}
	return res.Output, nil
}

var errTaskTimeout = errors.New("task timed out")

// scriptError turns a script's business error into a TaskError: a thrown value with
// a string errorCode (scripting.Error.Code) that is not blank and at most
// MaxErrorCodeLength long, as a worker's BPMN error must be. Any other error is
// returned as it is (an ordinary failure).
func scriptError(err error) error {
	se := (*scripting.Error)(nil)
	if !errors.As(err, &se) || se.Code == "" || strings.TrimSpace(se.Code) == "" || len(se.Code) > MaxErrorCodeLength {
		return err
	}
	return &TaskError{Code: se.Code, Message: cut(se.CodeMessage, MaxErrorMessage), cause: err}
}

// renderParams evaluates {{ }} in every parameter except code.
func (r *Runtime) renderParams(ctx context.Context, t *ctask, scope scripting.Scope) (map[string]any, error) {
	if t.constParams {
		return t.params, nil // shared, read only: templates only read their parameters
	}
	out := make(map[string]any, len(t.params))
	for k, v := range t.params {
		if p, ok := t.spec.Param(k); ok && p.Type == templates.TypeCode {
			out[k] = v
			continue
		}
		rv, err := r.scripts.RenderValue(ctx, v, scope)
		if err != nil {
			// A {{ }} that throws {errorCode} is a business error, as a script's is.
			return nil, scriptError(fmt.Errorf("parameter %s: %w", k, err))
		}
		out[k] = rv
	}
	return out, nil
}

// iteration makes runtime i of a loop execution (reusing n for the first).
func (r *Runtime) iteration(st *instState, t *ctask, n *NodeRun, i, size int, input any) *NodeRun {
	it := n
	if i > 0 {
		it = &NodeRun{ID: ID(r.ids.Next()), InstanceID: n.InstanceID, TaskID: n.TaskID, Name: n.Name, Template: n.Template,
			Attempt: n.Attempt, Status: StatusRunning, CreateAt: nowMs(r.now), StartAt: nowMs(r.now), Detail: &NodeDetail{Exec: n.Detail.Exec}}
	}
	it.Index, it.Incoming = i, input
	it.Detail.LoopSize = size
	return it
}

func (r *Runtime) runForEach(ctx context.Context, st *instState, t *ctask, n *NodeRun, runner templates.Runner) ([]*NodeRun, any, error) {
	lh := t.LoopHandler
	v, err := r.scripts.Render(ctx, lh.Items, st.scope(n.Incoming, nil, 0, false))
	if err != nil {
		return []*NodeRun{n}, nil, fmt.Errorf("loop items: %w", err)
	}
	if v == nil {
		v = []any{}
	}
	items, ok := v.([]any)
	if !ok {
		return []*NodeRun{n}, nil, fmt.Errorf("loop items must be an array, got %T", v)
	}
	size := len(items)
	if size == 0 {
		n.Detail.LoopSize = 0
		return []*NodeRun{n}, []any{}, nil
	}
	if err := r.loopCap(st, size-1); err != nil {
		return []*NodeRun{n}, nil, err
	}
	runs := make([]*NodeRun, size)
	for i := range items {
		runs[i] = r.iteration(st, t, n, i, size, items[i])
	}
	outs := make([]any, size)
	finish := func(it *NodeRun, out any, err error) {
		now := nowMs(r.now)
		it.EndAt, it.UpdateAt, it.Cost = now, now, now-it.StartAt
		if err != nil {
			it.Status, it.Error = failStatus(err), err.Error()
			return
		}
		it.Status, it.Output = StatusDone, out
	}
	if !lh.Parallel {
		for i, it := range runs {
			it.StartAt = nowMs(r.now)
			out, err := r.invoke(ctx, st, t, it, runner, items[i], items[i], i, true)
			finish(it, out, err)
			if err != nil {
				r.cancelRest(runs[i+1:])
				return runs, nil, fmt.Errorf("iteration %d: %w", i, err)
			}
			outs[i] = out
		}
		return runs, outs, nil
	}
	// Parallel: at most maxConcurrency iterations run at once, on copies of vars; the
	// first failure cancels the others (the ones not started, or interrupted, end
	// canceled). Outputs stay in item order, and write-backs are applied in index order
	// afterwards (the highest index wins a conflict).
	limit := lh.MaxConcurrency
	if limit <= 0 {
		limit = r.opts.DefaultLoopC
	}
	subs := make([]*instState, size)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, it := range runs {
		g.Go(func() error {
			if gctx.Err() != nil {
				if ctx.Err() != nil {
					return context.Cause(ctx) // the step was interrupted: its commit abandons it
				}
				r.cancelRest(runs[i : i+1]) // another iteration failed first
				return nil
			}
			it.StartAt = nowMs(r.now)
			sub := &instState{inst: st.inst, def: st.def, vars: maps.Clone(st.vars), typed: maps.Clone(st.typed), outputs: st.outputs,
				nodesView: st.nodesView, instanceView: st.instanceView}
			out, err := r.invoke(gctx, sub, t, it, runner, items[i], items[i], i, true)
			if err != nil && errors.Is(err, context.Canceled) && gctx.Err() != nil && ctx.Err() == nil {
				r.cancelRest(runs[i : i+1]) // interrupted because another iteration failed
				return nil
			}
			finish(it, out, err)
			if err != nil {
				return fmt.Errorf("iteration %d: %w", i, err)
			}
			outs[i], subs[i] = out, sub
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return runs, nil, err
	}
	for _, sub := range subs {
		st.mergeVars(sub)
	}
	return runs, outs, nil
}

func (r *Runtime) runWhile(ctx context.Context, st *instState, t *ctask, n *NodeRun, runner templates.Runner) ([]*NodeRun, any, error) {
	lh := t.LoopHandler
	var runs []*NodeRun
	outs := []any{}
	input := n.Incoming
	for i := 0; i < lh.Max; i++ {
		ok, err := r.scripts.Condition(ctx, lh.Condition, st.scope(input, nil, i, true))
		if err != nil {
			if len(runs) == 0 {
				runs = append(runs, n)
			}
			return runs, nil, fmt.Errorf("loop condition: %w", err)
		}
		if !ok {
			break
		}
		if err := r.loopCap(st, len(runs)); err != nil {
			if len(runs) == 0 {
				runs = append(runs, n)
			}
			return runs, nil, err
		}
		it := r.iteration(st, t, n, i, 0, input)
		it.StartAt = nowMs(r.now)
		runs = append(runs, it)
		out, err := r.invoke(ctx, st, t, it, runner, input, nil, i, true)
		now := nowMs(r.now)
		it.EndAt, it.UpdateAt, it.Cost = now, now, now-it.StartAt
		if err != nil {
			it.Status, it.Error = failStatus(err), err.Error()
			return runs, nil, fmt.Errorf("iteration %d: %w", i, err)
		}
		it.Status, it.Output = StatusDone, out
		outs = append(outs, out)
		input = out
	}
	if len(runs) == 0 {
		n.Detail.LoopSize = 0
		return []*NodeRun{n}, outs, nil
	}
	for _, it := range runs {
		it.Detail.LoopSize = len(runs)
	}
	return runs, outs, nil
}

func (r *Runtime) cancelRest(runs []*NodeRun) {
	now := nowMs(r.now)
	for _, it := range runs {
		it.Status, it.EndAt, it.UpdateAt = StatusCanceled, now, now
	}
}

func failStatus(err error) string {
	if errors.Is(err, errTaskTimeout) {
		return StatusTimeout
	}
	return StatusFailed
}

// fail handles a task's failure by its errorHandler: retry (durably, after the
// interval), or the strategy: fail the instance, ignore (go on), or goto a task.
func (r *Runtime) fail(ctx context.Context, s *step, t *ctask, n *NodeRun, runs []*NodeRun, cause error) error {
	st := s.st
	now := nowMs(r.now)
	msg := cause.Error()
	status := failStatus(cause)
	if len(runs) == 0 {
		runs = []*NodeRun{n}
	}
	for _, it := range runs {
		if !Ended(it.Status) || it.Status == StatusDone {
			if it.Status != StatusDone {
				it.Status = status
			}
		}
		if it.EndAt == 0 {
			it.EndAt = now
		}
		it.UpdateAt, it.Cost = now, it.EndAt-it.StartAt
		s.touch(it)
	}
	if n.Error == "" {
		n.Error = msg
	}
	if n.Status == StatusDone || n.Status == StatusRunning {
		n.Status = status
	}
	eh := t.ErrorHandler
	if ce := (*capError)(nil); errors.As(cause, &ce) {
		return r.failInstance(ctx, s, t, msg) // no retry, ignore or goto past a cap
	}
	// A coded error goes to its route first: a business error, not retried.
	te := (*TaskError)(nil)
	if errors.As(cause, &te) {
		if target := st.def.tasks[eh.Route(te.Code)]; target != nil {
			s.touch(r.newRun(st, target, map[string]any{"errorCode": te.Code, "errorMessage": te.Message}))
			return r.commit(ctx, s)
		}
	}
	var fe finalError
	if n.Attempt < eh.Retry && te == nil && !errors.As(cause, &fe) {
		next := r.newRun(st, t, n.Incoming)
		next.Attempt = n.Attempt + 1
		next.Detail.Exec = n.Detail.Exec // a retry is the same execution
		st.execs[t.InstID]--
		delay := retryDelay(eh, n.Attempt)
		switch {
		case delay > 0 && st.fast:
			// A fast instance waits in memory: it is not durable anyway. If its time runs
			// out meanwhile, drive stops and executeFast ends it as timed out (or drops
			// it, on shutdown): it is not an error of the start.
			select {
			case <-time.After(time.Duration(delay) * time.Millisecond):
			case <-ctx.Done():
				return nil
			}
		case delay > 0:
			next.Status = StatusWaiting
			s.jobs = append(s.jobs, r.job(JobRetry, st.inst.ID, next.ID, t.InstID, now+delay))
		}
		s.touch(next)
		return r.commit(ctx, s)
	}
	switch eh.Strategy {
	case StrategyIgnore:
		out := map[string]any{"error": msg}
		st.setOutput(t.InstID, out)
		if err := r.route(ctx, s, t, n, out); err != nil {
			return r.failInstance(ctx, s, t, err.Error())
		}
		return r.commit(ctx, s)
	case StrategyGoto:
		if target := st.def.tasks[eh.Target]; target != nil {
			s.touch(r.newRun(st, target, map[string]any{"error": msg, "taskId": t.InstID}))
			return r.commit(ctx, s)
		}
	}
	if te != nil {
		s.st.inst.ErrorCode = te.Code // a parent's subprocess task fails with it
	}
	return r.failInstance(ctx, s, t, msg)
}

func (r *Runtime) failInstance(ctx context.Context, s *step, t *ctask, msg string) error {
	if err := r.commit(ctx, s); err != nil {
		return err
	}
	return r.end(ctx, s.st, StatusFailed, nil, fmt.Sprintf("task %s (%s) failed: %s", t.Name, t.InstID, msg))
}

// retryDelay is the wait before attempt+1: interval × backoff^attempt, in ms.
func retryDelay(eh ErrorHandler, attempt int) int64 {
	if eh.Interval <= 0 {
		return 0
	}
	b := eh.Backoff
	if b < 1 {
		b = 1
	}
	d := float64(eh.Interval) * math.Pow(b, float64(attempt))
	return int64(min(d, float64(24*time.Hour/time.Millisecond)))
}

// runEnd sets the workflow output (and the webhook reply); terminate ends all branches.
func (r *Runtime) runEnd(ctx context.Context, s *step, t *ctask, n *NodeRun) error {
	st := s.st
	params, err := r.renderParams(ctx, t, st.scope(n.Incoming, nil, 0, false))
	if err != nil {
		return r.fail(ctx, s, t, n, nil, err)
	}
	n.Input, n.InputIsDefinition = t.shownParams(params)
	out, ok := params["output"]
	if !ok || out == nil || out == "" {
		out = n.Incoming
	}
	st.inst.Output = out
	reply := &Reply{StatusCode: 200}
	if code, ok := params["statusCode"].(float64); ok && code >= 100 && code <= 599 {
		reply.StatusCode = int(code)
	}
	if hs, ok := params["headers"].(map[string]any); ok && len(hs) > 0 {
		reply.Headers = map[string]string{}
		for k, v := range hs {
			reply.Headers[k] = fmt.Sprint(v)
		}
	}
	st.inst.Reply = reply
	if err := r.complete(ctx, s, t, n, StatusDone, out); err != nil {
		return err
	}
	if terminate, _ := params["terminate"].(bool); terminate && !Ended(st.inst.Status) {
		return r.end(ctx, st, StatusDone, out, "")
	}
	return nil
}
