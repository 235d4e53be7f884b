package templates

// CronTimer is the `cron-timer` trigger: it starts the process on a 5- or
// 6-field cron schedule, firing at most once per slot, even across restarts.
type CronTimer struct{}

// Spec implements Template.
func (CronTimer) Spec() Spec {
	return Spec{
		ID:    "cron-timer",
		Kind:  KindTrigger,
		Label: Label{Zh: "定时触发", En: "Schedule"},
		Description: Label{
			Zh: "按 cron 表达式定时启动流程，每个时间点只触发一次（重启后也不重复）",
			En: "Starts the process on a cron schedule; each slot fires once, even across restarts",
		},
		Icon: "clock",
		Parameters: []Param{
			{
				Key:      "cron",
				Label:    Label{Zh: "Cron 表达式", En: "Cron expression"},
				Type:     TypeCron,
				Required: true,
				Description: Label{
					Zh: "5 段（分 时 日 月 周）或带秒的 6 段，也可用 @daily、@every 5m",
					En: "5 fields (minute hour day month weekday), 6 with leading seconds, or @daily, @every 5m",
				},
				Placeholder: "0 2 * * *",
			},
			{
				Key:     "timezone",
				Label:   Label{Zh: "时区", En: "Time zone"},
				Type:    TypeString,
				Default: "UTC",
				Description: Label{
					Zh: "IANA 时区名，如 Asia/Shanghai；留空为 UTC",
					En: "IANA time zone name such as Asia/Shanghai; empty means UTC",
				},
				Placeholder: "Asia/Shanghai",
			},
			{
				Key:     "missedFire",
				Label:   Label{Zh: "错过的触发", En: "Missed fires"},
				Type:    TypeSelect,
				Default: "skip",
				Options: []Option{
					{Value: "skip", Label: Label{Zh: "跳过", En: "Skip"}},
					{Value: "runOnce", Label: Label{Zh: "补跑一次", En: "Run once"}},
				},
				Description: Label{
					Zh: "服务停机期间错过的触发时间如何处理",
					En: "What to do about fire times missed while the server was down",
				},
			},
			{
				Key:     "overlap",
				Label:   Label{Zh: "重叠运行", En: "Overlapping runs"},
				Type:    TypeSelect,
				Default: "allow",
				Options: []Option{
					{Value: "skip", Label: Label{Zh: "跳过本次", En: "Skip"}},
					{Value: "allow", Label: Label{Zh: "允许", En: "Allow"}},
				},
				Description: Label{
					Zh: "上一次运行尚未结束时，是否仍启动新的运行",
					En: "Whether to start a run while the previous one is still running",
				},
			},
		},
	}
}

// Check implements Template. Besides the types it checks that the cron
// expression parses and that the time zone is known.
func (t CronTimer) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)
	// The schedule is read before any instance exists: nothing to evaluate {{ }} in.
	for _, key := range []string{"cron", "timezone", "missedFire", "overlap"} {
		if IsDynamic(values[key]) {
			probs = append(probs, Problem{Field: key, Code: "no_expressions", Message: "a schedule cannot use {{ }} expressions: there is no instance yet to evaluate them in"})
		}
	}
	if tz, ok := values["timezone"].(string); ok && !IsDynamic(tz) {
		if _, err := LoadTimezone(tz); err != nil {
			probs = append(probs, Problem{Field: "timezone", Code: "bad_timezone", Params: map[string]any{"error": err.Error()}, Message: err.Error()})
		}
	}
	return probs
}
