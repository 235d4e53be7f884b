package templates

import (
	"slices"
	"strings"
	"testing"
)

// checkCase is one Check table row: values (merged with the template's
// defaults before checking, as the engine does) and the fields expected to
// have problems, one entry per problem.
type checkCase struct {
	name   string
	values map[string]any
	want   []string
}

func runCheckCases(t *testing.T, tm Template, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			probs := tm.Check(WithDefaults(tm.Spec(), tc.values))
			got := make([]string, len(probs))
			for i, p := range probs {
				got[i] = p.Field
				if p.Message == "" {
					t.Errorf("problem on %s has no message", p.Field)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("problems on %v, want %v; problems: %v", got, want, probs)
			}
		})
	}
}

// form builds a form parameter value from field objects.
func form(fields ...map[string]any) []any {
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out
}

func TestCheckNoParams(t *testing.T) {
	for _, tm := range []Template{Manual{}, ExclusiveGateway{}, ParallelGateway{}, InclusiveGateway{}} {
		t.Run(tm.Spec().ID, func(t *testing.T) {
			runCheckCases(t, tm, []checkCase{
				{"nil", nil, nil},
				{"unknown keys ignored", map[string]any{"x": 1.0}, nil},
			})
		})
	}
}

func TestCheckWebhook(t *testing.T) {
	runCheckCases(t, Webhook{}, []checkCase{
		{"defaults", nil, nil},
		{"good", map[string]any{"respond": "onFinish", "secret": "s3cr3t"}, nil},
		{"bad respond", map[string]any{"respond": "later"}, []string{"respond"}},
		{"respond not string", map[string]any{"respond": 1.0}, []string{"respond"}},
		{"dynamic respond", map[string]any{"respond": "{{ input.mode }}"}, nil},
		{"secret not string", map[string]any{"secret": 42.0}, []string{"secret"}},
		{"several", map[string]any{"respond": "x", "secret": true}, []string{"respond", "secret"}},
	})
}

func TestCheckCronTimer(t *testing.T) {
	runCheckCases(t, CronTimer{}, []checkCase{
		{"five fields", map[string]any{"cron": "0 2 * * *"}, nil},
		{"six fields", map[string]any{"cron": "*/5 * * * * *", "timezone": "Asia/Shanghai"}, nil},
		{"descriptor", map[string]any{"cron": "@every 5m", "timezone": "Local", "missedFire": "runOnce", "overlap": "skip"}, nil},
		{"empty timezone", map[string]any{"cron": "@daily", "timezone": ""}, nil},
		{"missing cron left to caller", nil, nil},
		{"bad cron", map[string]any{"cron": "61 * * * *"}, []string{"cron"}},
		{"too few fields", map[string]any{"cron": "* * *"}, []string{"cron"}},
		{"never fires", map[string]any{"cron": "0 0 30 2 *"}, []string{"cron"}},
		{"cron not string", map[string]any{"cron": 5.0}, []string{"cron"}},
		{"dynamic cron", map[string]any{"cron": "{{ vars.schedule }}"}, []string{"cron"}},
		{"unknown timezone", map[string]any{"cron": "@hourly", "timezone": "Mars/Olympus"}, []string{"timezone"}},
		{"timezone not string", map[string]any{"cron": "@hourly", "timezone": 8.0}, []string{"timezone"}},
		{"dynamic timezone", map[string]any{"cron": "@hourly", "timezone": "{{ vars.tz }}"}, []string{"timezone"}},
		{"bad selects", map[string]any{"cron": "@hourly", "missedFire": "all", "overlap": "queue"}, []string{"missedFire", "overlap"}},
		{"several", map[string]any{"cron": "bad", "timezone": "Nowhere/Land", "overlap": "x"}, []string{"cron", "timezone", "overlap"}},
	})
	probs := CronTimer{}.Check(map[string]any{"cron": "61 * * * *"})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "61") {
		t.Errorf("cron problem should carry the parser message: %v", probs)
	}
}

func TestCheckScript(t *testing.T) {
	runCheckCases(t, Script{}, []checkCase{
		{"good", map[string]any{"code": "return 1;"}, nil},
		{"missing left to caller", nil, nil},
		{"not string", map[string]any{"code": []any{"x"}}, []string{"code"}},
	})
}

func TestCheckHTTPRequest(t *testing.T) {
	runCheckCases(t, HTTPRequest{}, []checkCase{
		{"minimal", map[string]any{"url": "https://api.example.com/x"}, nil},
		{"full", map[string]any{
			"method":  "POST",
			"url":     "http://localhost:8080/hook?a=1",
			"headers": map[string]any{"Content-Type": "application/json", "X-Id": "{{ input.id }}"},
			"body":    map[string]any{"a": 1.0, "b": []any{true}},
			"timeout": 1500.0,
		}, nil},
		{"dynamic url", map[string]any{"url": "{{ vars.base }}/items"}, nil},
		{"dynamic body and headers", map[string]any{"url": "https://x.test", "body": "{{ input }}", "headers": "{{ vars.headers }}"}, nil},
		{"bad method", map[string]any{"url": "https://x.test", "method": "FETCH"}, []string{"method"}},
		{"lower-case method", map[string]any{"url": "https://x.test", "method": "get"}, []string{"method"}},
		{"relative url", map[string]any{"url": "/api/items"}, []string{"url"}},
		{"ftp url", map[string]any{"url": "ftp://example.com/file"}, []string{"url"}},
		{"no host", map[string]any{"url": "https:///path"}, []string{"url"}},
		{"url not string", map[string]any{"url": 12.0}, []string{"url"}},
		{"headers not object", map[string]any{"url": "https://x.test", "headers": []any{"a"}}, []string{"headers"}},
		{"header value not string", map[string]any{"url": "https://x.test", "headers": map[string]any{"X-N": 1.0}}, []string{"headers"}},
		{"zero timeout", map[string]any{"url": "https://x.test", "timeout": 0.0}, []string{"timeout"}},
		{"negative timeout", map[string]any{"url": "https://x.test", "timeout": -5.0}, []string{"timeout"}},
		{"timeout as string", map[string]any{"url": "https://x.test", "timeout": "30s"}, []string{"timeout"}},
		{"dynamic timeout", map[string]any{"url": "https://x.test", "timeout": "{{ vars.t }}"}, nil},
		{"several", map[string]any{"url": "nope", "method": "X", "timeout": 0.0, "headers": 3.0},
			[]string{"url", "method", "timeout", "headers"}},
	})
}

func TestCheckDatabaseHandler(t *testing.T) {
	runCheckCases(t, DatabaseHandler{}, []checkCase{
		{"positional", map[string]any{"datasource": "main", "sql": "SELECT ?", "params": []any{1.0}}, nil},
		{"named exec", map[string]any{"datasource": "main", "sql": "UPDATE t SET a = :a", "params": map[string]any{"a": "x"}, "mode": "exec"}, nil},
		{"no params", map[string]any{"datasource": "main", "sql": "SELECT 1"}, nil},
		{"dynamic params", map[string]any{"datasource": "main", "sql": "SELECT ?", "params": "{{ input.args }}"}, nil},
		{"scalar params", map[string]any{"datasource": "main", "sql": "SELECT ?", "params": 5.0}, []string{"params"}},
		{"string params", map[string]any{"datasource": "main", "sql": "SELECT ?", "params": "abc"}, []string{"params"}},
		{"bad mode", map[string]any{"datasource": "main", "sql": "SELECT 1", "mode": "batch"}, []string{"mode"}},
		{"several", map[string]any{"datasource": 1.0, "sql": false, "mode": "x"}, []string{"datasource", "sql", "mode"}},
	})
}

func TestCheckApproval(t *testing.T) {
	good := map[string]any{
		"assignees": []any{"u1", "u2"},
		"mode":      "all",
		"content":   "Please approve {{ input.title }}",
		"form": form(
			map[string]any{"key": "remark", "label": "Remark", "type": "textarea"},
			map[string]any{"key": "amount", "label": map[string]any{"zh": "金额", "en": "Amount"}, "type": "number", "required": true},
			map[string]any{"key": "level", "type": "select", "options": []any{"low", map[string]any{"value": "high", "label": "High"}}},
			map[string]any{"key": "when", "type": "date"},
			map[string]any{"key": "ok", "type": "boolean"},
		),
		"outcomes": []any{"approve", "reject", "return"},
		"dueIn":    "3d",
		"priority": 80.0,
	}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	runCheckCases(t, Approval{}, []checkCase{
		{"good", good, nil},
		{"only candidate groups", map[string]any{"candidateGroups": []any{"finance"}}, nil},
		{"only candidate users", map[string]any{"candidateUsers": []string{"u3"}, "mode": "sequential"}, nil},
		{"dynamic assignees", map[string]any{"assignees": "{{ input.manager }}"}, nil},
		{"nobody", map[string]any{}, []string{"assignees"}},
		{"empty lists", map[string]any{"assignees": []any{}, "candidateUsers": []any{}, "candidateGroups": []any{}}, []string{"assignees"}},
		{"assignees not list", with("assignees", "u1"), []string{"assignees"}},
		{"assignee not string", with("assignees", []any{"u1", 2.0}), []string{"assignees"}},
		{"empty assignee", with("assignees", []any{""}), []string{"assignees"}},
		{"groups not list", with("candidateGroups", map[string]any{}), []string{"candidateGroups"}},
		{"bad mode", with("mode", "majority"), []string{"mode"}},
		{"content not string", with("content", 1.0), []string{"content"}},
		{"outcomes empty", with("outcomes", []any{}), []string{"outcomes"}},
		{"outcomes duplicate", with("outcomes", []any{"ok", "ok"}), []string{"outcomes"}},
		{"outcome empty string", with("outcomes", []any{"ok", ""}), []string{"outcomes"}},
		{"outcomes not strings", with("outcomes", []any{1.0}), []string{"outcomes"}},
		{"outcomes dynamic", with("outcomes", "{{ vars.outcomes }}"), nil},
		{"dueIn ms", with("dueIn", 3600000.0), nil},
		{"dueIn bad", with("dueIn", "soon"), []string{"dueIn"}},
		{"dueIn zero", with("dueIn", "0s"), []string{"dueIn"}},
		{"dueIn dynamic", with("dueIn", "{{ input.sla }}"), nil},
		{"priority high", with("priority", 101.0), []string{"priority"}},
		{"priority low", with("priority", -1.0), []string{"priority"}},
		{"priority bounds", with("priority", 0.0), nil},
		{"priority not number", with("priority", "high"), []string{"priority"}},
		{"form not list", with("form", map[string]any{}), []string{"form"}},
		{"form dynamic", with("form", "{{ vars.form }}"), nil},
		{"form missing key", with("form", form(map[string]any{"type": "text"})), []string{"form"}},
		{"form duplicate key", with("form", form(
			map[string]any{"key": "a", "type": "text"},
			map[string]any{"key": "a", "type": "number"})), []string{"form"}},
		{"form unknown type", with("form", form(map[string]any{"key": "a", "type": "money"})), []string{"form"}},
		{"form missing type", with("form", form(map[string]any{"key": "a"})), []string{"form"}},
		{"form select without options", with("form", form(map[string]any{"key": "a", "type": "select"})), []string{"form"}},
		{"form select empty options", with("form", form(map[string]any{"key": "a", "type": "select", "options": []any{}})), []string{"form"}},
		{"form required not bool", with("form", form(map[string]any{"key": "a", "type": "text", "required": "yes"})), []string{"form"}},
		{"form field not object", with("form", []any{"a"}), []string{"form"}},
		{"form several bad fields", with("form", form(
			map[string]any{"key": "", "type": "text"},
			map[string]any{"key": "b", "type": "select"})), []string{"form", "form"}},
		{"form field named outcome", with("form", form(map[string]any{"key": "outcome", "type": "text"})), []string{"form"}},
		{"form fields named comment and outcome", with("form", form(
			map[string]any{"key": "comment", "type": "textarea"},
			map[string]any{"key": "days", "type": "number"},
			map[string]any{"key": "outcome", "type": "select", "options": []any{"a"}})), []string{"form", "form"}},
		{"several", map[string]any{"mode": "x", "priority": 500.0, "outcomes": []any{}, "dueIn": "-1h"},
			[]string{"assignees", "mode", "priority", "outcomes", "dueIn"}},
	})
}

// TestApprovalReservedFormKeys: a form field named after a reserved key of the flat
// submit body is a coded problem naming the key.
func TestApprovalReservedFormKeys(t *testing.T) {
	values := map[string]any{"assignees": []any{"u1"}, "form": form(
		map[string]any{"key": "comment", "type": "textarea"}, map[string]any{"key": "outcomeNote", "type": "text"})}
	probs := Approval{}.Check(WithDefaults(Approval{}.Spec(), values))
	if len(probs) != 1 || probs[0].Code != "reserved_form_key" || probs[0].Params["key"] != "comment" || probs[0].Field != "form" {
		t.Fatalf("problems %+v, want one reserved_form_key for comment", probs)
	}
}

func TestCheckDelay(t *testing.T) {
	runCheckCases(t, Delay{}, []checkCase{
		{"duration string", map[string]any{"duration": "1h30m"}, nil},
		{"duration ms", map[string]any{"duration": 90000.0}, nil},
		{"duration days", map[string]any{"duration": "3d"}, nil},
		{"until rfc3339", map[string]any{"until": "2025-01-31T09:00:00+08:00"}, nil},
		{"until date", map[string]any{"until": "2025-01-31"}, nil},
		{"until dynamic", map[string]any{"until": "{{ input.deadline }}"}, nil},
		{"neither", map[string]any{}, []string{"duration"}},
		{"neither, empty strings", map[string]any{"duration": "", "until": " "}, []string{"duration"}},
		{"both", map[string]any{"duration": "1h", "until": "2025-01-31"}, []string{"until"}},
		{"both, one dynamic", map[string]any{"duration": "{{ input.wait }}", "until": "2025-01-31"}, nil},
		{"bad duration", map[string]any{"duration": "a while"}, []string{"duration"}},
		{"negative duration", map[string]any{"duration": -1.0}, []string{"duration"}},
		{"duration bool", map[string]any{"duration": true}, []string{"duration"}},
		{"bad until", map[string]any{"until": "next tuesday"}, []string{"until"}},
		{"until not string", map[string]any{"until": 5.0}, []string{"until"}},
		{"several", map[string]any{"duration": "x", "until": "y"}, []string{"duration", "until", "until"}},
	})
}

func TestCheckSubprocess(t *testing.T) {
	runCheckCases(t, Subprocess{}, []checkCase{
		{"good", map[string]any{"processId": "p1", "input": map[string]any{"a": 1.0}}, nil},
		{"dynamic input", map[string]any{"processId": "p1", "input": "{{ input }}"}, nil},
		{"processId not string", map[string]any{"processId": 7.0}, []string{"processId"}},
	})
}

func TestCheckEnd(t *testing.T) {
	runCheckCases(t, End{}, []checkCase{
		{"defaults", nil, nil},
		{"good", map[string]any{"output": "{{ nodes.a.output }}", "terminate": true, "statusCode": 201.0,
			"headers": map[string]any{"X-Request": "1"}}, nil},
		{"object output", map[string]any{"output": map[string]any{"ok": true}}, nil},
		{"status low", map[string]any{"statusCode": 99.0}, []string{"statusCode"}},
		{"status high", map[string]any{"statusCode": 600.0}, []string{"statusCode"}},
		{"status fractional", map[string]any{"statusCode": 200.5}, []string{"statusCode"}},
		{"status int", map[string]any{"statusCode": 404}, nil},
		{"status not number", map[string]any{"statusCode": "ok"}, []string{"statusCode"}},
		{"status dynamic", map[string]any{"statusCode": "{{ vars.code }}"}, nil},
		{"terminate not bool", map[string]any{"terminate": "yes"}, []string{"terminate"}},
		{"headers not object", map[string]any{"headers": "x"}, []string{"headers"}},
		{"headers empty key", map[string]any{"headers": map[string]any{"": "x"}}, []string{"headers"}},
		{"several", map[string]any{"statusCode": 1000.0, "terminate": 1.0, "headers": map[string]any{"a": 1.0, "b": false}},
			[]string{"statusCode", "terminate", "headers", "headers"}},
	})
}
