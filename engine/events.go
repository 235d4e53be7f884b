package engine

import "sync"

// Event types.
const (
	EventNode    = "node"
	EventProcess = "process"
	EventTask    = "task" // a human task was created, claimed, delegated, completed or closed
	// EventExternal: an external job was created, locked (fetched), extended, unlocked,
	// failed, completed or errored (a job canceled with its runtime shows in the node's
	// event).
	EventExternal = "external"
)

// Event is a state change of a runtime or an instance, published after it committed
// (and, for a node starting to run, when it starts).
type Event struct {
	Type       string       `json:"type"`
	ProcessID  string       `json:"processId"`
	InstanceID ID           `json:"instanceId"`
	Node       *NodeRun     `json:"node,omitempty"`
	Instance   *Instance    `json:"instance,omitempty"`
	Task       *HumanTask   `json:"task,omitempty"`
	External   *ExternalJob `json:"external,omitempty"`
}

// Events is a small publish/subscribe hub. Publishing never blocks: a subscriber whose
// buffer is full is dropped (its channel is closed) and must resubscribe and resync.
type Events struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}
}

// Subscription receives events matching its filter on C.
type Subscription struct {
	C          <-chan Event
	c          chan Event
	processID  string
	instanceID ID
	events     *Events
	once       sync.Once
}

// NewEvents returns an empty hub.
func NewEvents() *Events { return &Events{subs: map[*Subscription]struct{}{}} }

// Subscribe returns a subscription for one process's instances (processID), one
// instance (instanceID), or everything (both empty), with a buffer of size events.
func (e *Events) Subscribe(processID string, instanceID ID, size int) *Subscription {
	c := make(chan Event, size)
	s := &Subscription{C: c, c: c, processID: processID, instanceID: instanceID, events: e}
	e.mu.Lock()
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	return s
}

// Close ends the subscription; C is closed.
func (s *Subscription) Close() {
	s.events.mu.Lock()
	delete(s.events.subs, s)
	s.events.mu.Unlock()
	s.once.Do(func() { close(s.c) })
}

// Publish sends ev to every matching subscriber without blocking.
func (e *Events) Publish(ev Event) {
	var slow []*Subscription
	e.mu.RLock()
	for s := range e.subs {
		if (s.processID != "" && s.processID != ev.ProcessID) || (s.instanceID != 0 && s.instanceID != ev.InstanceID) {
			continue
		}
		select {
		case s.c <- ev:
		default:
			slow = append(slow, s)
		}
	}
	e.mu.RUnlock()
	for _, s := range slow {
		s.Close()
	}
}

// Subscribers counts the live subscriptions (for metrics and tests).
func (e *Events) Subscribers() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.subs)
}
