package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// runJobs is the job executor: it claims due jobs (with a lease, so another flowcraft
// process on the same database never runs the same job) and hands each to the actor of
// its instance.
func (r *Runtime) runJobs() {
	defer close(r.jobDone)
	ctx := r.runCtx
	tick := time.NewTicker(r.opts.JobPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.jobWake:
		}
		for ctx.Err() == nil {
			now := r.now()
			jobs, err := r.store.ClaimJobs(ctx, r.opts.Owner, now.UnixMilli(), now.Add(r.opts.JobLease).UnixMilli(), 64)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Error("claiming jobs", "err", err)
				}
				break
			}
			r.metrics.JobsClaimed.Add(int64(len(jobs)))
			for _, j := range jobs {
				r.dispatch(j)
			}
			if len(jobs) < 64 {
				break
			}
		}
	}
}

// wakeJobs makes the executor look for due jobs now.
func (r *Runtime) wakeJobs() {
	select {
	case r.jobWake <- struct{}{}:
	default:
	}
}

func (r *Runtime) dispatch(j *Job) {
	if j.Attempts > j.MaxAttempts {
		r.jobFailed(j, fmt.Errorf("gave up after %d attempts", j.Attempts-1))
		return
	}
	r.submit(j.InstanceID, &command{
		run: func(ctx context.Context, st *instState) error { return r.runJob(ctx, st, j) },
		dropped: func(err error) {
			if errors.Is(err, ErrNotFound) {
				r.jobFailed(j, err) // its instance is gone
			}
			// Otherwise the lease expires and the job is claimed again.
		},
	}, nil)
}

// jobFailed puts a job back for later, or marks it dead after too many attempts.
func (r *Runtime) jobFailed(j *Job, err error) {
	backoff := time.Duration(1<<min(j.Attempts, 10)) * time.Second
	if e := r.store.RetryJobLater(context.Background(), j.ID, r.opts.Owner, r.now().Add(backoff).UnixMilli(), err.Error()); e != nil {
		r.log.Error("rescheduling job", "job", j.ID, "err", e)
	}
}

// runJob applies a due job to its instance; the job is deleted in the same step.
func (r *Runtime) runJob(ctx context.Context, st *instState, j *Job) error {
	s := st.newStep()
	s.done = append(s.done, j.ID)
	n := st.node(j.NodeID)
	var t *ctask
	if n != nil {
		t = st.def.tasks[n.TaskID]
	}
	waiting := n != nil && t != nil && n.Status == StatusWaiting && !Ended(st.inst.Status)
	switch j.Kind {
	case JobTimer:
		if waiting {
			return r.complete(ctx, s, t, n, StatusDone, n.Input)
		}
	case JobRetry:
		if waiting {
			n.Status = StatusPending
			s.touch(n)
		}
	case JobTaskTimeout:
		if waiting {
			return r.fail(ctx, s, t, n, nil, fmt.Errorf("%w after %d ms", errTaskTimeout, t.Timeout))
		}
	case JobProcessTimeout:
		if !Ended(st.inst.Status) {
			if err := r.commit(ctx, s); err != nil {
				return err
			}
			return r.end(ctx, st, StatusTimeout, nil, fmt.Sprintf("the process timed out after %d ms", st.def.p.Timeout))
		}
	case JobContinue:
		// Nothing but waking the instance: drive runs after this command.
	}
	return r.commit(ctx, s)
}
