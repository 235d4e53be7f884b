package engine

import (
	"context"
	"sync"
	"time"
)

// Long polling. A fetch that finds nothing to lock registers a waiter on its topics
// and sleeps on the waiter's channel; it tries again when woken. Waiters are woken:
//   - one per job, right after the commit that creates a job, unlocks one, or fails
//     one with retries left and no retry timeout (committed, notifyJob): the first
//     waiter whose topic and filters take the job and that has no wake-up pending (so
//     eight idle workers do not all race for one job: seven empty fetches);
//   - all at once, when a lock or a retry timeout ends: one timer for the earliest such
//     time (armAt), never a timer or a query per waiting fetch. When it fires it wakes
//     every waiter and, if any waits, asks the store once for the next such time.
// Each waiter's channel holds one wake-up, so a wake between two tries is not lost; a
// waiter that leaves with a wake-up pending passes it on to another waiter of its
// topics.

// extWaiter is one waiting fetch.
type extWaiter struct {
	topics []FetchTopic
	ch     chan struct{}
}

// takes reports whether the waiter's fetch would lock j.
func (wt *extWaiter) takes(j *ExternalJob) bool {
	for i := range wt.topics {
		t := &wt.topics[i]
		if t.Topic != j.Topic {
			continue
		}
		switch {
		case len(t.ProcessIDs) > 0 && !slicesContains(t.ProcessIDs, j.ProcessID):
		case t.BusinessKey != "" && t.BusinessKey != j.BusinessKey:
		case (len(t.TenantIDs) > 0 || t.WithoutTenant) && !slicesContains(t.TenantIDs, j.TenantID) && !(t.WithoutTenant && j.TenantID == ""):
		default:
			return true
		}
	}
	return false
}

// extNotifier holds the waiting fetches and the expiry timer.
type extNotifier struct {
	x       *ExternalTasks
	mu      sync.Mutex
	byTopic map[string]map[*extWaiter]struct{}
	count   int
	// timer fires at timerAt (unix ms; 0: not armed), the earliest known time a lock
	// or retry timeout ends. known says that timerAt accounts for every job in the
	// store (it was read from the store, or nobody waits and it does not matter).
	timer   *time.Timer
	timerAt int64
	known   bool
	// closed ends every long poll (the runtime is closing).
	closed    chan struct{}
	closeOnce sync.Once
}

func newExtNotifier(x *ExternalTasks) *extNotifier {
	return &extNotifier{x: x, byTopic: map[string]map[*extWaiter]struct{}{}, closed: make(chan struct{})}
}

// add registers a waiter on topics. The first waiter after the timer state became
// unknown reads the next expiry from the store (one query, not one per waiter).
func (w *extNotifier) add(topics []FetchTopic) *extWaiter {
	wt := &extWaiter{ch: make(chan struct{}, 1)}
	wt.topics = topics
	w.mu.Lock()
	for _, t := range topics {
		set := w.byTopic[t.Topic]
		if set == nil {
			set = map[*extWaiter]struct{}{}
			w.byTopic[t.Topic] = set
		}
		set[wt] = struct{}{}
	}
	w.count++
	rearm := !w.known
	w.known = true
	w.mu.Unlock()
	if rearm {
		w.rearm()
	}
	return wt
}

// remove unregisters a waiter; a wake-up it did not consume goes to another waiter
// of each of its topics.
func (w *extNotifier) remove(wt *extWaiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range wt.topics {
		if set := w.byTopic[t.Topic]; set != nil {
			delete(set, wt)
			if len(set) == 0 {
				delete(w.byTopic, t.Topic)
			}
		}
	}
	w.count--
	select {
	case <-wt.ch:
		for _, t := range wt.topics {
			for other := range w.byTopic[t.Topic] {
				if signal(other) {
					break
				}
			}
		}
	default:
	}
}

// signal wakes a waiter; false when a wake-up was pending already.
func signal(wt *extWaiter) bool {
	select {
	case wt.ch <- struct{}{}:
		return true
	default:
		return false
	}
}

// notifyJob wakes one waiter that would take j and has no wake-up pending (when every
// such waiter has one pending, they will try anyway).
func (w *extNotifier) notifyJob(j *ExternalJob) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for wt := range w.byTopic[j.Topic] {
		if wt.takes(j) && signal(wt) {
			return
		}
	}
}

// notifyAll wakes every waiter.
func (w *extNotifier) notifyAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, set := range w.byTopic {
		for wt := range set {
			signal(wt)
		}
	}
}

// armAt makes the timer fire at `at` (unix ms) unless it fires earlier already.
func (w *extNotifier) armAt(at int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armLocked(at)
}

func (w *extNotifier) armLocked(at int64) {
	if at <= 0 || (w.timerAt != 0 && w.timerAt <= at) {
		return
	}
	w.timerAt = at
	d := time.Duration(at-w.x.nowMs()) * time.Millisecond
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
		return
	}
	w.timer.Reset(d)
}

// fire is the timer's: jobs became fetchable. Every waiter wakes; if any waits, the
// next expiry is read from the store.
func (w *extNotifier) fire() {
	w.mu.Lock()
	now := w.x.nowMs()
	if w.timerAt > now {
		// Reset to a later time raced with this call: the timer is armed again.
		w.mu.Unlock()
		return
	}
	w.timerAt = 0
	waiting := w.count > 0
	w.known = waiting
	w.mu.Unlock()
	w.notifyAll()
	if waiting {
		w.rearm()
	}
}

// rearm reads the next expiry from the store and arms the timer for it.
func (w *extNotifier) rearm() {
	select {
	case <-w.closed:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	next, err := w.x.store.NextExternalExpiry(ctx, w.x.nowMs())
	if err != nil {
		w.x.r.log.Warn("reading the next external task lock expiry", "err", err)
		w.mu.Lock()
		w.known = false
		w.armLocked(w.x.nowMs() + time.Second.Milliseconds()) // try again soon
		w.mu.Unlock()
		return
	}
	w.armAt(next)
}

// close ends the waiting fetches and stops the timer.
func (w *extNotifier) close() {
	w.closeOnce.Do(func() {
		close(w.closed)
		w.mu.Lock()
		if w.timer != nil {
			w.timer.Stop()
		}
		w.mu.Unlock()
	})
}
