package sqlite

import (
	"context"
	"sync"
	"testing"

	"flowcraft/engine"
)

// BenchmarkCommitFastInstance writes what a fast instance of the order flow writes:
// one new, ended instance and its five runtimes in one asynchronous step. Each
// runtime carries its parameters (column task) as the engine hands them over: the
// trigger's, the gateway's and the scripts' are the definition's own (NULL in the
// column), the end's are rendered per runtime.
func BenchmarkCommitFastInstance(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, b.TempDir(), Options{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(ctx)
	p := &engine.Process{ID: "proc-bench", Name: "bench", StartTaskInstID: "task-0", EndTaskInstID: "task-4", Engine: engine.EngineFast,
		Enabled: true, Creator: "bench", Version: 1, TriggerApp: "webhook", TriggerToken: "tok", InputDataSchema: []byte(`{}`),
		OutputDataSchema: []byte(`{}`), Extension: []byte(`{}`), Metadata: []byte(`{}`)}
	if err := d.InsertProcess(ctx, p); err != nil {
		b.Fatal(err)
	}
	trigParams, gwParams := map[string]any{"respond": "onFinish"}, map[string]any{}
	code := "const amount = Number(trigger.amount || 0); return {approved: amount < 1000, total: amount * 1.1, user: trigger.user};"
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := range b.N {
		now := int64(1_700_000_000_000 + i)
		id := engine.ID(1_000_000 + i*10)
		trigger := map[string]any{"amount": 100.0, "user": "bench"}
		in := &engine.Instance{ID: id, ProcessID: p.ID, Version: 1, Name: "bench", Engine: engine.EngineFast, Status: engine.StatusDone,
			TriggerApp: "webhook", Trigger: trigger, Output: map[string]any{"ok": true}, StartAt: now, EndAt: now + 1, Cost: 1,
			CreateAt: now, UpdateAt: now}
		var nodes []*engine.NodeRun
		for k := range 5 {
			params := map[string]any{"code": code}
			switch k {
			case 0:
				params = trigParams
			case 2:
				params = gwParams
			case 4:
				params = map[string]any{"output": trigger}
			}
			nodes = append(nodes, &engine.NodeRun{ID: id + engine.ID(k+1), InstanceID: id, TaskID: "task-" + string(rune('0'+k)),
				Name: "t", Template: "script", Status: engine.StatusDone, Input: params, InputIsDefinition: k != 4, Incoming: trigger, Output: trigger,
				StartAt: now, EndAt: now, CreateAt: now, UpdateAt: now, Detail: &engine.NodeDetail{Exec: 1}})
		}
		wg.Add(1)
		if err := d.CommitStepAsync(ctx, &engine.Step{Instance: in, New: true, Nodes: nodes, DropJobs: true}, func(err error) {
			if err != nil {
				b.Error(err)
			}
			wg.Done()
		}); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
}
