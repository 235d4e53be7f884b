package bpmn

import (
	"strings"
	"testing"
	"time"

	"flowcraft/engine/templates"
)

func TestDurationMillis(t *testing.T) {
	const (
		s   = int64(1000)
		min = 60 * s
		h   = 60 * min
		d   = 24 * h
	)
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"P10D", 10 * d}, // Camunda 7's timeDuration example
		{"PT5M", 5 * min},
		{"PT10H", 10 * h},
		{"P1DT2H", d + 2*h},
		{"PT1H30M", h + 30*min},
		{"PT1.5S", 1500},
		{"PT0,25S", 250},
		{"PT0.001S", 1},
		{"PT90S", 90 * s},
		{"P2W", 14 * d},
		{"P1W2D", 9 * d},
		{"P1Y", 365 * d},
		{"P1M", 30 * d},
		{"P1Y2M3DT4H5M6S", 365*d + 60*d + 3*d + 4*h + 5*min + 6*s},
		{"PT0S", 0},
		{" pt15m ", 15 * min},
		{"P0.5D", 12 * h},
	} {
		got, err := durationMillis(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("durationMillis(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "P", "PT", "5M", "-PT5M", "PT5", "P5H", "PT5D", "PT5M3H", "P1D1D", "PT1M2M",
		"P1.2.3D", "PTM", "P1DT", "P99999999999999999999Y", "PT5MX", "P1 D", strings.Repeat("P1D", 30)} {
		if got, err := durationMillis(in); err == nil {
			t.Errorf("durationMillis(%q) = %d, want an error", in, got)
		}
	}
}

func TestTimerParams(t *testing.T) {
	for _, tc := range []struct {
		kind, in string
		want     map[string]any
		note     string
	}{
		{"timeDuration", "P10D", map[string]any{"duration": "10d"}, ""},
		{"timeDuration", "PT5M", map[string]any{"duration": "5m"}, ""},
		{"timeDuration", "P1DT2H30M", map[string]any{"duration": "1d2h30m"}, ""},
		{"timeDuration", "PT1.5S", map[string]any{"duration": "1s500ms"}, ""},
		{"timeDuration", "PT0S", map[string]any{"duration": "0s"}, ""},
		{"timeDuration", "P1M", map[string]any{"duration": "30d"}, "30 days"},
		{"timeDate", "2011-03-11T12:13:14Z", map[string]any{"until": "2011-03-11T12:13:14Z"}, ""},
		{"timeDate", "2026-03-11T12:13:14+01:00", map[string]any{"until": "2026-03-11T12:13:14+01:00"}, ""},
		{"timeDate", "2026-03-11T12:13:14.250+0100", map[string]any{"until": "2026-03-11T12:13:14.25+01:00"}, ""},
		{"timeDate", "2026-03-11T12:13:14", map[string]any{"until": "2026-03-11T12:13:14"}, "taken as UTC"},
		{"timeDate", "2026-03-11", map[string]any{"until": "2026-03-11T00:00:00"}, "taken as UTC"},
		{"timeDate", "${dueDate}", map[string]any{"until": "{{ vars.dueDate }}"}, ""},
		{"timeDate", "= dueDate", map[string]any{"until": "{{ vars.dueDate }}"}, ""},
	} {
		got, note, err := timerParamsNote(testJS, tc.kind, tc.in)
		if err != nil {
			t.Errorf("timerParams(%q, %q): %v", tc.kind, tc.in, err)
			continue
		}
		if mustJSON(got) != mustJSON(tc.want) || (tc.note == "") != (note == "") || !strings.Contains(note, tc.note) {
			t.Errorf("timerParams(%q, %q) = %v, %q; want %v, %q", tc.kind, tc.in, got, note, tc.want, tc.note)
		}
		// What the delay template gets must pass its own check.
		if probs := (templates.Delay{}).Check(got); len(probs) > 0 {
			t.Errorf("timerParams(%q, %q) = %v: delay refuses it: %v", tc.kind, tc.in, got, probs)
		}
		if dur, ok := got["duration"].(string); ok {
			want, _ := durationMillis(tc.in)
			if d, err := templates.ParseDuration(dur); err != nil || d != time.Duration(want)*time.Millisecond {
				t.Errorf("duration %q parses as %v, %v; want %dms", dur, d, err, want)
			}
		}
		if until, ok := got["until"].(string); ok && !strings.HasPrefix(until, "{{") {
			if _, err := templates.ParseTime(until, nil); err != nil {
				t.Errorf("until %q: %v", until, err)
			}
		}
	}
	for _, tc := range []struct{ kind, in, want string }{
		{"timeDuration", "", "empty"},
		{"timeDuration", "5 minutes", "ISO-8601 duration"},
		{"timeDate", "tomorrow", "ISO-8601 date-time"},
		{"timeDate", "${myBean.due()}", "Java bean"},
		{"timeCycle", "R/PT1H", "only supported on a start event"},
		{"timeSomething", "PT1H", "unknown timer"},
	} {
		if got, err := timerParams(testJS, tc.kind, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("timerParams(%q, %q) = %v, %v; want an error with %q", tc.kind, tc.in, got, err, tc.want)
		}
	}
}

// TestTimerDurationExpression: a duration expression yields milliseconds at run time,
// from an ISO-8601 string (what Camunda's expressions return) or a number.
func TestTimerDurationExpression(t *testing.T) {
	p, err := timerParams(testJS, "timeDuration", "${wait}")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := p["duration"].(string)
	if probs := testJS.CheckTemplate(tmpl); len(probs) > 0 {
		t.Fatalf("%s: %v", tmpl, probs)
	}
	js := strings.TrimSuffix(strings.TrimPrefix(tmpl, "{{ "), " }}")
	for _, tc := range []struct {
		wait any
		want any
	}{
		{"PT5M", 300000.0}, {"P1DT1H", 90000000.0}, {"PT1,5S", 1500.0}, {"P2W", 1209600000.0},
		{2500.0, 2500.0}, {"90s", "90s"}, {"Pfoo", "Pfoo"},
	} {
		got := evalJS(t, js, map[string]any{"wait": tc.wait})
		if mustJSON(got) != mustJSON(tc.want) {
			t.Errorf("wait=%v: %v, want %v", tc.wait, got, tc.want)
		}
	}
}

func TestCronFromTimeCycle(t *testing.T) {
	for _, tc := range []struct{ in, want, note string }{
		// ISO-8601 repeating intervals
		{"R3/PT10H", "@every 10h0m0s", "repeat count 3"}, // Camunda 7's example
		{"R/PT1H", "@every 1h0m0s", ""},
		{"R/P1D", "@every 24h0m0s", ""},
		{"R5/PT10M", "@every 10m0s", "repeat count 5"},
		{"R5/PT10S", "@every 10s", "repeat count 5"}, // Camunda 8's example
		{"R-1/PT1H", "@every 1h0m0s", ""},
		{"R/P1M", "@every 720h0m0s", "30 days"},
		{"R/2026-01-01T08:00:00Z/P1D", "0 8 * * *", "first run"},
		{"R/2026-01-01T08:30:00+08:00/P1D", "30 0 * * *", "first run"},
		{"R/2026-01-01T08:30:15Z/P1D", "15 30 8 * * *", "first run"},
		{"R/2026-01-05T09:00:00Z/P1W", "0 9 * * 1", "first run"},
		{"R/2026-01-15T09:00:00Z/P1M", "0 9 15 * *", "first run"},
		{"R/2026-03-15T09:00:00Z/P1Y", "0 9 15 3 *", "first run"},
		{"R/2026-01-01T02:10:00Z/PT6H", "10 2/6 * * *", "first run"},
		{"R/2026-01-01T08:00:00Z/PT1H", "0 * * * *", "first run"},
		{"R/2026-01-01T08:00:00Z/PT1M", "* * * * *", "first run"},
		{"R/2026-01-01T08:07:00Z/PT15M", "7/15 * * * *", "first run"},
		{"R/2026-01-01T08:00:20Z/PT30S", "20/30 * * * * *", "first run"},
		{"R/2026-01-01T08:00:00Z/PT7M", "@every 7m0s", "does not fit"},
		{"R/2026-01-31T08:00:00Z/P1M", "@every 720h0m0s", "does not fit"},
		{"R2/2026-01-01T08:00:00Z/P2D", "@every 48h0m0s", "repeat count 2"},
		{"R/PT1H/2026-12-31T00:00:00Z", "@every 1h0m0s", "end date"},
		// Quartz cron (Camunda 7, Flowable)
		{"0 0/5 * * * ?", "0/5 * * * *", ""}, // Camunda 7's example
		{"0 0 9 ? * MON-FRI", "0 9 * * MON-FRI", ""},
		{"0 0 9-17 * * MON-FRI", "0 9-17 * * MON-FRI", ""}, // Camunda 8's example
		{"30 15 10 ? * *", "30 15 10 * * *", ""},
		{"0 15 10 ? * 2-6", "15 10 * * 1-5", "Quartz"},
		{"0 0 12 ? * 1,7", "0 12 * * 0,6", "Quartz"},
		{"0 0 12 ? * 2/2", "0 12 * * 1/2", "Quartz"},
		{"0 0 12 1 JAN,JUL ? *", "0 12 1 JAN,JUL *", ""},
		{"0 0 12 1 1 ? 2026", "", "year"},
		// flowcraft's own five fields
		{"0 2 * * *", "0 2 * * *", ""},
	} {
		got, note, err := cronFromTimeCycleNote(tc.in)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), tc.note) {
				t.Errorf("cronFromTimeCycle(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.note)
			}
			continue
		}
		if err != nil {
			t.Errorf("cronFromTimeCycle(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want || (tc.note == "") != (note == "") || !strings.Contains(note, tc.note) {
			t.Errorf("cronFromTimeCycle(%q) = %q, %q; want %q, %q", tc.in, got, note, tc.want, tc.note)
		}
		if probs := (templates.CronTimer{}).Check(map[string]any{"cron": got}); len(probs) > 0 {
			t.Errorf("cron-timer refuses %q: %v", got, probs)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"${cycle}", "expression"},
		{"R/PT0.5S", "at least one second"},
		{"Rx/PT1H", "repeat count"},
		{"R/2026-01-01T00:00:00Z/2026-02-01T00:00:00Z", "between two dates"},
		{"R", "expected"},
		{"R/PT1H/x/y", "expected"},
		{"R/tomorrow/P1D", "date-time"},
		{"R/5 minutes", "ISO-8601 duration"},
		{"0 0 12 L * ?", "L (last day)"},
		{"0 0 12 15W * ?", "W (nearest weekday)"},
		{"0 0 12 ? * 6#3", "nth weekday"},
		{"0 0 12 ? * 6L", "last weekday"},
		{"0 0 12 ? * 8", "not a day"},
		{"* * *", "expected 6 or 7 fields"},
		{"0 0 99 * * ?", "invalid cron"},
		{"0 0 0 30 2 ?", "never fires"},
	} {
		if got, err := cronFromTimeCycle(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("cronFromTimeCycle(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.want)
		}
	}
}

// TestCalendarCronSlots: a start-anchored cycle's cron fires at the start and every
// period after it.
func TestCalendarCronSlots(t *testing.T) {
	for _, in := range []string{
		"R/2026-01-01T02:10:00Z/PT6H", "R/2026-01-01T08:07:00Z/PT15M", "R/2026-01-01T08:00:20Z/PT30S",
		"R/2026-01-05T09:00:00Z/P1W", "R/2026-01-01T08:00:00Z/P1D", "R/2026-01-01T08:00:00Z/PT1H",
	} {
		c, err := cronFromTimeCycle(in)
		if err != nil {
			t.Fatal(err)
		}
		sched, err := templates.ParseCron(c)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(in, "/")
		start, _ := time.Parse(time.RFC3339, parts[1])
		period, _ := durationMillis(parts[2])
		at := sched.Next(start.Add(-time.Second))
		for i := range 5 {
			want := start.Add(time.Duration(int64(i)*period) * time.Millisecond)
			if !at.Equal(want) {
				t.Errorf("%s (%s): fire %d at %v, want %v", in, c, i, at, want)
				break
			}
			at = sched.Next(at)
		}
	}
}
