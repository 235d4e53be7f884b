package sqlite

import (
	"context"
	"os"
	"strconv"
	"testing"

	"flowcraft/engine"
)

// BenchmarkUnfinishedVariableQuery measures seed 003's runtime case instance query
// (POST query/case-instances): variable conditions among the instances that have
// not ended (InstanceFilter.Unfinished), first page of 10 with its total, over the
// instances BenchmarkVariableQuery seeds (FLOWCRAFT_BENCH_INSTANCES, default
// 1,000,000, 10% running; FLOWCRAFT_BENCH_DIR keeps the database for both).
func BenchmarkUnfinishedVariableQuery(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("FLOWCRAFT_BENCH_INSTANCES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("FLOWCRAFT_BENCH_DIR")
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
		seedVariableBench(b, d, n)
	}
	for _, q := range []struct {
		name  string
		conds []engine.VarCondition
	}{
		{"days>3", []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0}}},
		{"applicant=user-42", []engine.VarCondition{{Name: "applicant", Operation: engine.OpEquals, Value: "user-42"}}},
		{"days>3 and approved=true", []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0},
			{Name: "approved", Operation: engine.OpEquals, Value: true}}},
	} {
		b.Run(q.name, func(b *testing.B) {
			f := engine.InstanceFilter{Unfinished: true, Variables: q.conds, Page: engine.Page{Limit: 10, Sort: "id"}}
			measureFirstPage(b, func(ctx context.Context) (int, int, error) {
				list, total, err := d.ListInstances(ctx, f)
				return len(list), total, err
			})
		})
	}
}
