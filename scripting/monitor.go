package scripting

import (
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"time"
)

// memMonitor interrupts runs while the process heap grows beyond a budget.
//
// Go has no per-goroutine allocation accounting, so this is process-wide and
// heuristic: runs still going after memCheckDelay are registered with the
// heap size at that moment; every memCheckPeriod the monitor samples
// /memory/classes/heap/objects:bytes and interrupts the oldest registered
// run that has seen the heap grow by more than the per-run budget
// (MaxMemory), or, when the heap has grown by more than the total budget
// (MaxTotalMemory) above its level without the scripts, the oldest
// registered runs (the ones likely to hold the most): one, plus one per
// quarter of the total budget the heap is over it. That level is the
// lowest heap of the last 10 to 20 seconds (baseWindow). It then waits
// until that run has ended and a GC cycle has completed (so the victim's
// garbage is gone), or until the heap has grown by another quarter of the
// total budget, before it picks another. The goroutine only exists while
// runs are registered.
type memMonitor struct {
	budget uint64 // per run
	total  uint64 // all runs together

	mu         sync.Mutex
	runs       map[*run]struct{}
	active     bool
	base       uint64 // heap without the monitored runs' growth (see check)
	winMin     uint64 // lowest heap seen in the current window
	winEnd     time.Time
	victim     *run
	victimGC   uint64
	victimAt   time.Time
	victimHeap uint64
	gcStarted  bool // a GC was started for the victim's garbage
	samples    []metrics.Sample
}

// baseWindow is how long the lowest heap seen counts as the heap without
// the scripts' growth.
const baseWindow = 10 * time.Second

func newMemMonitor(budget, total uint64) *memMonitor {
	return &memMonitor{
		budget: budget,
		total:  total,
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
		m.base, m.winMin, m.winEnd = r.heapBase, r.heapBase, time.Now().Add(baseWindow)
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
	// The base is the lowest heap seen in the previous window and this one,
	// so it follows the host's own growth while runs keep the monitor busy.
	m.base = min(m.base, heap)
	m.winMin = min(m.winMin, heap)
	if now := time.Now(); now.After(m.winEnd) {
		m.base, m.winMin, m.winEnd = m.winMin, heap, now.Add(baseWindow)
	}
	if v := m.victim; v != nil {
		_, alive := m.runs[v]
		if !alive && gcs == m.victimGC && !m.gcStarted {
			// The victim's memory is garbage now; collect it rather than
			// count it against the runs still going.
			m.gcStarted = true
			go runtime.GC()
		}
		waiting := (alive || gcs == m.victimGC) && time.Since(m.victimAt) < 250*time.Millisecond
		if waiting && heap < m.victimHeap+m.total/4 {
			return true
		}
		m.victim = nil
	}
	overTotal := heap > m.base+m.total
	var victims []*run
	for r := range m.runs {
		if !r.stopped.Load() && (overTotal || heap > r.heapBase+m.budget) {
			victims = append(victims, r)
		}
	}
	if len(victims) == 0 {
		return true
	}
	slices.SortFunc(victims, func(a, b *run) int { return a.start.Compare(b.start) })
	// Over the total budget, stop one run per quarter budget of excess: the
	// monitor may wake up late while runs keep allocating.
	n := 1
	if overTotal {
		n += int((heap - m.base - m.total) / max(m.total/4, 1))
	}
	msg := "memory limit exceeded: heap grew by more than MaxMemory during the run"
	if overTotal {
		msg = "memory limit exceeded: heap grew by more than MaxTotalMemory while scripts were running"
	}
	for _, r := range victims[:min(n, len(victims))] {
		r.interrupt(&stopSignal{kind: KindLimit, msg: msg})
	}
	m.victim, m.victimGC, m.victimAt, m.victimHeap = victims[0], gcs, time.Now(), heap
	m.gcStarted = false
	return true
}
