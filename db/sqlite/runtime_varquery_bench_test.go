package sqlite

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

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
			var took []time.Duration
			total := 0
			for b.Loop() {
				t0 := time.Now()
				list, tot, err := d.ListInstances(b.Context(), f)
				took = append(took, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if tot > 0 && len(list) == 0 {
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
			b.ReportMetric(float64(total), "matches")
		})
	}
}
