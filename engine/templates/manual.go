package templates

// Manual is the `manual` trigger: the process is started by the API or the
// UI, and the payload is validated against the process inputDataSchema.
type Manual struct{}

// Spec implements Template.
func (Manual) Spec() Spec {
	return Spec{
		ID:    "manual",
		Kind:  KindTrigger,
		Label: Label{Zh: "手动触发", En: "Manual trigger"},
		Description: Label{
			Zh: "通过 API 或界面手动启动流程，并按流程的输入数据结构校验载荷",
			En: "Started from the API or the UI; the payload is validated against the process input schema",
		},
		Icon:       "play",
		Parameters: []Param{},
	}
}

// Check implements Template. Manual has no parameters.
func (t Manual) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
