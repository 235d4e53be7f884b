package templates

// ExclusiveGateway is the `exclusive-gateway`: it takes the first outgoing
// connection whose condition holds, else the default connection.
type ExclusiveGateway struct{}

// Spec implements Template.
func (ExclusiveGateway) Spec() Spec {
	return Spec{
		ID:    "exclusive-gateway",
		Kind:  KindFlow,
		Label: Label{Zh: "排他网关", En: "Exclusive gateway"},
		Description: Label{
			Zh: "走第一条条件成立的连线，都不成立时走默认连线",
			En: "Takes the first connection whose condition holds, otherwise the default one",
		},
		Icon:       "diamond",
		Parameters: []Param{},
	}
}

// Check implements Template. The gateway has no parameters.
func (t ExclusiveGateway) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
