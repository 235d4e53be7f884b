package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"flowcraft/engine"
)

// BenchmarkTaskList1M: the first page (10 tasks, with the total) of seed 003's task
// queries among 1,000,000 task rows (5% open; seedInbox). Reports p50 and p99.
// Command: go test -run X -bench TaskList1M -benchtime 20x ./db/sqlite/
func BenchmarkTaskList1M(b *testing.B) {
	d, err := Open(context.Background(), b.TempDir(), Options{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(context.Background())
	seedInbox(b, d, 1_000_000)
	ctx := context.Background()
	page := engine.Page{Limit: 10}
	five := 5
	for _, c := range []struct {
		name string
		f    engine.TaskFilter
	}{
		{"admin-all", engine.TaskFilter{Page: page}},
		{"admin-all-desc", engine.TaskFilter{Page: engine.Page{Limit: 10, Desc: true}}},
		{"candidateUser", engine.TaskFilter{CandidateUser: "u7", CandidateUserGroups: []string{"g40", "g7"}, Page: page}},
		{"user-visible", engine.TaskFilter{VisibleTo: "u40", VisibleGroups: []string{"g40"}, Page: page}},
		{"assignee", engine.TaskFilter{Assignee: "u60", Page: page}},
		{"caseInstanceId", engine.TaskFilter{InstanceID: 41, Page: page}},
		{"priority-sorted", engine.TaskFilter{MaxPriority: &five, Page: engine.Page{Limit: 10, Sort: "priority"}}},
		{"nameLike", engine.TaskFilter{NameLike: "prov", Page: page}},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			var got, total int
			for b.Loop() {
				t0 := time.Now()
				list, n, err := d.ListHumanTasks(ctx, c.f)
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
