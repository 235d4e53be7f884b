package engine

import (
	"strings"
	"testing"
)

// TestIdleStatesBounds: the cache holds at most its limit (the least recently kept
// goes), takes a state out once, and does not keep what must be read again (broken),
// ended or fast instances, a binary variable's content, or more data than
// maxIdleStateBytes.
func TestIdleStatesBounds(t *testing.T) {
	state := func(id ID, status string) *instState {
		return &instState{inst: &Instance{ID: id, Status: status}, typed: map[string]*Variable{}}
	}
	c := newIdleStates(2)
	keep := func(c *idleStates, st *instState) {
		if c.admits(st) {
			c.keep(st)
		}
	}
	for id := ID(1); id <= 3; id++ {
		keep(c, state(id, StatusWaiting))
	}
	if c.take(1) != nil {
		t.Error("the oldest state outlived the limit")
	}
	if st := c.take(3); st == nil || st.inst.ID != 3 {
		t.Errorf("take(3) = %v", st)
	}
	if c.take(3) != nil {
		t.Error("a state was taken twice")
	}
	broken := state(4, StatusWaiting)
	broken.broken = true
	fast := state(5, StatusRunning)
	fast.fast = true
	binary := state(6, StatusWaiting)
	binary.typed["file"] = &Variable{Name: "file", Data: []byte("content")}
	big := state(10, StatusWaiting) // an HTTP response of 100 KB, deep in an output
	big.nodes = []*NodeRun{{Output: map[string]any{"body": []any{"x", strings.Repeat("a", 100<<10)}}}}
	bigVar := state(11, StatusWaiting)
	bigVar.typed["note"] = &Variable{Name: "note", Value: strings.Repeat("n", 70<<10)}
	for _, st := range []*instState{broken, fast, binary, big, bigVar, state(7, StatusDone), state(8, StatusCanceled)} {
		keep(c, st)
		if c.take(st.inst.ID) != nil {
			t.Errorf("instance %d (%s) was kept", st.inst.ID, st.inst.Status)
		}
	}
	small := state(12, StatusWaiting)
	small.nodes = []*NodeRun{{Input: map[string]any{"topic": "charge"}, Output: map[string]any{"ok": true, "items": []any{1.0, "two"}}}}
	keep(c, small)
	if c.take(12) == nil {
		t.Error("a small state was not kept")
	}
	off := newIdleStates(-1)
	keep(off, state(9, StatusWaiting))
	if off.take(9) != nil {
		t.Error("a state was kept with the cache off")
	}
}
