package templates

// Script is the `script` action: JavaScript run in the sandbox; the returned
// value is the output and console.log output is captured.
type Script struct{}

// Spec implements Template.
func (Script) Spec() Spec {
	return Spec{
		ID:    "script",
		Kind:  KindAction,
		Label: Label{Zh: "脚本", En: "Script"},
		Description: Label{
			Zh: "在沙箱中运行 JavaScript，return 的值即为输出，console.log 会被记录",
			En: "Runs JavaScript in a sandbox; the returned value is the output and console.log is captured",
		},
		Icon: "code",
		Parameters: []Param{
			{
				Key:      "code",
				Label:    Label{Zh: "代码", En: "Code"},
				Type:     TypeCode,
				Required: true,
				Description: Label{
					Zh: "JavaScript 代码，用 return 返回本节点的输出",
					En: "JavaScript code; use return to produce the node output",
				},
				Placeholder: "return { ok: true };",
			},
		},
	}
}

// Check implements Template.
func (t Script) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
