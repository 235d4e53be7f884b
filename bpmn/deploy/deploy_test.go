package deploy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"flowcraft/bpmn"
	"flowcraft/bpmn/deploy"
	"flowcraft/engine"
)

// fakeDefs stores definitions in memory; Check refuses a process named "bad" and
// Create fails for one named "boom" (a store failure after the check).
type fakeDefs struct {
	stored  map[string]*engine.Process
	created []string // ids, in the order of creation
	deleted []string
	starter []string // id + ":" + user
	n       int
}

func newFake() *fakeDefs { return &fakeDefs{stored: map[string]*engine.Process{}} }

func (f *fakeDefs) Check(p *engine.Process) error {
	if p.Name == "bad" {
		return engine.InvalidField("name", engine.CodeInvalidValue, nil, "bad name")
	}
	return nil
}

func (f *fakeDefs) Create(_ context.Context, p *engine.Process, by string) (*engine.Process, error) {
	if p.Name == "boom" {
		return nil, errors.New("disk full")
	}
	f.n++
	cp := *p
	cp.ID, cp.Version, cp.Creator = fmt.Sprintf("proc-%08d", f.n), 1, by
	f.stored[cp.ID] = &cp
	f.created = append(f.created, cp.ID)
	return &cp, nil
}

func (f *fakeDefs) Get(_ context.Context, id string) (*engine.Process, error) {
	if p, ok := f.stored[id]; ok {
		return p, nil
	}
	return nil, engine.ErrNotFound
}

func (f *fakeDefs) Replace(_ context.Context, id string, p *engine.Process, _ string) (*engine.Process, error) {
	cur := f.stored[id]
	if p.Version != cur.Version {
		return nil, engine.ErrConflict
	}
	cp := *p
	cp.ID, cp.Version = id, cur.Version+1
	f.stored[id] = &cp
	return &cp, nil
}

func (f *fakeDefs) Delete(_ context.Context, id string, _ bool, _ string) error {
	delete(f.stored, id)
	f.deleted = append(f.deleted, id)
	return nil
}

func (f *fakeDefs) AddStarter(_ context.Context, id string, s engine.Starter, _ string) (engine.Starter, error) {
	f.starter = append(f.starter, id+":"+s.UserID)
	return s, nil
}

// proc is an imported process named name whose subprocess tasks call the BPMN ids given.
func proc(bpmnID, name string, calls ...string) bpmn.Imported {
	p := &engine.Process{Name: name}
	for i, c := range calls {
		p.Tasks = append(p.Tasks, &engine.Task{InstID: fmt.Sprintf("call%d", i), Template: "subprocess",
			Parameters: map[string]*engine.Parameter{"processId": {Value: c}}})
	}
	return bpmn.Imported{BPMNID: bpmnID, Process: p}
}

func TestSave(t *testing.T) {
	ctx := context.Background()
	t.Run("callees first, calls pointed at their definitions, answered in document order", func(t *testing.T) {
		f := newFake()
		res := &bpmn.Result{Processes: []bpmn.Imported{proc("Main", "main", "Child", "Elsewhere"), proc("Child", "child", "Leaf"), proc("Leaf", "leaf")}}
		out, err := deploy.Save(ctx, f, res, deploy.Options{By: "dora"})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 3 || out[0].BPMNID != "Main" || out[1].BPMNID != "Child" || out[2].BPMNID != "Leaf" {
			t.Fatalf("answer %+v", out)
		}
		if got := fmt.Sprint(f.created); got != fmt.Sprint([]string{out[2].Process.ID, out[1].Process.ID, out[0].Process.ID}) {
			t.Errorf("created in order %v; want leaf, child, main", f.created)
		}
		main := f.stored[out[0].Process.ID]
		if v := main.Tasks[0].Parameters["processId"].Value; v != out[1].Process.ID {
			t.Errorf("Main calls %v, want the child's definition %s", v, out[1].Process.ID)
		}
		if v := main.Tasks[1].Parameters["processId"].Value; v != "Elsewhere" {
			t.Errorf("a call outside the file is kept as written: %v", v)
		}
		if v := f.stored[out[1].Process.ID].Tasks[0].Parameters["processId"].Value; v != out[2].Process.ID {
			t.Errorf("Child calls %v, want %s", v, out[2].Process.ID)
		}
		if main.Creator != "dora" {
			t.Errorf("creator %q", main.Creator)
		}
	})
	t.Run("an invalid process stores nothing and is named", func(t *testing.T) {
		f := newFake()
		res := &bpmn.Result{Processes: []bpmn.Imported{proc("A", "a"), proc("B", "bad")}}
		_, err := deploy.Save(ctx, f, res, deploy.Options{By: "dora"})
		var ve *engine.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Params["process"] != "B" {
			t.Fatalf("err %v", err)
		}
		if len(f.created) != 0 {
			t.Errorf("created %v before checking every process", f.created)
		}
	})
	t.Run("a store failure takes back what was created", func(t *testing.T) {
		f := newFake()
		res := &bpmn.Result{Processes: []bpmn.Imported{proc("A", "a"), proc("B", "boom")}}
		if _, err := deploy.Save(ctx, f, res, deploy.Options{By: "dora"}); err == nil {
			t.Fatal("no error")
		}
		if len(f.stored) != 0 || len(f.deleted) != 1 {
			t.Errorf("left %v, deleted %v", f.stored, f.deleted)
		}
	})
	t.Run("upsert: an existing id deploys its next version, the others are new, in the tenant", func(t *testing.T) {
		f := newFake()
		old, _ := f.Create(ctx, &engine.Process{Name: "old"}, "dora")
		a, b := proc("A", "a2"), proc("B", "b")
		a.Process.ID, b.Process.ID = old.ID, "proc-nothere0"
		out, err := deploy.Save(ctx, f, &bpmn.Result{Processes: []bpmn.Imported{a, b}}, deploy.Options{By: "dora", Upsert: true})
		if err != nil {
			t.Fatal(err)
		}
		if !out[0].Replaced || out[0].Process.ID != old.ID || out[0].Process.Version != 2 || out[1].Replaced || out[1].Process.ID == "proc-nothere0" {
			t.Fatalf("answer %+v %+v", out[0], out[1])
		}
	})
	t.Run("without upsert an id in the document is not kept", func(t *testing.T) {
		f := newFake()
		old, _ := f.Create(ctx, &engine.Process{Name: "old"}, "dora")
		a := proc("A", "a")
		a.Process.ID = old.ID
		out, err := deploy.Save(ctx, f, &bpmn.Result{Processes: []bpmn.Imported{a}}, deploy.Options{By: "dora", TenantID: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		if out[0].Process.ID == old.ID || out[0].Replaced || out[0].Process.TenantID != "acme" || f.stored[old.ID].Name != "old" {
			t.Fatalf("answer %+v", out[0].Process)
		}
	})
	t.Run("a cycle of calls is refused", func(t *testing.T) {
		f := newFake()
		_, err := deploy.Save(ctx, f, &bpmn.Result{Processes: []bpmn.Imported{proc("A", "a", "B"), proc("B", "b", "A")}}, deploy.Options{})
		if !errors.Is(err, engine.ErrInvalid) || len(f.created) != 0 {
			t.Fatalf("err %v, created %v", err, f.created)
		}
	})
	t.Run("a call written bpmn:<id>, and candidate starters from the metadata", func(t *testing.T) {
		f := newFake()
		main := proc("Main", "main", "bpmn:Child")
		main.Process.Metadata = []byte(`{"bpmn": {"processId": "Main"}, "candidateStarters": {"users": ["lisi"], "groups": ["hr"]}}`)
		out, err := deploy.Save(ctx, f, &bpmn.Result{Processes: []bpmn.Imported{main, proc("Child", "child")}}, deploy.Options{By: "dora"})
		if err != nil {
			t.Fatal(err)
		}
		if v := f.stored[out[0].Process.ID].Tasks[0].Parameters["processId"].Value; v != out[1].Process.ID {
			t.Errorf("Main calls %v, want %s", v, out[1].Process.ID)
		}
		if got, want := fmt.Sprint(f.starter), fmt.Sprint([]string{out[0].Process.ID + ":lisi", out[0].Process.ID + ":"}); got != want {
			t.Errorf("starters %s, want %s (the user, then the group)", got, want)
		}
	})
	t.Run("nothing to store", func(t *testing.T) {
		if _, err := deploy.Save(ctx, newFake(), &bpmn.Result{}, deploy.Options{}); !errors.Is(err, engine.ErrInvalid) {
			t.Fatalf("err %v", err)
		}
	})
}
