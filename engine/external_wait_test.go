package engine

import (
	"testing"
	"time"
)

func pending(wt *extWaiter) bool {
	select {
	case <-wt.ch:
		return true
	default:
		return false
	}
}

// TestExtNotifierWakesOne: a job wakes one waiter that takes it (topic and filters),
// not all; a waiter that leaves with a wake-up it did not use passes it on.
func TestExtNotifierWakesOne(t *testing.T) {
	x := &ExternalTasks{r: &Runtime{now: time.Now}}
	w := newExtNotifier(x)
	w.known = true // no store: no expiry query
	a := w.add([]FetchTopic{{Topic: "t"}})
	b := w.add([]FetchTopic{{Topic: "t"}})
	other := w.add([]FetchTopic{{Topic: "t", BusinessKey: "k2"}, {Topic: "u"}})
	j := &ExternalJob{Topic: "t", BusinessKey: "k1"}
	w.notifyJob(j)
	if pa, pb, po := pending(a), pending(b), pending(other); pa == pb || po {
		t.Fatalf("one waiter of the two that take the job: a %v, b %v, other %v", pa, pb, po)
	}
	// Both wake for two jobs; a third finds both with a wake-up pending.
	w.notifyJob(j)
	w.notifyJob(j)
	w.notifyJob(j)
	if !pending(a) || !pending(b) || pending(other) {
		t.Fatal("two jobs, two waiters")
	}
	// a leaves without using its wake-up: b gets it.
	w.notifyJob(j)
	first, second := a, b
	if pending(b) {
		signal(b) // put it back: b was the one woken
		first, second = b, a
	} else {
		signal(a)
	}
	w.remove(first)
	if !pending(second) {
		t.Fatal("the unused wake-up was not passed on")
	}
	// Filters: tenants, processes.
	tw := &extWaiter{topics: []FetchTopic{{Topic: "t", TenantIDs: []string{"x"}, WithoutTenant: true, ProcessIDs: []string{"p"}}}}
	for _, c := range []struct {
		j    ExternalJob
		want bool
	}{
		{ExternalJob{Topic: "t", TenantID: "x", ProcessID: "p"}, true},
		{ExternalJob{Topic: "t", TenantID: "", ProcessID: "p"}, true},
		{ExternalJob{Topic: "t", TenantID: "y", ProcessID: "p"}, false},
		{ExternalJob{Topic: "t", TenantID: "x", ProcessID: "q"}, false},
		{ExternalJob{Topic: "u", TenantID: "x", ProcessID: "p"}, false},
	} {
		if got := tw.takes(&c.j); got != c.want {
			t.Errorf("takes(%+v) = %v", c.j, got)
		}
	}
}
