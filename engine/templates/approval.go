package templates

import "fmt"

// Approval is the `approval` wait: a human task assigned to users or offered
// to candidate users and groups; it waits for one of the outcomes.
type Approval struct{}

// Spec implements Template.
func (Approval) Spec() Spec {
	return Spec{
		ID:    "approval",
		Kind:  KindWait,
		Label: Label{Zh: "审批", En: "Approval"},
		Description: Label{
			Zh: "创建人工审批任务，等待处理人给出结果",
			En: "Creates a human task and waits for its outcome",
		},
		Icon:  "user-check",
		Waits: true,
		Parameters: []Param{
			{
				Key:   "assignees",
				Label: Label{Zh: "处理人", En: "Assignees"},
				Type:  TypeUsers,
				Description: Label{
					Zh: "直接指派任务的用户",
					En: "Users the task is assigned to directly",
				},
			},
			{
				Key:   "candidateUsers",
				Label: Label{Zh: "候选用户", En: "Candidate users"},
				Type:  TypeUsers,
				Description: Label{
					Zh: "可以认领该任务的用户",
					En: "Users who may claim the task",
				},
			},
			{
				Key:   "candidateGroups",
				Label: Label{Zh: "候选用户组", En: "Candidate groups"},
				Type:  TypeGroups,
				Description: Label{
					Zh: "组内成员都可以认领该任务",
					En: "Groups whose members may claim the task",
				},
			},
			{
				Key:     "mode",
				Label:   Label{Zh: "审批方式", En: "Approval mode"},
				Type:    TypeSelect,
				Default: "any",
				Options: []Option{
					{Value: "any", Label: Label{Zh: "或签（一人处理即可）", En: "Any (first response decides)"}},
					{Value: "all", Label: Label{Zh: "会签（所有人都需处理）", En: "All (everyone must respond)"}},
					{Value: "sequential", Label: Label{Zh: "依次审批（按顺序逐个处理）", En: "Sequential (one after another)"}},
				},
				Description: Label{
					Zh: "多个处理人时如何得出结果",
					En: "How the outcome is reached when there are several approvers",
				},
			},
			{
				Key:     "rejectRule",
				Label:   Label{Zh: "会签规则", En: "Decision rule (all)"},
				Type:    TypeSelect,
				Default: "veto",
				Options: []Option{
					{Value: "veto", Label: Label{Zh: "一票否决（任一人驳回即驳回）", En: "Veto (one reject rejects at once)"}},
					{Value: "majority", Label: Label{Zh: "多数决（等待所有人，多数结果胜出）", En: "Majority (wait for everyone; most votes win)"}},
				},
				Description: Label{
					Zh: "会签时驳回如何计数；平票时按驳回处理",
					En: "How rejects count in mode all; a tie counts as reject",
				},
			},
			{
				Key:   "content",
				Label: Label{Zh: "内容", En: "Content"},
				Type:  TypeText,
				Description: Label{
					Zh: "展示给处理人的说明，支持 {{ }} 表达式",
					En: "Text shown to the approver; supports {{ }} expressions",
				},
			},
			{
				Key:   "form",
				Label: Label{Zh: "表单", En: "Form"},
				Type:  TypeForm,
				Description: Label{
					Zh: "处理人需要填写的字段",
					En: "Fields the approver fills in",
				},
			},
			{
				Key:     "outcomes",
				Label:   Label{Zh: "处理结果", En: "Outcomes"},
				Type:    TypeArray,
				Default: []any{"approve", "reject"},
				Description: Label{
					Zh: "处理人可选的结果，如 approve、reject",
					En: "Decisions the approver can choose, e.g. approve, reject",
				},
			},
			{
				Key:   "dueIn",
				Label: Label{Zh: "处理期限", En: "Due in"},
				Type:  TypeDuration,
				Description: Label{
					Zh: "如 2h、3d 或毫秒数；留空表示不设期限",
					En: "e.g. 2h, 3d or milliseconds; empty means no deadline",
				},
				Placeholder: "3d",
			},
			{
				Key:     "priority",
				Label:   Label{Zh: "优先级", En: "Priority"},
				Type:    TypeNumber,
				Default: float64(50),
				Min:     bound(0),
				Max:     bound(100),
				Description: Label{
					Zh: "0–100，数值越大越优先",
					En: "0–100; higher is more urgent",
				},
			},
		},
	}
}

// Check implements Template. Besides the types it checks that someone can
// act on the task, that the outcomes are non-empty and unique, and that
// dueIn is positive.
func (t Approval) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)

	someone, dynamic := false, false
	for _, k := range []string{"assignees", "candidateUsers", "candidateGroups"} {
		v := values[k]
		switch {
		case IsDynamic(v):
			dynamic = true
		case IsUnset(v):
		default:
			if l, ok := v.([]any); ok && len(l) == 0 {
				continue
			}
			if l, ok := v.([]string); ok && len(l) == 0 {
				continue
			}
			someone = true
		}
	}
	if !someone && !dynamic {
		probs = append(probs, Problem{Field: "assignees", Code: "assignees_required", Message: "set at least one of assignees, candidateUsers or candidateGroups"})
	}

	// The submit body is flat (seed 000): outcome and comment sit beside the form's
	// field keys, so no field may take their names.
	if items, ok := values["form"].([]any); ok {
		for _, item := range items {
			f, _ := item.(map[string]any)
			if key, _ := f["key"].(string); key == "outcome" || key == "comment" {
				probs = append(probs, Problem{Field: "form", Code: "reserved_form_key", Params: map[string]any{"key": key},
					Message: fmt.Sprintf("a form field may not be named %q: outcome and comment are reserved keys of the submit body", key)})
			}
		}
	}

	if v := values["outcomes"]; !IsUnset(v) && !IsDynamic(v) {
		if outs, ok := stringList(v); ok {
			if len(outs) == 0 {
				probs = append(probs, Problem{Field: "outcomes", Code: "required", Params: map[string]any{"field": "outcomes"}, Message: "must not be empty"})
			}
			seen := make(map[string]bool, len(outs))
			for _, o := range outs {
				if seen[o] && o != "" {
					probs = append(probs, Problem{Field: "outcomes", Code: "duplicate", Params: map[string]any{"value": o}, Message: fmt.Sprintf("duplicate outcome %q", o)})
				}
				seen[o] = true
			}
		}
	}

	if v := values["dueIn"]; !IsUnset(v) && !IsDynamic(v) {
		if d, err := ParseDuration(v); err == nil && d <= 0 {
			probs = append(probs, Problem{Field: "dueIn", Code: "too_small", Params: map[string]any{"min": 1}, Message: "must be greater than 0"})
		}
	}
	return probs
}
