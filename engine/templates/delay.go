package templates

// Delay is the `delay` wait: a durable timer that continues after a duration
// or at a point in time. Exactly one of duration and until must be set.
type Delay struct{}

// Spec implements Template.
func (Delay) Spec() Spec {
	return Spec{
		ID:    "delay",
		Kind:  KindWait,
		Label: Label{Zh: "延时", En: "Delay"},
		Description: Label{
			Zh: "等待一段时间或到指定时间后继续（持久化定时器，重启不丢失）",
			En: "Waits for a duration or until a point in time (durable timer, survives restarts)",
		},
		Icon:  "hourglass",
		Waits: true,
		Parameters: []Param{
			{
				Key:   "duration",
				Label: Label{Zh: "时长", En: "Duration"},
				Type:  TypeDuration,
				Description: Label{
					Zh: "如 90s、2h、1h30m、3d 或毫秒数；与“直到”二选一",
					En: "e.g. 90s, 2h, 1h30m, 3d or milliseconds; set this or Until",
				},
				Placeholder: "1h30m",
			},
			{
				Key:   "until",
				Label: Label{Zh: "直到", En: "Until"},
				Type:  TypeString,
				Description: Label{
					Zh: "日期时间（如 2025-01-31T09:00:00+08:00）或 {{ }} 表达式；与“时长”二选一",
					En: "A date-time (e.g. 2025-01-31T09:00:00+08:00) or a {{ }} expression; set this or Duration",
				},
				Placeholder: "2025-01-31T09:00:00+08:00",
			},
		},
	}
}

// Check implements Template. Besides the types it checks that exactly one of
// duration and until is set (when both are set and one is dynamic, it may
// resolve to empty, so that is not reported) and that a static until is a
// date-time ParseTime accepts.
func (t Delay) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)
	dur, until := values["duration"], values["until"]
	switch {
	case IsUnset(dur) && IsUnset(until):
		probs = append(probs, Problem{Field: "duration", Code: "one_of_required", Params: map[string]any{"fields": "duration, until"}, Message: "set either duration or until"})
	case !IsUnset(dur) && !IsUnset(until) && !IsDynamic(dur) && !IsDynamic(until):
		probs = append(probs, Problem{Field: "until", Code: "only_one", Params: map[string]any{"fields": "duration, until"}, Message: "set only one of duration and until"})
	}
	if s, ok := until.(string); ok && !IsUnset(s) && !IsDynamic(s) {
		if _, err := ParseTime(s, nil); err != nil {
			probs = append(probs, Problem{Field: "until", Code: "bad_time", Params: map[string]any{"example": "2024-05-31T08:00:00Z"}, Message: err.Error()})
		}
	}
	return probs
}
