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
// or fast one, nor one with more than maxIdleNodes runtimes or a binary variable's
// content. Bounded: the least
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

func newIdleStates(limit int) *idleStates {
	return &idleStates{limit: limit, m: map[ID]*list.Element{}, order: list.New()}
}

// keep caches st, unless it is not to be kept.
func (c *idleStates) keep(st *instState) {
	if c.limit <= 0 || st == nil || st.broken || st.fast || Ended(st.inst.Status) || len(st.nodes) > maxIdleNodes {
		return
	}
	for _, v := range st.typed {
		if v.Data != nil {
			return // a binary variable's content just written: not held in memory
		}
	}
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
