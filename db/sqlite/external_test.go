package sqlite

import (
	"errors"
	"slices"
	"strconv"
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

// extInstance is an instance of a tenant and process version with one waiting
// external-task runtime and its jobs (each job's TaskID kept when set).
func extInstance(t *testing.T, d *Store, id engine.ID, tenant string, version int, status string, jobs ...*engine.ExternalJob) {
	t.Helper()
	ctx := t.Context()
	if _, err := d.GetProcess(ctx, "proc-extjobs1"); errors.Is(err, engine.ErrNotFound) {
		p := &engine.Process{ID: "proc-extjobs1", Name: "ext", Version: 2, CreateAt: 1, UpdateAt: 1}
		if err := d.InsertProcess(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	in := &engine.Instance{ID: id, ProcessID: "proc-extjobs1", Version: version, Status: status, CreateAt: 1, UpdateAt: 1, TenantID: tenant}
	n := &engine.NodeRun{ID: id*100 + 1, InstanceID: id, TaskID: "ext", Template: "external-task", Status: engine.StatusWaiting, CreateAt: 1, UpdateAt: 1}
	for _, j := range jobs {
		if j.TaskID == "" {
			j.TaskID = "ext"
		}
		j.InstanceID, j.NodeID, j.ProcessID, j.ProcessVersion = id, n.ID, "proc-extjobs1", version
		j.TenantID, j.State, j.Topic, j.TaskRetries = tenant, engine.ExternalOpen, "t", 3
		if j.CreatedAt.IsZero() {
			j.CreatedAt = time.UnixMilli(int64(j.ID))
		}
	}
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true, Nodes: []*engine.NodeRun{n}, ExternalJobs: jobs}); err != nil {
		t.Fatal(err)
	}
}

// TestExternalJobsListFilters: every filter of the list is applied by the query, so
// the total and the pages are those of the matching jobs.
func TestExternalJobsListFilters(t *testing.T) {
	d := openTest(t)
	ctx := t.Context()
	extInstance(t, d, 1, "Acme-1", 1, engine.StatusWaiting,
		&engine.ExternalJob{ID: 11, Priority: 1}, &engine.ExternalJob{ID: 12, Priority: 5, TaskID: "x1"}, &engine.ExternalJob{ID: 13, Priority: 10})
	extInstance(t, d, 2, "beta", 2, engine.StatusSuspended, &engine.ExternalJob{ID: 21, Priority: 3})
	extInstance(t, d, 3, "", 1, engine.StatusWaiting, &engine.ExternalJob{ID: 31, Priority: -2})
	update := func(id engine.ID, change func(j *engine.ExternalJob)) {
		t.Helper()
		j, err := d.GetExternalJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		change(j)
		if err := d.UpdateExternalJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	update(11, func(j *engine.ExternalJob) { j.LockExpiresAt = time.UnixMilli(5000) })
	update(12, func(j *engine.ExternalJob) { j.LockExpiresAt = time.UnixMilli(6000) })
	update(13, func(j *engine.ExternalJob) { j.ErrorMessage = "boom" })

	at := func(ms int64, ns int) *time.Time { t := time.UnixMilli(ms).Add(time.Duration(ns)); return &t }
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	yes, no := true, false
	many := make([]engine.ID, 40_000) // more than SQLite's placeholders per statement
	tenants := make([]string, 40_000)
	for i := range many {
		many[i] = engine.ID(i + 1)
		tenants[i] = "t" + strconv.Itoa(i)
	}
	tenants[39_999] = "beta"
	for _, c := range []struct {
		name string
		f    engine.ExternalFilter
		want []engine.ID
	}{
		{"ids", engine.ExternalFilter{IDs: []engine.ID{21, 11, 99}}, []engine.ID{11, 21}},
		{"40,000 ids", engine.ExternalFilter{IDs: many}, []engine.ID{11, 12, 13, 21, 31}},
		{"40,000 tenants", engine.ExternalFilter{TenantIDs: tenants}, []engine.ID{21}},
		{"tenants", engine.ExternalFilter{TenantIDs: []string{"", "beta"}}, []engine.ID{21, 31}},
		{"instances", engine.ExternalFilter{InstanceIDs: []engine.ID{3, 2}}, []engine.ID{21, 31}},
		{"tasks", engine.ExternalFilter{TaskIDs: []string{"x1", "nope"}}, []engine.ID{12}},
		{"node", engine.ExternalFilter{NodeID: 101}, []engine.ID{11, 12, 13}},
		{"other node", engine.ExternalFilter{NodeID: 201}, []engine.ID{21}},
		{"version", engine.ExternalFilter{Version: 2}, []engine.ID{21}},
		{"tenant substring, any case", engine.ExternalFilter{TenantLike: "cME"}, []engine.ID{11, 12, 13}},
		{"tenant pattern", engine.ExternalFilter{TenantLike: "%-1"}, []engine.ID{11, 12, 13}},
		{"tenant prefix", engine.ExternalFilter{TenantLike: "B%"}, []engine.ID{21}},
		{"tenant _ is no wildcard", engine.ExternalFilter{TenantLike: "_cme%"}, []engine.ID{}},
		{"tenant %", engine.ExternalFilter{TenantLike: "%"}, []engine.ID{11, 12, 13, 21, 31}},
		{"lock after", engine.ExternalFilter{LockExpiresAfter: at(5000, 0)}, []engine.ID{12}},
		{"lock after, sub-ms", engine.ExternalFilter{LockExpiresAfter: at(4999, 500_000)}, []engine.ID{11, 12}},
		{"lock before", engine.ExternalFilter{LockExpiresBefore: at(6000, 0)}, []engine.ID{11}},
		{"lock before, sub-ms", engine.ExternalFilter{LockExpiresBefore: at(5000, 500_000)}, []engine.ID{11}},
		{"lock before, no lock", engine.ExternalFilter{LockExpiresBefore: at(5000, 0)}, []engine.ID{}},
		{"lock window", engine.ExternalFilter{LockExpiresAfter: at(0, 0), LockExpiresBefore: at(7000, 0)}, []engine.ID{11, 12}},
		{"suspended", engine.ExternalFilter{Suspended: &yes}, []engine.ID{21}},
		{"active", engine.ExternalFilter{Suspended: &no}, []engine.ID{11, 12, 13, 31}},
		{"priority >=", engine.ExternalFilter{PriorityMin: n(3)}, []engine.ID{12, 13, 21}},
		{"priority <=", engine.ExternalFilter{PriorityMax: n(3)}, []engine.ID{11, 21, 31}},
		{"priority between", engine.ExternalFilter{PriorityMin: n(3), PriorityMax: n(5)}, []engine.ID{12, 21}},
		{"with error", engine.ExternalFilter{WithError: true}, []engine.ID{13}},
		{"error message", engine.ExternalFilter{ErrorMessage: s("boom")}, []engine.ID{13}},
		{"error message, other case", engine.ExternalFilter{ErrorMessage: s("BOOM")}, []engine.ID{}},
		{"no error message", engine.ExternalFilter{ErrorMessage: s("")}, []engine.ID{11, 12, 21, 31}},
		{"together", engine.ExternalFilter{InstanceIDs: []engine.ID{1, 2}, PriorityMin: n(2), Suspended: &no}, []engine.ID{12, 13}},
	} {
		c.f.Page = engine.Page{Limit: 100, Sort: "id"}
		list, total, err := d.ListExternalJobs(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ids(list); total != len(c.want) || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v (total %d), want %v", c.name, got, total, c.want)
		}
	}

	// Pages of a filtered list: the total counts every match, the page is a slice of them.
	f := engine.ExternalFilter{PriorityMin: n(0), Page: engine.Page{Limit: 2, Offset: 1, Sort: "priority", Desc: true}}
	list, total, err := d.ListExternalJobs(ctx, f)
	if err != nil || total != 4 || !slices.Equal(ids(list), []engine.ID{12, 21}) {
		t.Fatalf("page: %v (total %d) %v", ids(list), total, err)
	}
}
