package bpmn

import (
	"flowcraft/engine"
)

// timerParams are the `delay` template's parameters for a timer catch event's
// timeDuration (ISO-8601 duration, e.g. PT5M, P1DT2H; or an expression) or timeDate
// (ISO-8601 date-time; or an expression). kind is "timeDuration" or "timeDate".
// TODO(issue 17, expressions helper): implement.
func timerParams(kind, text string) (map[string]any, error) {
	return nil, engine.Errorf(engine.ErrInvalid, "timers are not mapped yet")
}

// cronFromTimeCycle is the `cron-timer` template's cron expression for a timer start
// event's timeCycle: an ISO-8601 repeating interval (R/PT1H, R3/2026-01-01T00:00:00Z/P1D)
// when it maps onto a cron slot, or a cron expression (Camunda's and Flowable's
// Quartz-style six or seven fields, translated to flowcraft's 5/6 fields).
// TODO(issue 17, expressions helper): implement.
func cronFromTimeCycle(text string) (string, error) {
	return "", engine.Errorf(engine.ErrInvalid, "timer cycles are not mapped yet")
}

// durationMillis is an ISO-8601 duration (PnYnMnDTnHnMnS, PnW; years and months
// count 365 and 30 days) in milliseconds.
// TODO(issue 17, expressions helper): implement.
func durationMillis(text string) (int64, error) {
	return 0, engine.Errorf(engine.ErrInvalid, "durations are not parsed yet")
}
