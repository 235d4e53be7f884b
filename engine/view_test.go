package engine_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestExecutorDefaultsToCreator: a start without a user (webhook, schedule) runs as
// the definition's creator (seed 000: executor 默认是工作流创建人), in the answer of
// the start, the view, and the stored row alike; on both engines. A start by a user
// keeps that user.
func TestExecutorDefaultsToCreator(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ro, err := sql.Open("sqlite", "file:"+filepath.Join(h.dir, "flowcraft.db")+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for _, eng := range []string{engine.EngineStandard, engine.EngineFast} {
		t.Run(eng, func(t *testing.T) {
			var p engine.Process
			if err := json.Unmarshal([]byte(readExample(t, "order-webhook-fast.json")), &p); err != nil {
				t.Fatal(err)
			}
			p.Engine = eng
			def, err := h.defs.Create(ctx, &p, "carol")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ by, app, want string }{
				{"", "webhook", "carol"},
				{"", "cron-timer", "carol"},
				{"dora", "manual", "dora"},
			} {
				res, err := h.rt.StartInstance(ctx, def.ID, map[string]any{"amount": 10}, engine.StartOptions{By: c.by, TriggerApp: c.app, Wait: 20 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Ended {
					t.Fatalf("%s start did not end: %s", c.app, res.Instance.Status)
				}
				if res.Instance.Executor != c.want {
					t.Errorf("%s start answered executor %q, want %q", c.app, res.Instance.Executor, c.want)
				}
				if v := h.describe(res.Instance.ID); v.Executor != c.want {
					t.Errorf("%s start: view executor %q, want %q", c.app, v.Executor, c.want)
				}
				if err := h.rt.Flush(ctx); err != nil { // fast instances are written after they end
					t.Fatal(err)
				}
				stored, err := h.store.GetInstance(ctx, res.Instance.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored.Executor != c.want {
					t.Errorf("%s start: stored executor %q, want %q", c.app, stored.Executor, c.want)
				}
				var col string
				if err := ro.QueryRowContext(ctx, `SELECT executor FROM workflow_inst WHERE uid = ?`, int64(res.Instance.ID)).Scan(&col); err != nil {
					t.Fatal(err)
				}
				if col != c.want {
					t.Errorf("%s start: workflow_inst.executor %q, want %q", c.app, col, c.want)
				}
			}
		})
	}
}

// TestDescribeCarriesTheDefinition: the instance view has proc_id and the fields of
// the definition version it runs, and each task is the whole task of that version plus
// its status and runtimes (seed 000, GET /api/processInst/{inst_id}).
func TestDescribeCarriesTheDefinition(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(`{"name": "Unknown", "description": "seed shape", "timeout": 60000,
		"inputDataSchema": {"type": "object"}, "outputDataSchema": {"type": "object", "title": "out"},
		"extension": {"ext": 1}, "metadata": {"meta": "m"},
		"tasks": [
		{"instId": "task-start001", "name": "开始", "template": "manual", "positions": [10, 20], "connections": [{"to": "task-3udfizra"}]},
		{"instId": "task-3udfizra", "name": "脚本任务执行", "description": "执行脚本任务", "template": "script", "positions": [200, 20],
		 "timeout": 5000, "errorHandler": {"retry": 1, "interval": 10}, "connections": [{"to": "task-end00001", "label": "next"}],
		 "parameters": {"code": {"value": "return 'ok'"}}},
		{"instId": "task-end00001", "template": "end", "parameters": {"output": {"value": "{{ input }}"}}}]}`)
	v := h.run(pid, map[string]any{"param1": "hello world"})
	def, err := h.defs.Get(context.Background(), pid)
	if err != nil {
		t.Fatal(err)
	}
	if v.ProcID != pid || v.Description != "seed shape" || v.Timeout != 60000 || v.Creator != "tester" ||
		v.StartTaskInstID != "task-start001" || v.EndTaskInstID != "task-end00001" {
		t.Errorf("definition fields: %+v", v)
	}
	for name, pair := range map[string][2]json.RawMessage{"inputDataSchema": {v.InputDataSchema, def.InputDataSchema},
		"outputDataSchema": {v.OutputDataSchema, def.OutputDataSchema}, "extension": {v.Extension, def.Extension}, "metadata": {v.Metadata, def.Metadata}} {
		if string(pair[0]) != string(pair[1]) || len(pair[0]) == 0 {
			t.Errorf("%s: %s, definition %s", name, pair[0], pair[1])
		}
	}
	tv := task(v, "task-3udfizra")
	if tv == nil || tv.Description != "执行脚本任务" || tv.Timeout != 5000 || tv.ErrorHandler.Retry != 1 || len(tv.Positions) != 2 ||
		len(tv.Connections) != 1 || tv.Connections[0].Label != "next" || tv.Parameters["code"] == nil || tv.Parameters["code"].Value != "return 'ok'" {
		t.Fatalf("task view: %+v", tv)
	}
	if tv.Status != engine.StatusDone || len(tv.Runtimes) != 1 || tv.Runtimes[0].Output != "ok" {
		t.Errorf("task status %q runtimes %+v", tv.Status, tv.Runtimes)
	}
	// The view's tasks are copies: changing one leaves the cached definition alone.
	tv.Name = "changed"
	if again := task(h.describe(v.ID), "task-3udfizra"); again.Name != "脚本任务执行" {
		t.Errorf("the view shares the cached definition's task: %q", again.Name)
	}

	var m map[string]any
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "proc_id", "processId", "name", "description", "startTaskInstId", "endTaskInstId", "engine", "status",
		"creator", "executor", "timeout", "inputDataSchema", "outputDataSchema", "error", "extension", "metadata", "tasks",
		"output", "trigger", "startAt", "endAt", "cost", "parentId", "version"} {
		if _, ok := m[k]; !ok {
			t.Errorf("the view has no %q: %s", k, b)
		}
	}
	for _, k := range []string{"triggerToken", "enabled"} {
		if _, ok := m[k]; ok {
			t.Errorf("the view has %q (the process's current state, not the version's)", k)
		}
	}
	if m["id"] != v.ID.String() || m["status"] != engine.StatusDone {
		t.Errorf("id %v status %v: the instance's values must win", m["id"], m["status"])
	}
}
