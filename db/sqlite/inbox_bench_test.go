package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"flowcraft/engine"
)

// seedInbox fills a database with `total` human tasks: 5% open, spread over 10,000
// users and 500 groups; each open task has one candidate user and one candidate group.
func seedInbox(b *testing.B, d *Store, total int) {
	ctx := context.Background()
	now := time.Now().UnixMilli()
	stmts := []string{
		`INSERT INTO workflow (id, proc_id, name, create_at, update_at) VALUES (1, 'proc-bench001', 'bench', 0, 0)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 1000)
		 INSERT INTO workflow_inst (id, uid, workflow_id, workflow_version, status, create_at, update_at) SELECT i, i, 1, 1, 'waiting', 0, 0 FROM n`,
		`INSERT INTO node_inst (id, uid, workflow_uid, node_id, template, status, create_at, update_at)
		 SELECT uid, uid, uid, 'task-ap', 'approval', 'waiting', 0, 0 FROM workflow_inst`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?)
		 INSERT INTO task_inst (id, node_inst_uid, workflow_inst_uid, workflow_id, process_name, task_id, name, content, outcomes,
		   assignee, "user", status, priority, create_at, end_at)
		 SELECT i, (i % 1000) + 1, (i % 1000) + 1, 'proc-bench001', 'bench', 'task-ap', 'Approve', 'please approve #' || i, '["approve","reject"]',
		   CASE WHEN i % 20 = 0 AND i % 3 = 0 THEN 'u' || (i % 10000) ELSE '' END,
		   CASE WHEN i % 20 = 0 THEN '' ELSE 'u' || (i % 10000) END,
		   CASE WHEN i % 20 = 0 THEN 'open' ELSE 'done' END,
		   i % 100, ? - i * 1000, CASE WHEN i % 20 = 0 THEN 0 ELSE ? - i * 900 END FROM n`,
		`INSERT INTO identity_link (task_inst_id, kind, user_id, group_id)
		 SELECT id, 'candidate', 'u' || ((id * 7) % 10000), '' FROM task_inst WHERE status = 'open' AND assignee = ''`,
		`INSERT INTO identity_link (task_inst_id, kind, user_id, group_id)
		 SELECT id, 'candidate', '', 'g' || (id % 500) FROM task_inst WHERE status = 'open' AND assignee = ''`,
		`ANALYZE`,
	}
	for i, q := range stmts {
		var err error
		switch i {
		case 3:
			_, err = d.write.ExecContext(ctx, q, total, now, now)
		default:
			_, err = d.write.ExecContext(ctx, q)
		}
		if err != nil {
			b.Fatalf("seed step %d: %v", i, err)
		}
	}
}

// BenchmarkInbox1M: the first inbox page of one user among 1,000,000 task rows.
// Reports the p50 and p99 latency of the page query (count + rows).
func BenchmarkInbox1M(b *testing.B) {
	d, err := Open(context.Background(), b.TempDir(), Options{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(context.Background())
	seedInbox(b, d, 1_000_000)
	ctx := context.Background()
	filters := []engine.InboxFilter{
		{User: "u40", Groups: []string{"g40", "g7"}, Status: engine.TaskOpen, Page: engine.Page{Limit: 20, Sort: "createAt", Desc: true}},
		{User: "u42", Status: engine.TaskDone, Page: engine.Page{Limit: 20}},
	}
	for _, f := range filters {
		b.Run(f.Status, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			var got, total int
			for b.Loop() {
				t0 := time.Now()
				list, n, err := d.Inbox(ctx, f)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				got, total = len(list), n
			}
			if got == 0 {
				b.Fatalf("empty page (total %d)", total)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(total), "tasks")
		})
	}
}
