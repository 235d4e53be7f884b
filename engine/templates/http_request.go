package templates

import "flowcraft/scripting"

// HTTPRequest is the `http-request` action; its output is
// {status, headers, body}.
type HTTPRequest struct{}

// httpMethods returns the methods the http-request template offers.
func httpMethods() []string {
	return []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
}

// Spec implements Template.
func (HTTPRequest) Spec() Spec {
	methods := make([]Option, 0, len(httpMethods()))
	for _, m := range httpMethods() {
		methods = append(methods, Option{Value: m, Label: Label{Zh: m, En: m}})
	}
	return Spec{
		ID:    "http-request",
		Kind:  KindAction,
		Label: Label{Zh: "HTTP 请求", En: "HTTP request"},
		Description: Label{
			Zh: "发送 HTTP 请求，输出 {status, headers, body}",
			En: "Sends an HTTP request; outputs {status, headers, body}",
		},
		Icon: "globe",
		Parameters: []Param{
			{
				Key:     "method",
				Label:   Label{Zh: "请求方法", En: "Method"},
				Type:    TypeSelect,
				Default: "GET",
				Options: methods,
				Description: Label{
					Zh: "HTTP 请求方法",
					En: "HTTP request method",
				},
			},
			{
				Key:      "url",
				Label:    Label{Zh: "URL", En: "URL"},
				Type:     TypeString,
				Required: true,
				Description: Label{
					Zh: "完整的 http(s) 地址，可包含 {{ }} 表达式",
					En: "Absolute http(s) URL; may contain {{ }} expressions",
				},
				Placeholder: "https://api.example.com/items",
			},
			{
				Key:   "headers",
				Label: Label{Zh: "请求头", En: "Headers"},
				Type:  TypeKeyValue,
				// Authorization, cookies and API keys travel here.
				Secret: true,
				Description: Label{
					Zh: "请求头名称与值，值可使用 {{ }}",
					En: "Header names and values; values may use {{ }}",
				},
			},
			{
				Key:   "body",
				Label: Label{Zh: "请求体", En: "Body"},
				Type:  TypeJSON,
				Description: Label{
					Zh: "JSON 请求体，或一个 {{ }} 表达式",
					En: "JSON request body, or a {{ }} expression",
				},
			},
			{
				Key:     "timeout",
				Label:   Label{Zh: "超时（毫秒）", En: "Timeout (ms)"},
				Type:    TypeNumber,
				Default: float64(30000),
				Description: Label{
					Zh: "等待响应的最长时间，单位毫秒",
					En: "How long to wait for the response, in milliseconds",
				},
			},
		},
	}
}

// Check implements Template. Besides the types it checks that a static url
// is an absolute http(s) URL and that timeout is positive.
func (t HTTPRequest) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)
	if u, ok := values["url"].(string); ok && !IsUnset(u) && !IsDynamic(u) {
		if err := checkHTTPURL(u); err != nil {
			probs = append(probs, Problem{Field: "url", Code: "bad_url", Params: map[string]any{"error": err.Error()}, Message: err.Error()})
		}
	}
	if f, ok := scripting.ToFloat(values["timeout"]); ok && f <= 0 {
		probs = append(probs, Problem{Field: "timeout", Code: "too_small", Params: map[string]any{"min": 1}, Message: "must be greater than 0"})
	}
	return probs
}
