package engine

import "sync/atomic"

// Metrics are the runtime's counters, exported at /metrics.
type Metrics struct {
	Started      atomic.Int64 // instances started
	Ended        [5]atomic.Int64
	Steps        atomic.Int64 // steps committed (standard engine)
	FastWritten  atomic.Int64 // fast instances queued for writing
	JobsClaimed  atomic.Int64
	TasksCreated atomic.Int64 // human tasks
	// StatesLoaded counts the instances an actor read from the store, StatesKept
	// the ones it found in memory (their state kept while they waited).
	StatesLoaded, StatesKept atomic.Int64
}

// endedIndex maps a final status to its slot in Metrics.Ended.
var endedStatuses = [5]string{StatusDone, StatusFailed, StatusCanceled, StatusTimeout, StatusSkipped}

// EndedStatuses lists the final statuses counted in Metrics.Ended, in order.
func EndedStatuses() [5]string { return endedStatuses }

func (m *Metrics) ended(status string) {
	for i, s := range endedStatuses {
		if s == status {
			m.Ended[i].Add(1)
		}
	}
}

// Metrics returns the runtime's counters.
func (r *Runtime) Metrics() *Metrics { return &r.metrics }

// ActiveInstances counts instances whose actor is running now.
func (r *Runtime) ActiveInstances() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.actors)
}
