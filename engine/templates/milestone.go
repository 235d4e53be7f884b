package templates

// Milestone is the `milestone`: it passes through at once and records, by its
// runtime, that the flow reached it (seed 003's milestones, DESIGN §8).
type Milestone struct{}

// Spec implements Template.
func (Milestone) Spec() Spec {
	return Spec{
		ID:    "milestone",
		Kind:  KindFlow,
		Label: Label{Zh: "里程碑", En: "Milestone"},
		Description: Label{
			Zh: "流程到达此处即记录一个里程碑，然后继续",
			En: "Records that the flow reached this point, then passes on",
		},
		Icon:       "flag",
		Parameters: []Param{},
	}
}

// Check implements Template. A milestone has no parameters.
func (t Milestone) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
