package templates

// InclusiveGateway is the `inclusive-gateway`: it takes every outgoing
// connection whose condition holds; its join waits for those branches.
type InclusiveGateway struct{}

// Spec implements Template.
func (InclusiveGateway) Spec() Spec {
	return Spec{
		ID:    "inclusive-gateway",
		Kind:  KindFlow,
		Label: Label{Zh: "包容网关", En: "Inclusive gateway"},
		Description: Label{
			Zh: "走所有条件成立的连线；汇聚时等待这些分支完成",
			En: "Takes every connection whose condition holds; its join waits for those branches",
		},
		Icon:       "circle",
		Parameters: []Param{},
	}
}

// Check implements Template. The gateway has no parameters.
func (t InclusiveGateway) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
