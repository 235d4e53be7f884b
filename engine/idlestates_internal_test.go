package engine

import "testing"

// TestIdleStatesBounds: the cache holds at most its limit (the least recently kept
// goes), takes a state out once, and does not keep what must be read again (broken),
// ended or fast instances, or a binary variable's content.
func TestIdleStatesBounds(t *testing.T) {
	state := func(id ID, status string) *instState {
		return &instState{inst: &Instance{ID: id, Status: status}, typed: map[string]*Variable{}}
	}
	c := newIdleStates(2)
	for id := ID(1); id <= 3; id++ {
		c.keep(state(id, StatusWaiting))
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
	for _, st := range []*instState{broken, fast, binary, state(7, StatusDone), state(8, StatusCanceled)} {
		c.keep(st)
		if c.take(st.inst.ID) != nil {
			t.Errorf("instance %d (%s) was kept", st.inst.ID, st.inst.Status)
		}
	}
	off := newIdleStates(-1)
	off.keep(state(9, StatusWaiting))
	if off.take(9) != nil {
		t.Error("a state was kept with the cache off")
	}
}
