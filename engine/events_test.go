package engine_test

import (
	"testing"

	"flowcraft/engine"
)

// TestEventStream: a subscriber to a process sees the instance start, every runtime
// change in order, and the end; a subscriber that never reads is dropped, not waited for.
func TestEventStream(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("events",
		task_("start", "manual", "a"),
		script("a", "return 1", "b"),
		script("b", "return 2", "end"),
		task_("end", "end"),
	))
	sub := h.rt.Events().Subscribe(pid, 0, 256)
	stuck := h.rt.Events().Subscribe(pid, 0, 1)
	v := h.run(pid, nil)
	var got []string
	for len(sub.C) > 0 {
		ev := <-sub.C
		if ev.InstanceID != v.ID {
			t.Fatalf("event of another instance: %+v", ev)
		}
		switch ev.Type {
		case engine.EventProcess:
			got = append(got, "process:"+ev.Instance.Status)
		case engine.EventNode:
			got = append(got, ev.Node.TaskID+":"+ev.Node.Status)
		}
	}
	sub.Close()
	want := []string{
		"start:done", "a:pending", "process:running",
		"a:running", "a:done", "b:pending",
		"b:running", "b:done", "end:pending",
		"end:running", "end:done", "process:done",
	}
	if len(got) != len(want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: got %s, want %s\n all: %v", i, got[i], want[i], got)
		}
	}
	if _, open := <-stuck.C; open {
		// The first event fit in its buffer; the channel must be closed after it.
		if _, open := <-stuck.C; open {
			t.Fatal("a subscriber that does not read was not dropped")
		}
	}
	if n := h.rt.Events().Subscribers(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
}
