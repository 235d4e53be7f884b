package sqlite

import (
	"database/sql"
	"strings"
	"testing"
)

// TestStatusQueriesUseTheirIndexes: the queries written with unfinishedCond and
// endedCond name the expressions of the partial indexes of migration 0018, so SQLite
// uses those indexes (a query whose condition differs from an index's WHERE, an IN
// list for instance, would not); unfinishedCond alone takes the status index.
func TestStatusQueriesUseTheirIndexes(t *testing.T) {
	d := openTest(t)
	for _, c := range []struct {
		name, query, index string
		args               []any
	}{
		{"unfinished count", `SELECT COUNT(*) FROM workflow_inst WHERE ` + unfinishedCond, "USING COVERING INDEX workflow_inst_status", nil},
		{"unfinished page", `SELECT uid FROM workflow_inst WHERE ` + unfinishedCond + ` ORDER BY uid DESC LIMIT 10`, "INDEX workflow_inst_status (status=?)", nil},
		{"a definition's unfinished instances", countUnfinishedOfProcess, "workflow_inst_trigger_unfinished", []any{"p"}},
		{"a cron-timer's unfinished instance", unfinishedCronExists, "workflow_inst_trigger_unfinished", []any{"p"}},
		{"the retention batch", endedBatch, "workflow_inst_ended", []any{"p", 1, 10}},
		{"the retention batch, aliased", `SELECT i.uid FROM workflow_inst i WHERE i.workflow_id = 1 AND ` + ofTable(endedCond, "i") +
			` ORDER BY i.end_at_ms`, "workflow_inst_ended", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if plan := queryPlan(t, d.read, c.query, c.args...); !strings.Contains(plan, c.index) {
				t.Errorf("the plan does not use %s:\n%s", c.index, plan)
			}
		})
	}
}

// TestStatusIndexesHoldTheirRows: the partial indexes hold exactly the instances of
// their statuses, and follow a status change.
func TestStatusIndexesHoldTheirRows(t *testing.T) {
	d := openTest(t)
	ctx := t.Context()
	statuses := []string{"pending", "running", "waiting", "suspended", "done", "failed", "canceled", "timeout", "skipped"}
	if _, err := d.write.ExecContext(ctx, `INSERT INTO workflow (id, proc_id, name, create_at, update_at) VALUES (1, 'p', 'P', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	for i, s := range statuses {
		if _, err := d.write.ExecContext(ctx, `INSERT INTO workflow_inst (id, uid, workflow_id, workflow_version, status, end_at_ms, create_at, update_at)
			VALUES (?, ?, 1, 1, ?, ?, 0, 0)`, 100+i, 100+i, s, i); err != nil {
			t.Fatal(err)
		}
	}
	count := func(index, cond string) int {
		t.Helper()
		var n int
		if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM workflow_inst INDEXED BY `+index+` WHERE `+cond).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	check := func(unfinished, ended int) {
		t.Helper()
		if n := count("workflow_inst_status", unfinishedCond); n != unfinished {
			t.Errorf("unfinished by workflow_inst_status: %d rows, want %d", n, unfinished)
		}
		if n := count("workflow_inst_trigger_unfinished", "workflow_id = 1 AND "+unfinishedCond); n != unfinished {
			t.Errorf("workflow_inst_trigger_unfinished: %d rows, want %d", n, unfinished)
		}
		if n := count("workflow_inst_ended", "workflow_id = 1 AND "+endedCond); n != ended {
			t.Errorf("workflow_inst_ended: %d rows, want %d", n, ended)
		}
	}
	check(4, 4) // skipped is neither: no instance ends skipped
	if _, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET status = 'done' WHERE status = 'running'`); err != nil {
		t.Fatal(err)
	}
	check(3, 5)
	if _, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET status = 'running' WHERE status = 'failed'`); err != nil {
		t.Fatal(err)
	}
	check(4, 4)
}

// queryPlan is SQLite's EXPLAIN QUERY PLAN of q, one step a line.
func queryPlan(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
