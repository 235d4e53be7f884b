package storetest

import (
	"errors"
	"slices"
	"time"

	"flowcraft/engine"
)

// testJobQueues: QueryJobs sorts the job table into Flowable's four queues and
// filters it; GetJob, DueJobNow and DeleteJob act on one job.
func testJobQueues(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	running := f.instance(p.ID, engine.StatusWaiting, 0)
	suspended := f.instance(p.ID, engine.StatusSuspended, 0)
	due, later, retry := f.job(running, 0, 3), f.job(running, time.Hour, 3), f.job(running, -time.Minute, 3)
	retry.Kind = engine.JobRetry
	held := f.job(suspended, 0, 3)
	dead := f.job(running, -time.Hour, 1)
	f.addJobs(running, due, later, retry, held, dead)
	now := ms(time.Minute)
	// dead: claimed once, failed, out of attempts.
	claimed, err := f.s.ClaimJobs(f.ctx, "node-a", ms(-time.Hour), ms(-time.Hour)+1, 1)
	f.must(err, "claim")
	if len(claimed) != 1 || claimed[0].ID != dead.ID {
		f.Fatalf("claimed %+v", claimed)
	}
	f.must(f.s.RetryJobLater(f.ctx, dead.ID, "node-a", ms(-time.Hour), "boom"), "fail")

	query := func(jf engine.JobFilter) ([]engine.ID, int) {
		f.Helper()
		if jf.Now == 0 {
			jf.Now = now
		}
		if jf.Page.Limit == 0 {
			jf.Page.Limit = 100
		}
		jobs, total, err := f.s.QueryJobs(f.ctx, jf)
		f.must(err, "query jobs")
		return ids(jobs, jobID), total
	}
	for _, c := range []struct {
		name string
		f    engine.JobFilter
		want []engine.ID
	}{
		{"all", engine.JobFilter{}, []engine.ID{due.ID, later.ID, retry.ID, held.ID, dead.ID}},
		{"executable", engine.JobFilter{Queue: engine.JobQueueExecutable}, []engine.ID{due.ID, retry.ID}},
		{"timer", engine.JobFilter{Queue: engine.JobQueueTimer}, []engine.ID{later.ID}},
		{"suspended", engine.JobFilter{Queue: engine.JobQueueSuspended}, []engine.ID{held.ID}},
		{"dead", engine.JobFilter{Queue: engine.JobQueueDead}, []engine.ID{dead.ID}},
		{"status pending", engine.JobFilter{Status: "pending"}, []engine.ID{due.ID, later.ID, retry.ID, held.ID}},
		{"instance", engine.JobFilter{InstanceID: suspended.in.ID}, []engine.ID{held.ID}},
		{"process", engine.JobFilter{ProcessID: p.ID, Version: 1, Queue: engine.JobQueueTimer}, []engine.ID{later.ID}},
		{"other process", engine.JobFilter{ProcessID: "proc-bbbbbbbb"}, nil},
		{"timers only", engine.JobFilter{TimersOnly: true, Queue: engine.JobQueueExecutable}, []engine.ID{due.ID}},
		{"messages only", engine.JobFilter{MessagesOnly: true}, []engine.ID{retry.ID}},
		{"with exception", engine.JobFilter{WithException: true}, []engine.ID{dead.ID}},
		{"exception message", engine.JobFilter{ExceptionMessage: "boom"}, []engine.ID{dead.ID}},
		{"due before", engine.JobFilter{DueBefore: ms(0)}, []engine.ID{retry.ID, dead.ID}},
		{"due after", engine.JobFilter{DueAfter: ms(0)}, []engine.ID{later.ID}},
		{"task", engine.JobFilter{TaskID: "task-a", ID: later.ID}, []engine.ID{later.ID}},
		{"unlocked", engine.JobFilter{Unlocked: true, Queue: engine.JobQueueTimer}, []engine.ID{later.ID}},
		{"locked", engine.JobFilter{Locked: true}, nil},
	} {
		got, total := query(c.f)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", c.name, got, total, want)
		}
	}
	// Sorted and paged: by due time, newest first, one at a time.
	page, total := query(engine.JobFilter{Page: engine.Page{Sort: "dueAt", Desc: true, Limit: 1, Offset: 1}})
	if total != 5 || len(page) != 1 || page[0] != due.ID {
		f.Errorf("page 2 by due desc: %v of %d", page, total)
	}
	if _, _, err := f.s.QueryJobs(f.ctx, engine.JobFilter{Now: now, Page: engine.Page{Sort: "nope", Limit: 1}}); !errors.Is(err, engine.ErrInvalid) {
		f.Errorf("bad sort: %v", err)
	}

	j, err := f.s.GetJob(f.ctx, later.ID, now)
	f.must(err, "get job")
	if j.Queue != engine.JobQueueTimer || j.ProcessID != p.ID || j.Version != 1 || j.InstanceID != running.in.ID || j.Kind != engine.JobTimer {
		f.Errorf("get job: %+v", j)
	}
	if _, err := f.s.GetJob(f.ctx, f.id(), now); !errors.Is(err, engine.ErrNotFound) {
		f.Errorf("get unknown job: %v", err)
	}
	// DueJobNow: the timer becomes executable; a dead or unknown job is not found; a
	// leased one is a conflict.
	f.must(f.s.DueJobNow(f.ctx, later.ID, now), "due now")
	if j, _ := f.s.GetJob(f.ctx, later.ID, now); j.Queue != engine.JobQueueExecutable || j.DueAt != now {
		f.Errorf("after due now: %+v", j)
	}
	for _, id := range []engine.ID{dead.ID, f.id()} {
		if err := f.s.DueJobNow(f.ctx, id, now); !errors.Is(err, engine.ErrNotFound) {
			f.Errorf("due now %d: %v", id, err)
		}
	}
	leased, err := f.s.ClaimJobs(f.ctx, "node-b", now, now+60_000, 10)
	f.must(err, "claim")
	if len(leased) == 0 {
		f.Fatalf("nothing to lease")
	}
	if err := f.s.DueJobNow(f.ctx, leased[0].ID, now); !errors.Is(err, engine.ErrConflict) {
		f.Errorf("due now while leased: %v", err)
	}
	if got, _ := query(engine.JobFilter{Locked: true}); len(got) != len(leased) {
		f.Errorf("locked: %v, want %d", got, len(leased))
	}
	f.must(f.s.DeleteJob(f.ctx, held.ID), "delete")
	if err := f.s.DeleteJob(f.ctx, held.ID); !errors.Is(err, engine.ErrNotFound) {
		f.Errorf("delete twice: %v", err)
	}
	if got, _ := query(engine.JobFilter{Queue: engine.JobQueueSuspended}); len(got) != 0 {
		f.Errorf("suspended after delete: %v", got)
	}
}
