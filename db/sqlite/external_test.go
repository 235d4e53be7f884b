package sqlite

import (
	"errors"
	"testing"
	"time"

	"flowcraft/engine"
)

// extFixture is an instance with a waiting external-task runtime and jobs of it.
func extFixture(t *testing.T, d *Store, id engine.ID, jobs ...*engine.ExternalJob) (*engine.Instance, *engine.NodeRun) {
	t.Helper()
	ctx := t.Context()
	if _, err := d.GetProcess(ctx, "proc-extjobs1"); errors.Is(err, engine.ErrNotFound) {
		p := &engine.Process{ID: "proc-extjobs1", Name: "ext", Version: 1, CreateAt: 1, UpdateAt: 1}
		if err := d.InsertProcess(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	in := &engine.Instance{ID: id, ProcessID: "proc-extjobs1", Version: 1, Status: engine.StatusWaiting, CreateAt: 1, UpdateAt: 1,
		BusinessKey: "bk-" + id.String(), TenantID: "t1"}
	n := &engine.NodeRun{ID: id*100 + 1, InstanceID: id, TaskID: "ext", Template: "external-task", Status: engine.StatusWaiting, CreateAt: 1, UpdateAt: 1}
	for _, j := range jobs {
		j.InstanceID, j.NodeID, j.TaskID, j.ProcessID, j.ProcessVersion = id, n.ID, "ext", "proc-extjobs1", 1
		j.BusinessKey, j.TenantID, j.State = in.BusinessKey, in.TenantID, engine.ExternalOpen
	}
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true, Nodes: []*engine.NodeRun{n}, ExternalJobs: jobs}); err != nil {
		t.Fatal(err)
	}
	return in, n
}

func ids(jobs []*engine.ExternalJob) []engine.ID {
	out := []engine.ID{}
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func TestExternalJobsStore(t *testing.T) {
	d := openTest(t)
	ctx := t.Context()
	base := time.UnixMilli(1_000_000)
	_, n1 := extFixture(t, d, 1,
		&engine.ExternalJob{ID: 11, Topic: "a", Priority: 1, CreatedAt: base, TaskRetries: 3, TaskVariables: map[string]any{"x": 1.0}},
		&engine.ExternalJob{ID: 12, Topic: "a", Priority: 5, CreatedAt: base.Add(time.Second), TaskRetries: 3},
		&engine.ExternalJob{ID: 13, Topic: "b", CreatedAt: base, TaskRetries: 3})
	in2, _ := extFixture(t, d, 2, &engine.ExternalJob{ID: 21, Topic: "a", Priority: 9, CreatedAt: base, TaskRetries: 3})

	now := base.Add(time.Minute).UnixMilli()
	lock := func(req engine.FetchRequest, at int64) []*engine.ExternalJob {
		t.Helper()
		jobs, err := d.LockExternalJobs(ctx, req, at)
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	}
	topicA := engine.FetchTopic{Topic: "a", LockDuration: time.Second}

	// Suspended instances' jobs are not fetched.
	in2.Status = engine.StatusSuspended
	if err := d.CommitStep(ctx, &engine.Step{Instance: in2}); err != nil {
		t.Fatal(err)
	}
	got := lock(engine.FetchRequest{WorkerID: "w", MaxTasks: 1, UsePriority: true, Topics: []engine.FetchTopic{topicA}}, now)
	if len(got) != 1 || got[0].ID != 12 || got[0].State != engine.ExternalLocked || got[0].WorkerID != "w" ||
		got[0].LockExpiresAt.UnixMilli() != now+1000 || got[0].LockedAt.UnixMilli() != now {
		t.Fatalf("by priority: %+v", got)
	}
	// Oldest first without priority; a filter that matches nothing; a tenant filter.
	if got := lock(engine.FetchRequest{WorkerID: "w", MaxTasks: 5, Topics: []engine.FetchTopic{{Topic: "a", LockDuration: time.Second, BusinessKey: "nope"}}}, now); len(got) != 0 {
		t.Fatalf("business key filter: %v", ids(got))
	}
	if got := lock(engine.FetchRequest{WorkerID: "w", MaxTasks: 5, Topics: []engine.FetchTopic{{Topic: "a", LockDuration: time.Second, WithoutTenant: true}}}, now); len(got) != 0 {
		t.Fatalf("tenant filter: %v", ids(got))
	}
	got = lock(engine.FetchRequest{WorkerID: "v", MaxTasks: 5, Topics: []engine.FetchTopic{
		{Topic: "a", LockDuration: time.Second, ProcessIDs: []string{"proc-extjobs1"}, TenantIDs: []string{"t1"}, BusinessKey: "bk-1"},
		{Topic: "b", LockDuration: 2 * time.Second}}}, now)
	if len(got) != 2 || got[0].TaskVariables["x"] != 1.0 {
		t.Fatalf("two topics: %+v", got)
	}
	for _, j := range got {
		want := now + 1000
		if j.Topic == "b" {
			want = now + 2000
		}
		if j.LockExpiresAt.UnixMilli() != want {
			t.Errorf("job %d of %s locked until %d, want %d", j.ID, j.Topic, j.LockExpiresAt.UnixMilli(), want)
		}
	}
	if next, err := d.NextExternalExpiry(ctx, now); err != nil || next != now+1000 {
		t.Fatalf("next expiry %d %v", next, err)
	}
	// Locked until expiry, then anyone's.
	if got := lock(engine.FetchRequest{WorkerID: "z", MaxTasks: 5, Topics: []engine.FetchTopic{topicA}}, now+999); len(got) != 0 {
		t.Fatalf("locked jobs fetched again: %v", ids(got))
	}
	got = lock(engine.FetchRequest{WorkerID: "z", MaxTasks: 5, Topics: []engine.FetchTopic{topicA}}, now+1000)
	if len(got) != 2 || got[0].WorkerID != "z" {
		t.Fatalf("expired locks: %+v", got)
	}

	// Update with a rev check.
	j, err := d.GetExternalJob(ctx, 13)
	if err != nil || j.Suspended || j.Retries != nil {
		t.Fatalf("get: %+v %v", j, err)
	}
	stale := *j
	two := 2
	j.State, j.WorkerID, j.Retries, j.ErrorMessage, j.LockExpiresAt = engine.ExternalOpen, "", &two, "boom", time.UnixMilli(now+5000)
	if err := d.UpdateExternalJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateExternalJob(ctx, &stale); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if got, _ := d.GetExternalJob(ctx, 13); got.Retries == nil || *got.Retries != 2 || got.ErrorMessage != "boom" {
		t.Fatalf("after update: %+v", got)
	}
	// A retry timeout keeps it back until then.
	topicB := engine.FetchTopic{Topic: "b", LockDuration: time.Second}
	if got := lock(engine.FetchRequest{WorkerID: "w", MaxTasks: 1, Topics: []engine.FetchTopic{topicB}}, now+4999); len(got) != 0 {
		t.Fatal("fetched during its retry timeout")
	}

	// Lists and counts.
	list, total, err := d.ListExternalJobs(ctx, engine.ExternalFilter{Topic: "a", Page: engine.Page{Limit: 10}})
	if err != nil || total != 3 || len(list) != 3 {
		t.Fatalf("list topic a: %d %v %v", total, ids(list), err)
	}
	yes := true
	if _, total, _ := d.ListExternalJobs(ctx, engine.ExternalFilter{WithRetries: &yes, InstanceID: 1, Page: engine.Page{Limit: 10}}); total != 3 {
		t.Fatalf("with retries: %d", total)
	}
	if list, _, _ := d.ListExternalJobs(ctx, engine.ExternalFilter{InstanceID: 2, Page: engine.Page{Limit: 10}}); len(list) != 1 || !list[0].Suspended {
		t.Fatalf("suspended flag: %+v", list)
	}

	// The runtime stops waiting: its jobs that have not ended are canceled.
	n1.Status, n1.UpdateAt = engine.StatusCanceled, now
	if err := d.CommitStep(ctx, &engine.Step{Nodes: []*engine.NodeRun{n1}}); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := d.ListExternalJobs(ctx, engine.ExternalFilter{InstanceID: 1, Page: engine.Page{Limit: 10}}); total != 0 {
		t.Fatalf("open jobs of a canceled runtime: %d", total)
	}
	list, _, _ = d.ListExternalJobs(ctx, engine.ExternalFilter{InstanceID: 1, States: []string{engine.ExternalCanceled}, Page: engine.Page{Limit: 10}})
	if len(list) != 3 || list[0].EndedAt.UnixMilli() != now {
		t.Fatalf("canceled: %+v", list)
	}
	// Deleting the instance deletes its jobs.
	if err := d.DeleteInstance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.GetExternalJob(ctx, 11); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("job of a deleted instance: %v", err)
	}
	scopes, err := d.ExternalScopes(ctx, []engine.ID{2, 99})
	if err != nil || len(scopes) != 1 || scopes[2] == nil {
		t.Fatalf("scopes: %v %v", scopes, err)
	}
}
