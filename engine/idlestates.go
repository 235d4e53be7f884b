package engine

import (
	"container/list"
	"sync"
)

// idleStates keeps the in-memory state of instances whose actor finished cleanly
// while they wait (for a worker, an approver, a timer), so that the command that
// wakes one (an external task's completion, most often) does not load it again from
// the store: an instance, its runtimes and its variables are three queries.
//
// Only an instance's actor writes it, one actor at a time, and the state goes into
// the cache as the actor ends (under the runtime's lock, with its removal from the
// actors) and comes out when the next one starts: a cached state is what the store
// holds. A state whose commit failed is never kept (instState.broken), nor an ended
// or fast one, nor one with more than maxIdleNodes runtimes, more than
// maxIdleStateBytes of data or a binary variable's content. Bounded: the least
// recently kept goes first.
type idleStates struct {
	mu    sync.Mutex
	limit int
	m     map[ID]*list.Element
	order *list.List // of *instState, most recently kept at the front
}

// maxIdleNodes is the most runtimes of a state kept in the cache: a long-lived loop
// is loaded again rather than held.
const maxIdleNodes = 256

// maxIdleStateBytes bounds the data of a kept state, roughly counted: the instance's
// trigger data and output, its runtimes' inputs, incoming data, outputs, errors and
// logs, its variables. A larger one (a big HTTP response, say) is read again when
// woken. With the default 1,024 states the cache holds at most about 64 MB of data.
const maxIdleStateBytes = 64 << 10

func newIdleStates(limit int) *idleStates {
	return &idleStates{limit: limit, m: map[ID]*list.Element{}, order: list.New()}
}

// admits reports whether st may be kept (it counts st's data: call it outside the
// runtime's lock).
func (c *idleStates) admits(st *instState) bool {
	if c.limit <= 0 || st == nil || st.broken || st.fast || Ended(st.inst.Status) || len(st.nodes) > maxIdleNodes {
		return false
	}
	for _, v := range st.typed {
		if v.Data != nil {
			return false // a binary variable's content just written: not held in memory
		}
	}
	return stateFits(st, maxIdleStateBytes)
}

// keep caches st, which admits took.
func (c *idleStates) keep(st *instState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := st.inst.ID
	if e, ok := c.m[id]; ok {
		c.order.Remove(e)
	}
	c.m[id] = c.order.PushFront(st)
	for c.order.Len() > c.limit {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.m, last.Value.(*instState).inst.ID)
	}
}

// take removes and returns the cached state of an instance, or nil.
func (c *idleStates) take(id ID) *instState {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok {
		return nil
	}
	c.order.Remove(e)
	delete(c.m, id)
	return e.Value.(*instState)
}

// forget drops an instance's cached state.
func (c *idleStates) forget(id ID) { c.take(id) }

// stateFits reports whether the data of st comes to at most budget bytes, roughly
// counted (approxSize); it stops counting past the budget.
func stateFits(st *instState, budget int) bool {
	take := func(v any) bool {
		budget -= approxSize(v, budget)
		return budget >= 0
	}
	if !take(st.inst.Trigger) || !take(st.inst.Output) {
		return false
	}
	for _, n := range st.nodes {
		budget -= len(n.Error)
		for _, l := range n.Logs {
			budget -= len(l.Message) + 16
		}
		if !take(n.Input) || !take(n.Incoming) || !take(n.Output) {
			return false
		}
	}
	for k, v := range st.typed {
		budget -= len(k)
		if !take(v.Value) {
			return false
		}
	}
	return budget >= 0
}

// approxSize is about the bytes a JSON-like value holds (strings and keys by their
// length, anything else a few bytes), counted until budget is spent: a value shared
// by two places counts twice.
func approxSize(v any, budget int) int {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return len(x)
	case []byte:
		return len(x)
	case map[string]any:
		n := 0
		for k, e := range x {
			if n += len(k) + 8 + approxSize(e, budget-n); n > budget {
				break
			}
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			if n += 8 + approxSize(e, budget-n); n > budget {
				break
			}
		}
		return n
	default:
		return 16
	}
}
