package templates

import "strings"

// ExternalTask is the `external-task` wait (DESIGN §10): a durable job that
// programs in any language (external workers) fetch by topic, lock, do and
// complete over Camunda's or Flowable's external worker protocol. The task's
// output is the variables the worker sends.
type ExternalTask struct{}

// maxTopic bounds a topic's length (engine.MaxTopicLength).
const maxTopic = 255

// Spec implements Template.
func (ExternalTask) Spec() Spec {
	return Spec{
		ID:    "external-task",
		Kind:  KindWait,
		Label: Label{Zh: "外部任务", En: "External task"},
		Description: Label{
			Zh: "创建一个外部作业，由任意语言编写的工作者按主题获取、锁定并完成（兼容 Camunda 与 Flowable 客户端）",
			En: "Creates a job that workers in any language fetch by topic, lock and complete (Camunda and Flowable clients work)",
		},
		Icon:  "cpu",
		Waits: true,
		Parameters: []Param{
			{
				Key:      "topic",
				Label:    Label{Zh: "主题", En: "Topic"},
				Type:     TypeString,
				Required: true,
				Description: Label{
					Zh: "工作者订阅的主题名，可使用 {{ }}",
					En: "The topic workers subscribe to; may use {{ }}",
				},
				Placeholder: "send-invoice",
			},
			{
				Key:     "retries",
				Label:   Label{Zh: "重试次数", En: "Retries"},
				Type:    TypeNumber,
				Default: float64(3),
				Min:     bound(0),
				Max:     bound(1000000),
				Description: Label{
					Zh: "工作者报告失败而未给出剩余次数时，从此数递减；为 0 时成为事故",
					En: "Counted down by failures that do not say how many retries remain; at 0 the job becomes an incident",
				},
			},
			{
				Key:     "priority",
				Label:   Label{Zh: "优先级", En: "Priority"},
				Type:    TypeNumber,
				Default: float64(0),
				Description: Label{
					Zh: "按优先级获取时，数值大的先被获取",
					En: "Higher is fetched first by workers that fetch by priority",
				},
			},
			{
				Key:   "variables",
				Label: Label{Zh: "变量", En: "Variables"},
				Type:  TypeJSON,
				Description: Label{
					Zh: "工作者收到的变量（名称 → 值的对象，可使用 {{ }}）；留空时为触发数据与流程变量",
					En: "What the worker receives (an object of name → value; may use {{ }}); empty: the trigger data and the process variables",
				},
			},
		},
	}
}

// Check implements Template: besides the types, a static topic is not blank nor
// too long, and static variables are an object.
func (t ExternalTask) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)
	if s, ok := values["topic"].(string); ok && !IsDynamic(s) {
		switch {
		case strings.TrimSpace(s) == "" && s != "":
			probs = append(probs, Problem{Field: "topic", Code: "required", Params: map[string]any{"field": "topic"}, Message: "must not be blank"})
		case len(s) > maxTopic:
			probs = append(probs, Problem{Field: "topic", Code: "too_long", Params: map[string]any{"max": maxTopic}, Message: "must be at most 255 characters"})
		}
	}
	if v := values["variables"]; !IsUnset(v) && !IsDynamic(v) {
		if _, ok := v.(map[string]any); !ok {
			probs = append(probs, Problem{Field: "variables", Code: "not_object", Message: "must be an object of name → value, got " + jsonType(v)})
		}
	}
	return probs
}
