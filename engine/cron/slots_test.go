package cron

import (
	"testing"
	"time"

	robfig "github.com/robfig/cron/v3"

	"flowcraft/engine"
)

// countingSchedule counts the calls to Next of the schedule it wraps.
type countingSchedule struct {
	robfig.Schedule
	calls int
}

func (c *countingSchedule) Next(t time.Time) time.Time {
	c.calls++
	return c.Schedule.Next(t)
}

// TestLastSlot: the latest slot before now, found cheaply even after long downtime.
func TestLastSlot(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		expr, tz    string
		after, now  string
		want, first string
	}{
		{"* * * * *", "", "2025-03-10T10:00:00Z", "2025-03-10T10:01:00Z", "2025-03-10T10:01:00Z", "2025-03-10T10:01:00Z"},
		{"* * * * *", "", "2025-03-10T10:00:00Z", "2025-03-10T11:00:30Z", "2025-03-10T11:00:00Z", "2025-03-10T10:01:00Z"},
		{"* * * * * *", "", "2025-01-01T00:00:00Z", "2025-06-01T12:00:00.5Z", "2025-06-01T12:00:00Z", "2025-01-01T00:00:01Z"},
		{"0 2 * * *", "Asia/Shanghai", "2025-03-01T00:00:00Z", "2025-03-10T00:00:00Z", "2025-03-09T18:00:00Z", "2025-03-01T18:00:00Z"},
		{"0 0 1 1 *", "", "2020-01-01T00:00:00Z", "2025-03-10T00:00:00Z", "2025-01-01T00:00:00Z", "2021-01-01T00:00:00Z"},
		{"@every 7s", "", "2025-03-10T10:00:00Z", "2025-03-10T10:01:00Z", "2025-03-10T10:00:56Z", "2025-03-10T10:00:07Z"},
		{"@every 7s", "", "2025-03-10T10:00:00Z", "2025-03-10T10:00:07Z", "2025-03-10T10:00:07Z", ""},
	} {
		t.Run(tc.expr+" "+tc.now, func(t *testing.T) {
			p := &engine.Process{ID: "p", TriggerApp: "cron-timer", StartTaskInstID: "c", Tasks: []*engine.Task{{InstID: "c", Template: "cron-timer",
				Parameters: map[string]*engine.Parameter{"cron": {Value: tc.expr}, "timezone": {Value: tc.tz}}}}}
			e, err := newEntry(p)
			if err != nil {
				t.Fatal(err)
			}
			e.advance(at(tc.after))
			if tc.first != "" && !e.next.Equal(at(tc.first)) {
				t.Errorf("next %v, want %s", e.next, tc.first)
			}
			// Cheap means few steps through the schedule, not a short wall-clock time
			// (which a loaded machine cannot promise): count the Next calls.
			counted := &countingSchedule{Schedule: e.sched}
			if _, every := e.sched.(robfig.ConstantDelaySchedule); !every {
				e.sched = counted
			}
			if got := lastSlot(e, e.cursor, at(tc.now)); !got.Equal(at(tc.want)) {
				t.Errorf("last slot %v, want %s", got.UTC(), tc.want)
			}
			if counted.calls > 1000 {
				t.Errorf("took %d steps through the schedule", counted.calls)
			}
		})
	}
}
