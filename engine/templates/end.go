package templates

import (
	"math"

	"flowcraft/scripting"
)

// End is the `end` template: it ends its path and sets the workflow output
// (and, for a webhook waiting on the result, the HTTP status and headers).
type End struct{}

// Spec implements Template.
func (End) Spec() Spec {
	return Spec{
		ID:    "end",
		Kind:  KindEnd,
		Label: Label{Zh: "结束", En: "End"},
		Description: Label{
			Zh: "结束当前路径并设置流程输出",
			En: "Ends the path and sets the workflow output",
		},
		Icon: "stop",
		Parameters: []Param{
			{
				Key:   "output",
				Label: Label{Zh: "输出", En: "Output"},
				Type:  TypeJSON,
				Description: Label{
					Zh: "流程的输出，通常是一个 {{ }} 表达式",
					En: "The workflow output, usually a {{ }} expression",
				},
				Placeholder: "{{ nodes.script.output }}",
			},
			{
				Key:     "terminate",
				Label:   Label{Zh: "终止流程", En: "Terminate"},
				Type:    TypeBoolean,
				Default: false,
				Description: Label{
					Zh: "立即结束整个流程，取消其他仍在运行的分支",
					En: "End the whole workflow at once, cancelling branches still running",
				},
			},
			{
				Key:     "statusCode",
				Label:   Label{Zh: "状态码", En: "Status code"},
				Type:    TypeNumber,
				Default: float64(200),
				Min:     bound(100),
				Max:     bound(599),
				Description: Label{
					Zh: "返回给等待结果的 Webhook 调用方的 HTTP 状态码",
					En: "HTTP status returned to a webhook caller waiting for the result",
				},
			},
			{
				Key:   "headers",
				Label: Label{Zh: "响应头", En: "Response headers"},
				Type:  TypeKeyValue,
				Description: Label{
					Zh: "返回给等待结果的 Webhook 调用方的响应头",
					En: "Headers returned to a webhook caller waiting for the result",
				},
			},
		},
	}
}

// Check implements Template. Besides the types and the 100..599 range it
// checks that statusCode is an integer.
func (t End) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)
	if f, ok := scripting.ToFloat(values["statusCode"]); ok && f != math.Trunc(f) {
		probs = append(probs, Problem{Field: "statusCode", Code: "wrong_type", Params: map[string]any{"want": "integer"}, Message: "must be an integer"})
	}
	return probs
}
