package sqlite

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"flowcraft/engine"
)

// BenchmarkHistoryQuery measures the first page (10, newest first, with the total) of
// typed history queries over FLOWCRAFT_BENCH_INSTANCES (default 1,000,000) ended
// instances, each with the four variables of a leave request (seedVariableBench) and
// one completed human task; rows are inserted with SQL. Each sub-benchmark is one
// query (seed 003's historic case, task and variable instance queries as the store
// runs them); p50/p99/max of the iterations are reported (ms). FLOWCRAFT_BENCH_DIR
// keeps the seeded database for the next run:
//
//	FLOWCRAFT_BENCH_DIR=/tmp/histbench go test -run '^$' -bench BenchmarkHistoryQuery -benchtime 100x ./db/sqlite/
func BenchmarkHistoryQuery(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("FLOWCRAFT_BENCH_INSTANCES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("FLOWCRAFT_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	ctx := b.Context()
	d, err := Open(ctx, dir, Options{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(ctx)
	var have int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM workflow_inst`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != n {
		if have != 0 {
			b.Fatalf("%s holds %d instances, not %d", dir, have, n)
		}
		start := time.Now()
		seedHistoryBench(b, d, n)
		b.Logf("seeded %d ended instances in %s", n, time.Since(start).Round(time.Millisecond))
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	days3 := engine.VarCondition{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0}
	user42 := engine.VarCondition{Name: "applicant", Operation: engine.OpEquals, Value: "user-42"}
	approved := engine.VarCondition{Name: "approved", Operation: engine.OpEquals, Value: true}
	submitted := engine.VarCondition{Name: "submitted", Operation: engine.OpGreaterThanOrEquals, Value: "2024-06-01T00:00Z", Type: engine.VarDate}
	finished := func(conds ...engine.VarCondition) func(context.Context) (int, int, error) {
		return func(ctx context.Context) (int, int, error) {
			list, total, err := d.ListInstances(ctx, engine.InstanceFilter{Finished: true, Variables: conds, Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}
	}
	queries := []struct {
		name string
		run  func(context.Context) (int, int, error)
	}{
		{"case finished", finished()},
		{"case finished days>3", finished(days3)},
		{"case finished applicant=user-42", finished(user42)},
		{"case finished approved=true", finished(approved)},
		{"case finished submitted>=2024-06-01", finished(submitted)},
		{"case finished days>3 and applicant=user-42", finished(days3, user42)},
		{"case finished startedBy=user-42", func(ctx context.Context) (int, int, error) {
			list, total, err := d.ListInstances(ctx, engine.InstanceFilter{Finished: true, Executor: "user-42", Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}},
		{"case finishedAfter 2024-06-01", func(ctx context.Context) (int, int, error) {
			list, total, err := d.ListInstances(ctx, engine.InstanceFilter{Finished: true, EndedAfter: base + 152*86400000, Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}},
		{"task finished assignee=user-42", func(ctx context.Context) (int, int, error) {
			t := true
			list, total, err := d.TaskHistory(ctx, engine.TaskHistoryFilter{Finished: &t, Assignee: "user-42", Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}},
		{"task of one instance", func(ctx context.Context) (int, int, error) {
			list, total, err := d.TaskHistory(ctx, engine.TaskHistoryFilter{InstanceID: engine.ID(1_000_000 + n/2), Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}},
		{"variable applicant=user-42", func(ctx context.Context) (int, int, error) {
			list, total, err := d.VariableHistory(ctx, engine.VariableHistoryFilter{Variables: []engine.VarCondition{user42}, Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}},
		{"variable of one instance", func(ctx context.Context) (int, int, error) {
			list, total, err := d.VariableHistory(ctx, engine.VariableHistoryFilter{InstanceID: engine.ID(1_000_000 + n/2), Page: engine.Page{Limit: 10}})
			return len(list), total, err
		}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			measureFirstPage(b, q.run)
		})
	}
}

// seedHistoryBench is seedVariableBench with every instance ended (done, ended a
// minute after it started, started by one of 10,000 people) and one completed human
// task each (its runtime too), assigned to the instance's starter.
func seedHistoryBench(b *testing.B, d *Store, n int) {
	seedVariableBench(b, d, n)
	series := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ` + strconv.Itoa(n) + `) `
	for _, q := range []string{
		`UPDATE workflow_inst SET status = 'done', end_at_ms = start_at_ms + 60000, executor = 'user-' || ((uid * 31) % 10000)`,
		series + `INSERT INTO node_inst (id, uid, workflow_uid, node_id, template, status, create_at, update_at)
			SELECT 3000000 + i, 3000000 + i, 1000000 + i, 'approve', 'approval', 'done', i, i FROM s`,
		series + `INSERT INTO task_inst (id, node_inst_uid, workflow_inst_uid, workflow_id, task_id, name, assignee, "user", status, create_at, end_at)
			SELECT 5000000 + i, 3000000 + i, 1000000 + i, 'proc-benchvar', 'approve', 'Approve', 'user-' || (((1000000 + i) * 31) % 10000),
			'user-' || (((1000000 + i) * 31) % 10000), 'done', i, i + 60000 FROM s`,
	} {
		if _, err := d.write.ExecContext(b.Context(), q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
}
