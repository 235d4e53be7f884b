package web_test

// The contract of seed 000 (the engine's design, section 核心接口): every request and
// response example of the seed, run against the real server through app.Test. Each
// response example is kept as the seed prints it; a `{}` stands for the seed's
// `{...}` (an object of any content). An answer matches an example when it has every
// key the example has, with a value of the same JSON type, recursively (the first
// element of an example's array describes every element of the answer's, or with an
// instId the answer's element of that instId). flowcraft's
// own fields beside them are allowed.
//
// The seed's own inconsistencies and what flowcraft decided (docs/api.md, "Seed 000, exactly"):
//   - "/v1/process/proc-avxhke9u" in the detail example: a typo for /api; there is no
//     /v1 prefix (404), one path for one resource.
//   - "inst-avxhke9u" (instance) and "inst-xf2gh3xs9" (task instance) ids: flowcraft's
//     instance and task instance ids are the decimal snowflakes the start and the inbox
//     answer (as "1541815603606036480" in the start and detail examples); an inst- id
//     is an unknown one: 404 in the API's error shape, never 400 or 500.
//   - the examples elide objects ("inputDataSchema": {...}, "tasks": [...]) and show a
//     required "code" parameter with the value "": the requests below fill them with a
//     definition that passes validation.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"flowcraft/web"
)

// seed000 holds the seed's examples, verbatim but for the elisions.
var seed000 = struct {
	createRequest, createResponse, processDetail, taskDetail  string
	startRequest, startResponse, instanceDetail, instanceTask string
	inboxResponse, submitRequest                              string
}{
	createRequest: `{
"name": "Unknown",
"description": "",
"startTaskInstId": "",
"endTaskInstId": "",
"engine": "fast",
"status": "",
"creator": "admin",
"executor": "",
"timeout": 0,
"inputDataSchema": {"type": "object", "properties": {"param1": {"type": "string"}, "param2": {"type": "string"}}},
"outputDataSchema": {"type": "object"},
"error": "",
"extension": {"color": "blue"},
"metadata": {"owner": "ops"},
"tasks": [
{"instId": "task-start001", "name": "开始", "template": "manual", "connections": [{"to": "task-3udfizra"}]},
{
"instId": "task-3udfizra",
"name": "脚本任务执行",
"description": "执行脚本任务",
"template": "script",
"positions": [],
"connections": [],
"parameters": {
"code": {
"label": "代码",
"type": "string",
"value": "return 'ok'",
"default": "",
"required": true
}
},
"errorHandler": {},
"loopHandler": {},
"timeout": 0,
"isIgnore": false
}
]
}`,
	createResponse: `{"response": {"id": "proc-avxhke9u"}}`,
	processDetail: `{
"id":"proc-avxhke9u",
"name": "Unknown",
"description": "",
"startTaskInstId": "",
"endTaskInstId": "",
"engine": "fast",
"status": "",
"creator": "admin",
"executor": "",
"timeout": 0,
"inputDataSchema": {},
"outputDataSchema": {},
"error": "",
"extension": {},
"metadata": {},
"tasks": [{}]
}`,
	taskDetail: `{
"instId": "task-3udfizra",
"name": "脚本任务执行",
"description": "执行脚本任务",
"template": "script",
"positions": [],
"connections": [],
"parameters": {
"code": {
"label": "代码",
"type": "string",
"value": "",
"default": "",
"required": true
}
},
"errorHandler": {},
"loopHandler": {},
"timeout": 0,
"isIgnore": false
}`,
	startRequest:  `{"param1": "hello world", "param2": "tester"}`,
	startResponse: `{"response": {"id": "1541815603606036480"}}`,
	instanceDetail: `{
"id":"1541815603606036480",
"proc_id":"proc-avxhke9u",
"name": "Unknown",
"description": "",
"startTaskInstId": "",
"endTaskInstId": "",
"engine": "fast",
"status": "",
"creator": "admin",
"executor": "",
"timeout": 0,
"inputDataSchema": {},
"outputDataSchema": {},
"error": "",
"extension": {},
"metadata": {},
"tasks": [
{
"instId": "task-3udfizra",
"name": "脚本任务执行",
"description": "执行脚本任务",
"template": "script",
"positions": [],
"connections": [],
"parameters": {
"code": {
"label": "代码",
"type": "string",
"value": "",
"default": "",
"required": true
}
},
"errorHandler": {},
"loopHandler": {},
"timeout": 0,
"isIgnore": false,
"runtimes": [
{
"index": 0,
"startAt": 1700063265000,
"endAt": 1700063307000,
"status": "done",
"error": "",
"input": {
"code": "xxx"
},
"output": "ok"
}
]
}
]
}`,
	inboxResponse: `{
"response": {
"list": [
{
"id": "inst-xf2gh3xs9",
"name":"请假条审批",
"content":"由于.....",
"createAt":"2023-12-01 10:00:00"
}
],
"total": 1
}
}`,
	submitRequest: `{
"key1": "value1",
"key2": "value2"
}`,
}

// seedApproval is a process whose approval task (请假条审批) goes to zhangsan with a
// form of the submit example's keys.
const seedApproval = `{"name": "请假", "tasks": [
 {"instId": "task-start001", "template": "manual", "connections": [{"to": "task-appr0001"}]},
 {"instId": "task-appr0001", "name": "请假条审批", "template": "approval", "connections": [{"to": "task-end00001"}],
  "parameters": {"assignees": {"value": ["zhangsan"]}, "content": {"value": "由于{{ trigger.reason }}....."},
   "form": {"value": [{"key": "key1", "label": "Key 1", "type": "text"}, {"key": "key2", "label": "Key 2", "type": "text"}]}}},
 {"instId": "task-end00001", "template": "end", "parameters": {"output": {"value": "{{ input }}"}}}]}`

// shapeMismatches lists where got does not match the seed example want.
func shapeMismatches(path string, want, got any) []string {
	kind := func(v any) string {
		switch v.(type) {
		case nil:
			return "null"
		case string:
			return "string"
		case float64:
			return "number"
		case bool:
			return "boolean"
		case []any:
			return "array"
		case map[string]any:
			return "object"
		}
		return fmt.Sprintf("%T", v)
	}
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s: %s, the seed has a %s", path, kind(got), kind(want))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, shapeMismatches(path+"."+k, wv, gv)...)
		}
	case []any:
		if len(w) == 0 {
			return nil
		}
		g := got.([]any)
		if len(g) == 0 {
			return []string{path + ": empty, the seed shows elements"}
		}
		// A task of the example describes the answer's task of the same instId.
		id, byID := asMap(w[0])["instId"]
		matched := false
		for i, gv := range g {
			if byID && asMap(gv)["instId"] != id {
				continue
			}
			matched = true
			out = append(out, shapeMismatches(fmt.Sprintf("%s[%d]", path, i), w[0], gv)...)
		}
		if !matched {
			out = append(out, fmt.Sprintf("%s: no element with instId %v", path, id))
		}
	}
	return out
}

func decodeSeed(t *testing.T, name, text string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("seed example %s: %v", name, err)
	}
	return v
}

// seedEnv is a server in Asia/Shanghai with zhangsan (a user), the seed's process and
// one instance of it, and the approval process with zhangsan's open task.
type seedEnv struct {
	*testEnv
	procID, instID, taskInstID, approvalInst string
}

func newSeedEnv(t *testing.T) *seedEnv {
	t.Helper()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	e := &seedEnv{testEnv: newTestEnvWith(t, web.Config{Location: shanghai})}
	if r := e.call(t, "POST", "/api/users", "admin", map[string]any{"id": "zhangsan", "name": "张三", "password": testPassword}); r.Status != 201 {
		t.Fatalf("create zhangsan: %d %s", r.Status, r.Body)
	}
	return e
}

func body(t *testing.T, r reply) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, r.Body)
	}
	return v
}

// TestSeed000Contract runs the seed's examples in order: create, read, start, read the
// instance and one of its tasks, the inbox, submit.
func TestSeed000Contract(t *testing.T) {
	e := newSeedEnv(t)
	idRe := regexp.MustCompile(`^[1-9][0-9]{0,18}$`)
	type scenario struct {
		name    string
		method  string
		path    func() string
		user    string
		request string // the seed's request body, "" for none
		status  int
		example string // the seed's response example
		check   func(t *testing.T, got map[string]any)
	}
	cases := []scenario{
		{name: "创建流程 POST /api/process", method: "POST", path: func() string { return "/api/process" }, user: "admin",
			request: seed000.createRequest, status: http.StatusCreated, example: seed000.createResponse,
			check: func(t *testing.T, got map[string]any) {
				e.procID = got["response"].(map[string]any)["id"].(string)
				if !regexpProcID.MatchString(e.procID) {
					t.Errorf("process id %q is not proc- + 8 characters", e.procID)
				}
			}},
		{name: "获取流程详情 GET /api/process/{process_id}", method: "GET", path: func() string { return "/api/process/" + e.procID }, user: "admin",
			status: http.StatusOK, example: seed000.processDetail,
			check: func(t *testing.T, got map[string]any) {
				if _, ok := got["response"]; ok {
					t.Error("the detail is wrapped in response: the seed answers it bare")
				}
				if got["id"] != e.procID || got["name"] != "Unknown" || got["engine"] != "fast" || got["creator"] != "admin" ||
					got["startTaskInstId"] != "task-start001" || got["extension"].(map[string]any)["color"] != "blue" {
					t.Errorf("detail values: %v", got)
				}
			}},
		{name: "获取任务详情 GET /api/process/{process_id}/{task_id}", method: "GET", path: func() string { return "/api/process/" + e.procID + "/task-3udfizra" },
			user: "admin", status: http.StatusOK, example: seed000.taskDetail,
			check: func(t *testing.T, got map[string]any) {
				if got["instId"] != "task-3udfizra" || got["description"] != "执行脚本任务" || got["parameters"].(map[string]any)["code"].(map[string]any)["required"] != true {
					t.Errorf("task values: %v", got)
				}
			}},
		{name: "启动流程实例 POST /api/process/{process_id}", method: "POST", path: func() string { return "/api/process/" + e.procID + "?wait=10s" }, user: "admin",
			request: seed000.startRequest, status: http.StatusCreated, example: seed000.startResponse,
			check: func(t *testing.T, got map[string]any) {
				e.instID = got["response"].(map[string]any)["id"].(string)
				if !idRe.MatchString(e.instID) {
					t.Errorf("instance id %q is not a decimal snowflake", e.instID)
				}
			}},
		{name: "获取流程实例详情 GET /api/processInst/{inst_id}", method: "GET", path: func() string { return "/api/processInst/" + e.instID }, user: "admin",
			status: http.StatusOK, example: withoutRuntimeInput(t, seed000.instanceDetail),
			check: func(t *testing.T, got map[string]any) {
				if got["id"] != e.instID || got["proc_id"] != e.procID || got["status"] != "done" || got["creator"] != "admin" ||
					got["executor"] != "admin" || got["trigger"].(map[string]any)["param1"] != "hello world" {
					t.Errorf("instance values: id %v proc_id %v status %v creator %v executor %v trigger %v",
						got["id"], got["proc_id"], got["status"], got["creator"], got["executor"], got["trigger"])
				}
				def := body(t, e.call(t, "GET", "/api/process/"+e.procID, "admin", nil)).(map[string]any)
				for k := range def {
					if _, ok := got[k]; !ok && k != "enabled" && k != "triggerToken" {
						t.Errorf("the instance lacks the definition's %q", k)
					}
				}
				var script map[string]any
				for _, x := range got["tasks"].([]any) {
					if x.(map[string]any)["instId"] == "task-3udfizra" {
						script = x.(map[string]any)
					}
				}
				rt := script["runtimes"].([]any)[0].(map[string]any)
				if rt["output"] != "ok" || rt["status"] != "done" || rt["index"] != float64(0) {
					t.Errorf("runtime %v", rt)
				}
			}},
		{name: "获取流程实例详情: runtime input = the task's parameters", method: "GET", path: func() string { return "/api/processInst/" + e.instID },
			user: "admin", status: http.StatusOK, example: seed000.instanceDetail,
			check: func(t *testing.T, got map[string]any) {
				for _, x := range got["tasks"].([]any) {
					if x.(map[string]any)["instId"] != "task-3udfizra" {
						continue
					}
					in := x.(map[string]any)["runtimes"].([]any)[0].(map[string]any)["input"]
					if in.(map[string]any)["code"] != "return 'ok'" {
						t.Errorf("runtime input %v, want the resolved parameters", in)
					}
				}
			}},
		{name: "获取任务实例详情 GET /api/processInst/{inst_id}/{task_id}", method: "GET", path: func() string { return "/api/processInst/" + e.instID + "/task-3udfizra" },
			user: "admin", status: http.StatusOK, example: withoutRuntimeInput(t, taskOfInstanceExample(t)),
			check: func(t *testing.T, got map[string]any) {
				if got["instId"] != "task-3udfizra" || len(got["runtimes"].([]any)) != 1 {
					t.Errorf("task %v", got)
				}
			}},
		{name: "查询代办任务 GET /api/taskInsts", method: "GET", path: func() string {
			e.startApproval(t)
			return "/api/taskInsts?user=zhangsan&limit=20&offset=0"
		}, user: "zhangsan", status: http.StatusOK, example: seed000.inboxResponse,
			check: func(t *testing.T, got map[string]any) {
				resp := got["response"].(map[string]any)
				if resp["total"] != float64(1) {
					t.Fatalf("total %v", resp["total"])
				}
				item := resp["list"].([]any)[0].(map[string]any)
				e.taskInstID = item["id"].(string)
				if !idRe.MatchString(e.taskInstID) || item["name"] != "请假条审批" || item["content"] != "由于家事....." {
					t.Errorf("item %v", item)
				}
				// createAt: the seed's text time, in the server's zone (Asia/Shanghai here).
				one := body(t, e.call(t, "GET", "/api/taskInst/"+e.taskInstID, "zhangsan", nil)).(map[string]any)["response"].(map[string]any)
				ms := int64(one["createAt"].(float64))
				shanghai, _ := time.LoadLocation("Asia/Shanghai")
				if want := time.UnixMilli(ms).In(shanghai).Format("2006-01-02 15:04:05"); item["createAt"] != want {
					t.Errorf("createAt %v, want %s (Asia/Shanghai)", item["createAt"], want)
				}
				// The same as admin reading zhangsan's inbox.
				if r := e.call(t, "GET", "/api/taskInsts?user=zhangsan&limit=20&offset=0", "admin", nil); !strings.Contains(string(r.Body), `"createAt":"`+item["createAt"].(string)+`"`) {
					t.Errorf("admin's view of the inbox: %s", r.Body)
				}
			}},
		{name: "提交任务 POST /api/taskInst/{task_inst_id}", method: "POST", path: func() string { return "/api/taskInst/" + e.taskInstID }, user: "zhangsan",
			request: seed000.submitRequest, status: http.StatusOK, example: `{"response": {}}`,
			check: func(t *testing.T, got map[string]any) {
				task := got["response"].(map[string]any)
				form, _ := task["formData"].(map[string]any)
				if task["status"] != "done" || form["key1"] != "value1" || form["key2"] != "value2" {
					t.Errorf("submitted task %v", task)
				}
				in := e.instance(t, e.approvalInst, "done")
				if in["status"] != "done" {
					t.Errorf("the approval's instance %v", in["status"])
				}
			}},
	}
	for _, c := range cases {
		ok := t.Run(c.name, func(t *testing.T) {
			var req any
			if c.request != "" {
				req = c.request
			}
			r := e.call(t, c.method, c.path(), c.user, req)
			if r.Status != c.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, c.status)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			got := body(t, r)
			for _, m := range shapeMismatches("$", decodeSeed(t, c.name, c.example), got) {
				t.Error(m)
			}
			if c.check != nil {
				if m, ok := got.(map[string]any); ok {
					c.check(t, m)
				}
			}
		})
		if !ok && (e.procID == "" || e.instID == "") {
			t.Fatal("the examples build on each other: stopping")
		}
	}
}

// startApproval starts the approval process as zhangsan (once).
func (e *seedEnv) startApproval(t *testing.T) {
	t.Helper()
	if e.approvalInst != "" {
		return
	}
	pid := e.createProcess(t, seedApproval)
	r := e.call(t, "POST", "/api/process/"+pid, "zhangsan", map[string]any{"reason": "家事"})
	if r.Status != http.StatusCreated {
		t.Fatalf("start approval: %d %s", r.Status, r.Body)
	}
	e.approvalInst = r.json(t)["response"].(map[string]any)["id"].(string)
	e.taskOf(t, "zhangsan", e.approvalInst)
}

// taskOfInstanceExample is the example of GET /api/processInst/{inst_id}/{task_id}: the
// seed prints it whole; it is the instance example's task.
func taskOfInstanceExample(t *testing.T) string {
	t.Helper()
	const text = `{
"instId": "task-3udfizra",
"name": "脚本任务执行",
"description": "执行脚本任务",
"template": "script",
"positions": [],
"connections": [],
"parameters": {
"code": {
"label": "代码",
"type": "string",
"value": "",
"default": "",
"required": true
}
},
"errorHandler": {},
"loopHandler": {},
"timeout": 0,
"isIgnore": false,
"runtimes": [
{
"index": 0,
"startAt": 1700063265000,
"endAt": 1700063307000,
"status": "done",
"error": "",
"input": {
"code": "xxx"
},
"output": "ok"
}
]
}`
	inst := decodeSeed(t, "instance", seed000.instanceDetail).(map[string]any)
	task := decodeSeed(t, "task", text)
	if fmt.Sprint(inst["tasks"].([]any)[0]) != fmt.Sprint(task) {
		t.Fatal("the seed's task instance example is the instance example's task")
	}
	return text
}

// withoutRuntimeInput is an example with its runtimes' input left out: the shape of
// input (the task's resolved parameters) is checked by its own case.
func withoutRuntimeInput(t *testing.T, text string) string {
	t.Helper()
	v := decodeSeed(t, "example", text)
	var strip func(any)
	strip = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if rts, ok := x["runtimes"].([]any); ok {
				for _, rt := range rts {
					delete(rt.(map[string]any), "input")
				}
			}
			for _, y := range x {
				strip(y)
			}
		case []any:
			for _, y := range x {
				strip(y)
			}
		}
	}
	strip(v)
	b, _ := json.Marshal(v)
	return string(b)
}

// TestSeed000Inconsistencies tests what flowcraft decided where the seed contradicts
// itself (see the top of this file).
func TestSeed000Inconsistencies(t *testing.T) {
	e := newSeedEnv(t)
	pid := e.createProcess(t, seed000.createRequest)
	// /v1/process/{id}: no such prefix; the resource lives under /api.
	if r := e.call(t, "GET", "/v1/process/"+pid, "admin", nil); r.Status != http.StatusNotFound {
		t.Errorf("/v1/process: %d, want 404", r.Status)
	}
	if r := e.call(t, "GET", "/api/process/"+pid, "admin", nil); r.Status != http.StatusOK {
		t.Errorf("/api/process: %d", r.Status)
	}
	// inst- ids are not flowcraft's: unknown instance and task instance, 404 in the
	// API's error shape.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/processInst/inst-avxhke9u", ""},
		{"GET", "/api/processInst/inst-avxhke9u/task-3udfizra", ""},
		{"GET", "/api/taskInst/inst-xf2gh3xs9", ""},
		{"POST", "/api/taskInst/inst-xf2gh3xs9", `{"outcome": "approve"}`},
	} {
		var b any
		if c.body != "" {
			b = c.body
		}
		r := e.call(t, c.method, c.path, "admin", b)
		if r.Status != http.StatusNotFound {
			t.Errorf("%s %s: %d %s, want 404", c.method, c.path, r.Status, r.Body)
			continue
		}
		m := r.json(t)
		if m["statusCode"] != float64(404) || !strings.Contains(m["errorMessage"].(string), "inst-") {
			t.Errorf("%s %s: %s", c.method, c.path, r.Body)
		}
	}
}

// TestSeed000OpenAPI: the OpenAPI document describes the seed's routes as they
// answer: the four detail reads bare (their schema is the object), the rest inside
// "response"; and every key the server answered for a bare read is a documented
// property.
func TestSeed000OpenAPI(t *testing.T) {
	e := newSeedEnv(t)
	doc := e.call(t, "GET", "/api/openapi.json", "admin", nil).json(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	pid := e.createProcess(t, seed000.createRequest)
	start := e.call(t, "POST", "/api/process/"+pid+"?wait=10s", "admin", seed000.startRequest)
	inst := start.json(t)["response"].(map[string]any)["id"].(string)
	// properties resolves a schema (a $ref or an allOf of them) to its property names.
	var properties func(s map[string]any) map[string]any
	properties = func(s map[string]any) map[string]any {
		out := map[string]any{}
		if ref, ok := s["$ref"].(string); ok {
			return properties(schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any))
		}
		for _, part := range asList(s["allOf"]) {
			for k, v := range properties(part.(map[string]any)) {
				out[k] = v
			}
		}
		for k, v := range asMap(s["properties"]) {
			out[k] = v
		}
		return out
	}
	for _, c := range []struct {
		docPath, method, path string
		bare                  bool
	}{
		{"/api/process", "post", "", false},
		{"/api/process/{id}", "get", "/api/process/" + pid, true},
		{"/api/process/{id}/{task_id}", "get", "/api/process/" + pid + "/task-3udfizra", true},
		{"/api/process/{id}", "post", "", false},
		{"/api/processInst/{inst_id}", "get", "/api/processInst/" + inst, true},
		{"/api/processInst/{inst_id}/{task_id}", "get", "/api/processInst/" + inst + "/task-3udfizra", true},
		{"/api/taskInsts", "get", "", false},
		{"/api/taskInst/{id}", "post", "", false},
	} {
		op := asMap(asMap(doc["paths"].(map[string]any)[c.docPath])[c.method])
		var schema map[string]any
		for code, resp := range asMap(op["responses"]) {
			if strings.HasPrefix(code, "2") {
				schema = asMap(asMap(asMap(asMap(resp)["content"])["application/json"])["schema"])
			}
		}
		if schema == nil {
			t.Errorf("%s %s: no success schema", c.method, c.docPath)
			continue
		}
		props := properties(schema)
		_, wrapped := props["response"]
		if wrapped == c.bare {
			t.Errorf("%s %s: documented wrapped=%v, the seed answers it bare=%v", c.method, c.docPath, wrapped, c.bare)
		}
		if c.path == "" {
			continue
		}
		got := e.call(t, "GET", c.path, "admin", nil).json(t)
		for k := range got {
			if _, ok := props[k]; !ok {
				t.Errorf("%s %s answers %q, which the document does not list", c.method, c.docPath, k)
			}
		}
		if tasks, ok := got["tasks"].([]any); ok && len(tasks) > 0 {
			items := asMap(asMap(props["tasks"])["items"])
			taskProps := properties(items)
			for k := range tasks[0].(map[string]any) {
				if _, ok := taskProps[k]; !ok {
					t.Errorf("%s %s: a task answers %q, which the document does not list", c.method, c.docPath, k)
				}
			}
		}
	}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

// TestSeed000WebsocketSnapshot: the first message of /ws/processInst/{id} is the
// instance exactly as GET /api/processInst/{id} answers it, plus "type": "snapshot".
func TestSeed000WebsocketSnapshot(t *testing.T) {
	e, addr := serveEnv(t, web.Config{})
	pid := e.createProcess(t, seed000.createRequest)
	inst := e.call(t, "POST", "/api/process/"+pid+"?wait=10s", "admin", seed000.startRequest).json(t)["response"].(map[string]any)["id"].(string)
	ws, _, err := dialWS(t, addr, "/ws/processInst/"+inst, "admin")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var snap map[string]any
	if err := ws.ReadJSON(&snap); err != nil {
		t.Fatal(err)
	}
	if snap["type"] != "snapshot" {
		t.Fatalf("first message %v", snap["type"])
	}
	delete(snap, "type")
	got := e.call(t, "GET", "/api/processInst/"+inst, "admin", nil).json(t)
	a, _ := json.Marshal(snap)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("snapshot %s\n  differs from the detail %s", a, b)
	}
	for _, m := range shapeMismatches("$", decodeSeed(t, "instance", seed000.instanceDetail), snap) {
		t.Error(m)
	}
}
