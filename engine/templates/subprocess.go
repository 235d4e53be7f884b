package templates

// Subprocess is the `subprocess` wait: it starts another process, waits for
// it to finish and returns its output.
type Subprocess struct{}

// Spec implements Template.
func (Subprocess) Spec() Spec {
	return Spec{
		ID:    "subprocess",
		Kind:  KindWait,
		Label: Label{Zh: "子流程", En: "Subprocess"},
		Description: Label{
			Zh: "启动另一个流程，等待其结束并返回其输出",
			En: "Starts another process, waits for it and returns its output",
		},
		Icon:  "layers",
		Waits: true,
		Parameters: []Param{
			{
				Key:      "processId",
				Label:    Label{Zh: "流程", En: "Process"},
				Type:     TypeString,
				Required: true,
				Description: Label{
					Zh: "要启动的流程 ID",
					En: "ID of the process to start",
				},
			},
			{
				Key:   "input",
				Label: Label{Zh: "输入", En: "Input"},
				Type:  TypeJSON,
				Description: Label{
					Zh: "传给子流程的输入数据，可使用 {{ }}",
					En: "Input data for the subprocess; may use {{ }}",
				},
			},
		},
	}
}

// Check implements Template.
func (t Subprocess) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
