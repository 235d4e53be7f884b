package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The fast engine (DESIGN §4): an instance runs in memory on the caller's goroutine
// with the same semantics as the standard engine for everything that does not wait,
// and is written once, when it ends, by the store's batching writer (many instances
// per transaction, a bounded queue that pushes back when full, drained on a clean
// shutdown). An instance in flight when the process dies is lost. On a clean
// shutdown (Runtime.Close) an instance in flight runs to its end and is written if it
// ends within the grace; past the grace it is dropped unwritten, as in a crash, and
// its caller gets errStopping. It is never written half-run.

// runFast executes a fast instance to its end and queues it for writing.
func (r *Runtime) runFast(ctx context.Context, st *instState, idem *IdemKey) (*StartResult, error) {
	r.mu.Lock()
	if r.closed || !r.started {
		r.mu.Unlock()
		return nil, errStopping
	}
	r.wg.Add(1) // Close waits for it (within its grace)
	r.mu.Unlock()
	r.fastRunning.Add(1)
	defer r.wg.Done()
	defer r.fastRunning.Add(-1)
	st.fast = true
	st.idem = idem
	r.metrics.Started.Add(1)
	// The instance runs to its end even if the caller goes away; the process timeout
	// (if any) bounds it, and so does the end of Close's grace (cause errStopping).
	runCtx, stop := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stop(nil)
	defer context.AfterFunc(r.killCtx, func() { stop(context.Cause(r.killCtx)) })()
	if t := st.def.p.Timeout; t > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(runCtx, time.Duration(t)*time.Millisecond)
		defer cancel()
	}
	if err := r.executeFast(ctx, runCtx, st); err != nil {
		return nil, err
	}
	if errors.Is(context.Cause(runCtx), errStopping) {
		// Cut by the shutdown: what it decided after the cut is not its outcome.
		return nil, errStopping
	}
	// Queued for writing outside the execution slot: waiting here for a full queue
	// must not keep other instances from running. The instance has run: it is written
	// even if the caller has gone away meanwhile.
	if err := r.persistFast(context.WithoutCancel(ctx), st); err != nil {
		return nil, err
	}
	cp := *st.inst
	return &StartResult{Instance: &cp, Ended: true}, nil
}

// executeFast runs a fast instance to its end while holding an execution slot.
func (r *Runtime) executeFast(ctx, runCtx context.Context, st *instState) error {
	select {
	case r.fastSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.fastSlots }()
	s := st.newStep()
	start := st.nodes[0]
	s.touch(start)
	if err := r.route(runCtx, s, st.def.tasks[start.TaskID], start, start.Output); err != nil {
		return err
	}
	if err := r.drive(runCtx, st); err != nil {
		return err
	}
	if !Ended(st.inst.Status) {
		status, msg := StatusFailed, "the instance stopped before its end"
		if errors.Is(context.Cause(runCtx), context.DeadlineExceeded) {
			status, msg = StatusTimeout, fmt.Sprintf("the process timed out after %d ms", st.def.p.Timeout)
		}
		if err := r.end(context.WithoutCancel(ctx), st, status, nil, msg); err != nil {
			return err
		}
	}
	return nil
}

// persistFast queues an ended fast instance (its row, every runtime, its variables)
// as one step, then tells waiters and subscribers.
func (r *Runtime) persistFast(ctx context.Context, st *instState) error {
	in := st.inst
	in.UpdateAt = nowMs(r.now)
	vars := st.typed
	if len(vars) == 0 {
		vars = nil
	}
	step := &Step{Instance: in, New: true, Nodes: st.nodes, Vars: vars, Idempotency: st.idem}
	r.unwritten.Store(in.ID, st)
	if err := r.store.CommitStepAsync(ctx, step, func(err error) {
		r.unwritten.Delete(in.ID)
		if err != nil {
			r.log.Error("writing a fast instance failed; it is lost", "instance", in.ID, "process", in.ProcessID, "err", err)
		}
	}); err != nil {
		r.unwritten.Delete(in.ID)
		return err
	}
	r.metrics.FastWritten.Add(1)
	cp := *in
	r.events.Publish(Event{Type: EventProcess, ProcessID: in.ProcessID, InstanceID: in.ID, Instance: &cp})
	r.notifyEnded(in)
	return nil
}

// unwrittenState returns an ended fast instance that is not written yet.
func (r *Runtime) unwrittenState(id ID) (*instState, bool) {
	v, ok := r.unwritten.Load(id)
	if !ok {
		return nil, false
	}
	return v.(*instState), true
}

// Flush waits until every fast instance that ended so far is written.
func (r *Runtime) Flush(ctx context.Context) error {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		empty := true
		r.unwritten.Range(func(any, any) bool { empty = false; return false })
		if empty {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
