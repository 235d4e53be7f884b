package sqlite

import (
	"context"
	"testing"
)

// BenchmarkInstanceStatusWrite measures the store's updateInst statement changing the
// status of one of 20,000 unfinished instances (running ↔ waiting, as a step that
// starts or ends a wait does), each in its own transaction: the cost of the row and
// of every index and trigger on workflow_inst's status.
func BenchmarkInstanceStatusWrite(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, b.TempDir(), Options{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(ctx)
	for _, q := range []string{
		`INSERT INTO workflow (id, proc_id, name, create_at, update_at) VALUES (1, 'p', 'P', 0, 0)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000)
		 INSERT INTO workflow_inst (id, uid, workflow_id, workflow_version, status, create_at, update_at, trigger_data, workflow_output, detail, rev)
		 SELECT i, i, 1, 1, 'running', 0, 0, '{"amount": 12, "who": "ann"}', '{"ok": true}', '{}', 0 FROM n`,
	} {
		if _, err := d.write.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	st, err := d.write.PrepareContext(ctx, instanceSQL["updateInst"])
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ResetTimer()
	for i := range b.N {
		status := "waiting"
		if (i/20000)%2 == 1 {
			status = "running"
		}
		res, err := st.ExecContext(ctx, status, `{"ok": true}`, "", 0, nil, 5, 7, "{}", 1+i%20000, i/20000)
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			b.Fatalf("write %d changed %d rows", i, n)
		}
	}
}
