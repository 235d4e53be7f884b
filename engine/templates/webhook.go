package templates

// Webhook is the `webhook` trigger: the process is started by
// POST /api/hooks/{trigger_token}.
type Webhook struct{}

// Spec implements Template.
func (Webhook) Spec() Spec {
	return Spec{
		ID:    "webhook",
		Kind:  KindTrigger,
		Label: Label{Zh: "Webhook 触发", En: "Webhook"},
		Description: Label{
			Zh: "收到 POST /api/hooks/{trigger_token} 请求时启动流程",
			En: "Starts the process when POST /api/hooks/{trigger_token} is called",
		},
		Icon: "webhook",
		Parameters: []Param{
			{
				Key:     "respond",
				Label:   Label{Zh: "响应方式", En: "Respond"},
				Type:    TypeSelect,
				Default: "immediate",
				Options: []Option{
					{Value: "immediate", Label: Label{Zh: "立即响应", En: "Immediately"}},
					{Value: "onFinish", Label: Label{Zh: "流程结束后响应", En: "When the process finishes"}},
				},
				Description: Label{
					Zh: "立即返回实例 ID，或等流程结束后返回其输出",
					En: "Reply at once with the instance id, or wait and reply with the workflow output",
				},
			},
			{
				Key:    "secret",
				Label:  Label{Zh: "签名密钥", En: "Signing secret"},
				Type:   TypeString,
				Secret: true,
				Description: Label{
					Zh: "设置后，请求必须带有正确的 HMAC-SHA256 签名",
					En: "If set, requests must carry a valid HMAC-SHA256 signature",
				},
			},
		},
	}
}

// Check implements Template.
func (t Webhook) Check(values map[string]any) []Problem {
	return checkParams(t.Spec(), values)
}
