package sqlite

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"flowcraft/engine"
)

// BenchmarkVariableQuery measures the first page (10 instances, newest first, with
// the total) of instance lists by typed variable conditions over a store of
// FLOWCRAFT_BENCH_INSTANCES instances (default 1,000,000), each with the variables of
// a leave request: days (integer 1..30), applicant (string, 10,000 people),
// approved (boolean), submitted (date). Rows are inserted with SQL directly. Each
// sub-benchmark is one query; every iteration is one ListInstances call, and the
// p50/p99/max of the iterations are reported (ms). FLOWCRAFT_BENCH_DIR keeps the
// seeded database there for the next run. Run with a fixed count:
//
//	go test -run '^$' -bench BenchmarkVariableQuery -benchtime 300x ./db/sqlite/
func BenchmarkVariableQuery(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("FLOWCRAFT_BENCH_INSTANCES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("FLOWCRAFT_BENCH_DIR") // keeps the seeded database for the next run
	if dir == "" {
		dir = b.TempDir()
	}
	d, err := Open(b.Context(), dir, Options{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(b.Context())
	var have int
	if err := d.read.QueryRowContext(b.Context(), `SELECT COUNT(*) FROM workflow_inst`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != n {
		if have != 0 {
			b.Fatalf("%s holds %d instances, not %d", dir, have, n)
		}
		start := time.Now()
		seedVariableBench(b, d, n)
		b.Logf("seeded %d instances with 4 variables each in %s", n, time.Since(start).Round(time.Millisecond))
	}

	queries := []struct {
		name  string
		conds []engine.VarCondition
	}{
		{"days>3", []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0}}},
		{"days=7", []engine.VarCondition{{Name: "days", Operation: engine.OpEquals, Value: 7.0}}},
		{"days<=1", []engine.VarCondition{{Name: "days", Operation: engine.OpLessThanOrEquals, Value: 1.0}}},
		{"applicant=user-42", []engine.VarCondition{{Name: "applicant", Operation: engine.OpEquals, Value: "user-42"}}},
		{"applicant~USER-42", []engine.VarCondition{{Name: "applicant", Operation: engine.OpEqualsIgnoreCase, Value: "USER-42"}}},
		{"applicant like user-12%", []engine.VarCondition{{Name: "applicant", Operation: engine.OpLike, Value: "user-12%"}}},
		{"applicant like %-4242", []engine.VarCondition{{Name: "applicant", Operation: engine.OpLike, Value: "%-4242"}}},
		{"approved=true", []engine.VarCondition{{Name: "approved", Operation: engine.OpEquals, Value: true}}},
		{"submitted>=2024-06-01", []engine.VarCondition{{Name: "submitted", Operation: engine.OpGreaterThanOrEquals, Value: "2024-06-01T00:00Z", Type: engine.VarDate}}},
		{"days>3 and applicant=user-42", []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0},
			{Name: "applicant", Operation: engine.OpEquals, Value: "user-42"}}},
		{"days>20 and approved=true", []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 20.0},
			{Name: "approved", Operation: engine.OpEquals, Value: true}}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			f := engine.InstanceFilter{Variables: q.conds, Page: engine.Page{Limit: 10}}
			measureFirstPage(b, func(ctx context.Context) (int, int, error) {
				list, total, err := d.ListInstances(ctx, f)
				return len(list), total, err
			})
		})
	}
}

// measureFirstPage runs page (a first page: its length and the total) b.N times and
// reports p50, p99 and max latency in ms and the total as matches.
func measureFirstPage(b *testing.B, page func(context.Context) (int, int, error)) {
	var took []time.Duration
	total := 0
	for b.Loop() {
		t0 := time.Now()
		got, tot, err := page(b.Context())
		took = append(took, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if tot > 0 && got == 0 {
			b.Fatalf("total %d but an empty page", tot)
		}
		total = tot
	}
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(total), "matches")
}

// seedVariableBench inserts n instances of one process with their variables, in SQL.
func seedVariableBench(b *testing.B, d *Store, n int) {
	ctx := b.Context()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	series := fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) `, n)
	for _, q := range []string{
		`INSERT INTO workflow (id, proc_id, name, create_at, update_at) VALUES (1, 'proc-benchvar', 'leave', 0, 0)`,
		series + `INSERT INTO workflow_inst (id, uid, workflow_id, name, status, create_at, update_at, workflow_version, start_at_ms)
			SELECT 1000000 + i, 1000000 + i, 1, 'leave', CASE i % 10 WHEN 0 THEN 'running' ELSE 'done' END, i, i, 1, ` +
			strconv.FormatInt(base, 10) + ` + i * 20000 FROM s`,
		// days: 1..30, scattered over the ids.
		series + `INSERT INTO variable (workflow_inst_uid, name, value, update_at, type, num)
			SELECT 1000000 + i, 'days', (i * 7919) % 30 + 1, 0, 'integer', (i * 7919) % 30 + 1 FROM s`,
		series + `INSERT INTO variable (workflow_inst_uid, name, value, update_at, type, text)
			SELECT 1000000 + i, 'applicant', json_quote('user-' || ((i * 31) % 10000)), 0, 'string', 'user-' || ((i * 31) % 10000) FROM s`,
		series + `INSERT INTO variable (workflow_inst_uid, name, value, update_at, type, num)
			SELECT 1000000 + i, 'approved', CASE WHEN i % 3 = 0 THEN 'true' ELSE 'false' END, 0, 'boolean', i % 3 = 0 FROM s`,
		series + `INSERT INTO variable (workflow_inst_uid, name, value, update_at, type, num)
			SELECT 1000000 + i, 'submitted', json_quote(strftime('%Y-%m-%dT%H:%M:%S.000Z', (` + strconv.FormatInt(base, 10) +
			` + i * 20000) / 1000, 'unixepoch')), 0, 'date', ` + strconv.FormatInt(base, 10) + ` + i * 20000 FROM s`,
	} {
		if _, err := d.write.ExecContext(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
}

// BenchmarkCommitVariables writes a new instance with the four variables of a leave
// request (integer, string, boolean, date) per step, as a fast instance's single
// write does; "no-stats" drops the triggers that keep variable_num_stat and
// variable_text_stat, to show what they cost.
func BenchmarkCommitVariables(b *testing.B) {
	for _, stats := range []bool{true, false} {
		name := "stats"
		if !stats {
			name = "no-stats"
		}
		b.Run(name, func(b *testing.B) {
			ctx := b.Context()
			d, err := Open(ctx, b.TempDir(), Options{}, discard())
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close(ctx)
			if !stats {
				for _, t := range []string{"variable_stat_insert", "variable_stat_update", "variable_stat_delete"} {
					if _, err := d.write.ExecContext(ctx, `DROP TRIGGER `+t); err != nil {
						b.Fatal(err)
					}
				}
			}
			p := &engine.Process{ID: "proc-bench", Name: "bench", StartTaskInstID: "task-0", EndTaskInstID: "task-1", Engine: engine.EngineFast,
				Enabled: true, Creator: "bench", Version: 1, TriggerApp: "manual", InputDataSchema: []byte(`{}`),
				OutputDataSchema: []byte(`{}`), Extension: []byte(`{}`), Metadata: []byte(`{}`)}
			if err := d.InsertProcess(ctx, p); err != nil {
				b.Fatal(err)
			}
			day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			var wg sync.WaitGroup
			i := 0
			for b.Loop() {
				i++
				now := int64(1_700_000_000_000 + i)
				id := engine.ID(1_000_000 + i*10)
				in := &engine.Instance{ID: id, ProcessID: p.ID, Version: 1, Name: "bench", Engine: engine.EngineFast, Status: engine.StatusDone,
					TriggerApp: "manual", StartAt: now, EndAt: now + 1, Cost: 1, CreateAt: now, UpdateAt: now}
				vars := map[string]*engine.Variable{
					"days":      {Name: "days", Type: engine.VarInteger, Value: int64(i%30 + 1)},
					"applicant": {Name: "applicant", Type: engine.VarString, Value: fmt.Sprintf("user-%d", i%10000)},
					"approved":  {Name: "approved", Type: engine.VarBoolean, Value: i%3 == 0},
					"submitted": {Name: "submitted", Type: engine.VarDate, Value: day.Add(time.Duration(i) * 20 * time.Second)},
				}
				wg.Add(1)
				if err := d.CommitStepAsync(ctx, &engine.Step{Instance: in, New: true, Vars: vars}, func(err error) {
					if err != nil {
						b.Error(err)
					}
					wg.Done()
				}); err != nil {
					b.Fatal(err)
				}
			}
			wg.Wait()
		})
	}
}
