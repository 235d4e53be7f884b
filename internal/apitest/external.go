package apitest

import (
	"context"
	"testing"
	"time"

	"flowcraft/engine"
)

// StepCommitter is the store a test writes steps to (sqlite.Store).
type StepCommitter interface {
	CommitStep(ctx context.Context, s *engine.Step) error
}

// ExternalJobs writes n open external jobs of a new waiting instance inst of process
// pid (version 1) straight to the store, in one step: many jobs in a second, for the
// list and count tests of the worker APIs. Job i (0..n-1) has id first+i, topic
// "bulk", task "task-ext00001", the instance's node inst*100+1, and is created i ms
// after 2026-01-01; shape, when given, changes it (NodeID included: each node a job
// names is written too). The runtime does not know these jobs' waits: act on them
// only through lists and counts.
func ExternalJobs(t testing.TB, st StepCommitter, pid string, inst, first engine.ID, n int, tenant string, shape func(i int, j *engine.ExternalJob)) []*engine.ExternalJob {
	t.Helper()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := &engine.Instance{ID: inst, ProcessID: pid, Version: 1, Status: engine.StatusWaiting, CreateAt: base.UnixMilli(), UpdateAt: base.UnixMilli(),
		TenantID: tenant, Executor: "admin"}
	jobs := make([]*engine.ExternalJob, n)
	nodes := map[engine.ID]bool{}
	var runs []*engine.NodeRun
	for i := range jobs {
		j := &engine.ExternalJob{ID: first + engine.ID(i), Topic: "bulk", State: engine.ExternalOpen, InstanceID: inst, NodeID: inst*100 + 1,
			TaskID: "task-ext00001", ProcessID: pid, ProcessVersion: 1, TenantID: tenant, CreatedAt: base.Add(time.Duration(i) * time.Millisecond), TaskRetries: 3}
		if shape != nil {
			shape(i, j)
		}
		if !nodes[j.NodeID] {
			nodes[j.NodeID] = true
			runs = append(runs, &engine.NodeRun{ID: j.NodeID, InstanceID: inst, TaskID: j.TaskID, Template: "external-task", Status: engine.StatusWaiting,
				CreateAt: base.UnixMilli(), UpdateAt: base.UnixMilli()})
		}
		jobs[i] = j
	}
	if err := st.CommitStep(context.Background(), &engine.Step{Instance: in, New: true, Nodes: runs, ExternalJobs: jobs}); err != nil {
		t.Fatalf("write %d external jobs: %v", n, err)
	}
	return jobs
}
