package templates

// ParallelGateway is the `parallel-gateway`: it forks to all outgoing
// connections and, as a join, waits for all incoming ones.
type ParallelGateway struct{}

// Spec implements Template.
func (ParallelGateway) Spec() Spec {
	return Spec{
		ID:    "parallel-gateway",
		Kind:  KindFlow,
		Label: Label{Zh: "并行网关", En: "Parallel gateway"},
		Description: Label{
			Zh: "分支时走所有出线；汇聚时等待所有入线到达",
			En: "Forks to every outgoing connection; as a join, waits for all incoming ones",
		},
		Icon:       "plus",
		Parameters: []Param{},
	}
}

// Check implements Template. The gateway has no parameters.
func (t ParallelGateway) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
