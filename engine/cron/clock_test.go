package cron_test

import (
	"sync"
	"testing"
	"time"

	"flowcraft/engine/cron"
)

// fakeClock is a cron.Clock whose time moves only when a test sets it. It counts the
// timers it hands out, so that a test can wait until every scheduler is parked on its
// next timer, which is when the work of the previous wake-up is done.
type fakeClock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	live    map[*fakeTimer]bool
	created int
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	c := &fakeClock{now: now, live: map[*fakeTimer]bool{}}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) cron.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.created++
	if d <= 0 {
		t.ch <- c.now
	} else {
		c.live[t] = true
	}
	c.cond.Broadcast()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.c.live[t]
	delete(t.c.live, t)
	t.c.cond.Broadcast()
	return was
}

// nextDeadline is the earliest live timer's deadline; false if there is none.
func (c *fakeClock) nextDeadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for t := range c.live {
		if at.IsZero() || t.at.Before(at) {
			at = t.at
		}
	}
	return at, !at.IsZero()
}

// mark is the number of timers created so far.
func (c *fakeClock) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.created
}

// set moves the clock to `to` and fires the timers due; it returns how many fired.
func (c *fakeClock) set(to time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = to
	fired := 0
	for t := range c.live {
		if !t.at.After(to) {
			delete(c.live, t)
			t.ch <- to
			fired++
		}
	}
	c.cond.Broadcast()
	return fired
}

// await waits until `parked` timers are live and at least `created` were made.
func (c *fakeClock) await(t *testing.T, parked, created int) {
	t.Helper()
	done := make(chan struct{})
	timeout := time.AfterFunc(20*time.Second, func() {
		c.mu.Lock()
		close(done)
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timeout.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.live) != parked || c.created < created {
		select {
		case <-done:
			t.Fatalf("schedulers did not park: %d live timers (want %d), %d created (want >= %d)", len(c.live), parked, c.created, created)
		default:
		}
		c.cond.Wait()
	}
}
