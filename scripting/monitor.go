package scripting

import (
	"runtime/metrics"
	"sync"
	"time"
)

// memMonitor interrupts runs while the process heap grows beyond a budget.
//
// Go has no per-goroutine allocation accounting, so this is process-wide and
// heuristic: runs still going after memCheckDelay are registered with the
// heap size at that moment; every memCheckPeriod the monitor samples
// /memory/classes/heap/objects:bytes and, if some registered runs have seen
// the heap grow by more than the budget, interrupts the oldest of them. It
// then waits until that run has ended and a GC cycle has completed (so the
// victim's garbage is gone) before it may pick another. The goroutine only
// exists while runs are registered.
type memMonitor struct {
	budget uint64

	mu       sync.Mutex
	runs     map[*run]struct{}
	active   bool
	victim   *run
	victimGC uint64
	victimAt time.Time
	samples  []metrics.Sample
}

func newMemMonitor(budget uint64) *memMonitor {
	return &memMonitor{
		budget: budget,
		runs:   make(map[*run]struct{}),
		samples: []metrics.Sample{
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/gc/cycles/total:gc-cycles"},
		},
	}
}

// read returns the heap object bytes and completed GC cycles; m.mu held.
func (m *memMonitor) read() (heap, gcs uint64) {
	metrics.Read(m.samples)
	if m.samples[0].Value.Kind() == metrics.KindUint64 {
		heap = m.samples[0].Value.Uint64()
	}
	if m.samples[1].Value.Kind() == metrics.KindUint64 {
		gcs = m.samples[1].Value.Uint64()
	}
	return heap, gcs
}

func (m *memMonitor) add(r *run) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.mu.Lock()
	if r.done || r.registered {
		r.mu.Unlock()
		return
	}
	r.registered = true
	r.heapBase, _ = m.read()
	r.mu.Unlock()
	m.runs[r] = struct{}{}
	if !m.active {
		m.active = true
		go m.loop()
	}
}

func (m *memMonitor) remove(r *run) {
	m.mu.Lock()
	delete(m.runs, r)
	m.mu.Unlock()
}

func (m *memMonitor) loop() {
	t := time.NewTicker(memCheckPeriod)
	defer t.Stop()
	for range t.C {
		if !m.check() {
			return
		}
	}
}

// check performs one sample; it returns false (and marks the monitor
// inactive) when no runs are registered.
func (m *memMonitor) check() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.runs) == 0 {
		m.active = false
		m.victim = nil
		return false
	}
	heap, gcs := m.read()
	if v := m.victim; v != nil {
		_, alive := m.runs[v]
		if (alive || gcs == m.victimGC) && time.Since(m.victimAt) < 250*time.Millisecond {
			return true
		}
		m.victim = nil
	}
	var oldest *run
	for r := range m.runs {
		if heap > r.heapBase+m.budget && (oldest == nil || r.start.Before(oldest.start)) {
			oldest = r
		}
	}
	if oldest != nil {
		oldest.interrupt(&stopSignal{kind: KindLimit, msg: "memory limit exceeded: heap grew by more than MaxMemory during the run"})
		m.victim, m.victimGC, m.victimAt = oldest, gcs, time.Now()
	}
	return true
}
