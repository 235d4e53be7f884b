package storetest

import (
	"errors"
	"slices"
	"time"

	"flowcraft/engine"
)

// testHistoryRetention: a definition's historyTimeToLive is stored; HistoryPolicies
// lists the definitions that have one; DeleteEndedBefore deletes, a batch at a time,
// only the ended instances of that definition that ended before the cutoff, with
// their idempotency keys.
func testHistoryRetention(f *fixture) {
	p := f.process("proc-aaaaaaaa", func(p *engine.Process) { p.HistoryTTLDays = 30 })
	keep := f.process("proc-bbbbbbbb")
	if got, err := f.s.GetProcess(f.ctx, p.ID); err != nil || got.HistoryTTLDays != 30 {
		f.Fatalf("stored ttl: %+v %v", got, err)
	}
	pol, err := f.s.HistoryPolicies(f.ctx)
	f.must(err, "policies")
	if !slices.Equal(pol, []engine.HistoryPolicy{{ProcessID: p.ID, Days: 30}}) {
		f.Errorf("policies: %+v", pol)
	}
	ended := func(pid, status string, endAt time.Duration, key string) *run {
		r := f.newInstance(pid, status, endAt-time.Minute)
		r.in.EndAt = ms(endAt)
		var idem *engine.IdemKey
		if key != "" {
			idem = &engine.IdemKey{Scope: "start:" + pid, Key: key}
		}
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Idempotency: idem}), "commit")
		return r
	}
	var old []*run
	for i, st := range []string{engine.StatusDone, engine.StatusFailed, engine.StatusCanceled, engine.StatusTimeout, engine.StatusDone} {
		old = append(old, ended(p.ID, st, -time.Duration(i+2)*time.Hour, ""))
	}
	withKey := ended(p.ID, engine.StatusDone, -10*time.Hour, "k1")
	recent := ended(p.ID, engine.StatusDone, time.Hour, "")
	running := f.instance(p.ID, engine.StatusWaiting, -100*time.Hour)
	other := ended(keep.ID, engine.StatusDone, -100*time.Hour, "")

	cutoff := ms(0)
	n, err := f.s.DeleteEndedBefore(f.ctx, p.ID, cutoff, 4)
	f.must(err, "delete batch 1")
	if n != 4 {
		f.Errorf("first batch deleted %d, want 4", n)
	}
	n, err = f.s.DeleteEndedBefore(f.ctx, p.ID, cutoff, 4)
	f.must(err, "delete batch 2")
	if n != 2 {
		f.Errorf("second batch deleted %d, want 2", n)
	}
	if n, err := f.s.DeleteEndedBefore(f.ctx, p.ID, cutoff, 4); err != nil || n != 0 {
		f.Errorf("third batch: %d %v", n, err)
	}
	for _, r := range append(old, withKey) {
		if _, _, _, err := f.s.LoadInstance(f.ctx, r.in.ID); !errors.Is(err, engine.ErrNotFound) {
			f.Errorf("instance %d (%s) survived: %v", r.in.ID, r.in.Status, err)
		}
	}
	for _, r := range []*run{recent, running, other} {
		if _, _, _, err := f.s.LoadInstance(f.ctx, r.in.ID); err != nil {
			f.Errorf("instance %d (%s of %s) is gone: %v", r.in.ID, r.in.Status, r.in.ProcessID, err)
		}
	}
	if _, ok, err := f.s.IdempotentInstance(f.ctx, engine.IdemKey{Scope: "start:" + p.ID, Key: "k1"}, 0); ok || err != nil {
		f.Errorf("the deleted instance's idempotency key stays: %v %v", ok, err)
	}
}
