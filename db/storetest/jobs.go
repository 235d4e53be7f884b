package storetest

import (
	"slices"
	"time"

	"flowcraft/engine"
)

// job builds an unstored job of an instance, due at base+due.
func (f *fixture) job(r *run, due time.Duration, maxAttempts int) *engine.Job {
	return &engine.Job{ID: f.id(), Kind: engine.JobTimer, InstanceID: r.in.ID, NodeID: r.nodes[0].ID, TaskID: "task-a",
		DueAt: ms(due), MaxAttempts: maxAttempts, CreateAt: ms(0)}
}

// addJobs commits a step of r that inserts jobs.
func (f *fixture) addJobs(r *run, jobs ...*engine.Job) {
	f.Helper()
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Jobs: jobs}), "insert jobs")
}

func testJobLeases(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.instance(p.ID, engine.StatusWaiting, 0)
	due, later := f.job(r, 0, 3), f.job(r, time.Hour, 3)
	f.addJobs(r, due, later)

	now, lease := ms(time.Minute), ms(time.Minute+30*time.Second)
	got, err := f.s.ClaimJobs(f.ctx, "node-a", now, lease, 10)
	f.must(err, "claim")
	if len(got) != 1 || got[0].ID != due.ID || got[0].LockOwner != "node-a" || got[0].LockExpiry != lease || got[0].Attempts != 1 ||
		got[0].Kind != engine.JobTimer || got[0].InstanceID != r.in.ID || got[0].NodeID != r.nodes[0].ID || got[0].TaskID != "task-a" ||
		got[0].Status != "pending" || got[0].MaxAttempts != 3 {
		f.Fatalf("claimed: %+v", got)
	}
	// Leased: nobody else gets it until the lease ends.
	if got, err := f.s.ClaimJobs(f.ctx, "node-b", now+1, now+1000, 10); err != nil || len(got) != 0 {
		f.Errorf("a leased job was claimed again: %+v %v", got, err)
	}
	got, err = f.s.ClaimJobs(f.ctx, "node-b", lease, lease+30_000, 10)
	if err != nil || len(got) != 1 || got[0].ID != due.ID || got[0].LockOwner != "node-b" || got[0].Attempts != 2 {
		f.Errorf("claim after the lease ended: %+v %v", got, err)
	}
	// ReleaseJobs frees an owner's leases at once (a restart of that node).
	f.must(f.s.ReleaseJobs(f.ctx, "node-b"), "release")
	got, err = f.s.ClaimJobs(f.ctx, "node-c", lease+1, lease+30_000, 10)
	if err != nil || len(got) != 1 || got[0].LockOwner != "node-c" {
		f.Errorf("claim after a release: %+v %v", got, err)
	}
	// The limit holds, due order first.
	f.addJobs(r, f.job(r, -2*time.Minute, 3), f.job(r, -time.Minute, 3))
	got, err = f.s.ClaimJobs(f.ctx, "node-d", ms(2*time.Hour), ms(3*time.Hour), 2)
	if err != nil || len(got) != 2 {
		f.Fatalf("claim with a limit: %+v %v", got, err)
	}
	if got[0].DueAt > got[1].DueAt || slices.Contains(ids(got, jobID), later.ID) {
		f.Errorf("claim order: %+v", got)
	}
}

func testJobRetriesAndRevive(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.instance(p.ID, engine.StatusWaiting, 0)
	j := f.job(r, 0, 2)
	f.addJobs(r, j)
	claim := func(owner string, at time.Duration) []*engine.Job {
		f.Helper()
		got, err := f.s.ClaimJobs(f.ctx, owner, ms(at), ms(at+30*time.Second), 10)
		f.must(err, "claim")
		return got
	}
	get := func() *engine.Job {
		f.Helper()
		list, _, err := f.s.ListJobs(f.ctx, "", engine.Page{Limit: 10})
		f.must(err, "list jobs")
		if len(list) != 1 {
			f.Fatalf("jobs: %+v", list)
		}
		return list[0]
	}
	if len(claim("node-a", time.Second)) != 1 {
		f.Fatal("nothing to claim")
	}
	// Only the owner of the lease puts a job back.
	f.must(f.s.RetryJobLater(f.ctx, j.ID, "node-x", ms(time.Hour), "not mine"), "retry by another owner")
	if got := get(); got.LockOwner != "node-a" || got.Error != "" {
		f.Errorf("a retry by another owner changed the job: %+v", got)
	}
	f.must(f.s.RetryJobLater(f.ctx, j.ID, "node-a", ms(time.Minute), "boom"), "retry")
	if got := get(); got.Status != "pending" || got.LockOwner != "" || got.DueAt != ms(time.Minute) || got.Error != "boom" || got.Attempts != 1 {
		f.Errorf("after a retry: %+v", got)
	}
	if len(claim("node-a", 30*time.Second)) != 0 {
		f.Error("a job was claimed before its new due time")
	}
	if len(claim("node-a", 2*time.Minute)) != 1 {
		f.Fatal("the retried job was not claimed")
	}
	// Its last attempt failed: it is dead.
	f.must(f.s.RetryJobLater(f.ctx, j.ID, "node-a", ms(time.Hour), "boom again"), "retry the last attempt")
	if got := get(); got.Status != "dead" || got.Error != "boom again" {
		f.Errorf("after the last attempt: %+v", got)
	}
	if len(claim("node-a", 2*time.Hour)) != 0 {
		f.Error("a dead job was claimed")
	}
	dead, total, err := f.s.ListJobs(f.ctx, "dead", engine.Page{Limit: 10})
	if err != nil || total != 1 || dead[0].ID != j.ID {
		f.Errorf("dead jobs: %+v %v", dead, err)
	}
	f.must(f.s.ReviveJob(f.ctx, j.ID, ms(3*time.Hour)), "revive")
	if got := get(); got.Status != "pending" || got.Attempts != 0 || got.DueAt != ms(3*time.Hour) || got.Error != "" || got.LockOwner != "" {
		f.Errorf("revived: %+v", got)
	}
	f.wantErr(f.s.ReviveJob(f.ctx, j.ID, ms(3*time.Hour)), engine.ErrConflict, "revive a job that is not dead")
	f.wantErr(f.s.ReviveJob(f.ctx, f.id(), ms(3*time.Hour)), engine.ErrConflict, "revive a missing job")
}

func testJobsWrittenBySteps(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.instance(p.ID, engine.StatusWaiting, 0)
	a, b, c := f.job(r, 0, 0), f.job(r, time.Minute, 1), f.job(r, 2*time.Minute, 1)
	f.addJobs(r, a, b, c)
	list, _, err := f.s.ListJobs(f.ctx, "", engine.Page{Limit: 10, Sort: "dueAt"})
	if err != nil || len(list) != 3 || list[0].MaxAttempts != 1 || list[0].Status != "pending" || list[0].CreateAt != ms(0) {
		f.Fatalf("jobs (max attempts at least 1): %+v %v", list, err)
	}
	// A step finishes a job.
	r.in.UpdateAt++
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, DoneJobs: []engine.ID{a.ID}}), "finish a job")
	list, _, _ = f.s.ListJobs(f.ctx, "", engine.Page{Limit: 10, Sort: "dueAt"})
	if !slices.Equal(ids(list, jobID), []engine.ID{b.ID, c.ID}) {
		f.Errorf("after a done job: %v", ids(list, jobID))
	}
	// The instance ends: its jobs go.
	other := f.instance(p.ID, engine.StatusWaiting, 0)
	keep := f.job(other, 0, 1)
	f.addJobs(other, keep)
	r.in.Status = engine.StatusDone
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, DropJobs: true}), "drop jobs")
	list, _, _ = f.s.ListJobs(f.ctx, "", engine.Page{Limit: 10})
	if !slices.Equal(ids(list, jobID), []engine.ID{keep.ID}) {
		f.Errorf("after dropping the jobs of an instance: %v, want only %d", ids(list, jobID), keep.ID)
	}
}

func testListJobs(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.instance(p.ID, engine.StatusWaiting, 0)
	var jobs []*engine.Job
	for i := range 5 {
		j := f.job(r, time.Duration(5-i)*time.Minute, 1)
		j.CreateAt = ms(time.Duration(i) * time.Second)
		jobs = append(jobs, j)
	}
	f.addJobs(r, jobs...)
	page := func(pg engine.Page) []engine.ID {
		f.Helper()
		list, total, err := f.s.ListJobs(f.ctx, "pending", pg)
		f.must(err, "list jobs")
		if total != 5 {
			f.Errorf("total %d, want 5", total)
		}
		return ids(list, jobID)
	}
	if got := page(engine.Page{Limit: 2}); !slices.Equal(got, []engine.ID{jobs[4].ID, jobs[3].ID}) {
		f.Errorf("first page, soonest due first: %v", got)
	}
	if got := page(engine.Page{Limit: 2, Offset: 4}); !slices.Equal(got, []engine.ID{jobs[0].ID}) {
		f.Errorf("last page: %v", got)
	}
	if got := page(engine.Page{Limit: 10, Sort: "createAt", Desc: true}); !slices.Equal(got, []engine.ID{jobs[4].ID, jobs[3].ID, jobs[2].ID, jobs[1].ID, jobs[0].ID}) {
		f.Errorf("newest first: %v", got)
	}
	if list, total, err := f.s.ListJobs(f.ctx, "dead", engine.Page{Limit: 10}); err != nil || total != 0 || list == nil {
		f.Errorf("no dead jobs: %v %d %v (an empty list, not nil)", list, total, err)
	}
	_, _, err := f.s.ListJobs(f.ctx, "", engine.Page{Limit: 10, Sort: "owner"})
	f.wantErr(err, engine.ErrInvalid, "sort jobs by an unknown field")
}
