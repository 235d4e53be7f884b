package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// inbox returns the open tasks of a user.
func (e *testEnv) inbox(t *testing.T, user string, query string) []map[string]any {
	t.Helper()
	r := e.call(t, "GET", "/api/taskInsts"+query, user, nil)
	if r.Status != 200 {
		t.Fatalf("inbox of %s: %d %s", user, r.Status, r.Body)
	}
	var out []map[string]any
	for _, x := range r.json(t)["response"].(map[string]any)["list"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// instance waits until an instance has the status and returns it.
func (e *testEnv) instance(t *testing.T, id, status string) map[string]any {
	t.Helper()
	in, err := e.rt.WaitEnded(t.Context(), mustID(t, id), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := e.call(t, "GET", "/api/processInst/"+id, "admin", nil)
	m := r.json(t)
	if m["status"] != status {
		t.Fatalf("instance %s: status %v (%v), want %s", id, m["status"], in.Error, status)
	}
	return m
}

// leaveEnv sets up examples/leave-approval.json with users lisi (manager), wangwu and
// zhaoliu (group hr) and zhangsan (applicant).
func leaveEnv(t *testing.T) (*testEnv, string) {
	e := newTestEnv(t)
	for _, step := range []struct {
		path string
		body any
	}{
		{"/api/groups", map[string]any{"id": "hr", "name": "人事"}},
		{"/api/users", map[string]any{"id": "wangwu", "name": "王五", "password": testPassword, "groups": []string{"hr"}}},
		{"/api/users", map[string]any{"id": "zhaoliu", "name": "赵六", "password": testPassword, "groups": []string{"hr"}}},
		{"/api/users", map[string]any{"id": "zhangsan", "name": "张三", "password": testPassword}},
	} {
		if r := e.call(t, "POST", step.path, "admin", step.body); r.Status != 201 {
			t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	return e, e.createProcess(t, example(t, "leave-approval.json"))
}

func (e *testEnv) startLeave(t *testing.T, pid string, days float64) string {
	t.Helper()
	r := e.call(t, "POST", "/api/process/"+pid, "zhangsan", map[string]any{"applicant": "张三", "days": days, "reason": "家事"})
	if r.Status != 201 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	return r.json(t)["response"].(map[string]any)["id"].(string)
}

// taskOf waits for the user's open task of an instance.
func (e *testEnv) taskOf(t *testing.T, user, instID string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, task := range e.inbox(t, user, "") {
			if task["processInstId"] == instID {
				return task
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s has no task of instance %s", user, instID)
	return nil
}

func TestLeaveApprovalExample(t *testing.T) {
	e, pid := leaveEnv(t)

	t.Run("3 days approved by lisi", func(t *testing.T) {
		id := e.startLeave(t, pid, 3)
		task := e.taskOf(t, "lisi", id)
		if task["content"] != "张三 请假 3 天：家事" || task["name"] != "经理审批" || task["processName"] != "请假审批" {
			t.Errorf("task %v", task)
		}
		tid := task["id"].(string)
		if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "comment": "同意"}); r.Status != 200 {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		inst := e.instance(t, id, "done")
		if out := inst["output"].(map[string]any); out["approved"] != true || out["days"] != float64(3) {
			t.Errorf("output %v", out)
		}
		done := e.inbox(t, "lisi", "?status=done")
		if len(done) != 1 || done[0]["outcome"] != "approve" || done[0]["comment"] != "同意" {
			t.Errorf("lisi's done list %v", done)
		}
	})

	t.Run("5 days needs lisi then hr", func(t *testing.T) {
		id := e.startLeave(t, pid, 5)
		task := e.taskOf(t, "lisi", id)
		e.call(t, "POST", "/api/taskInst/"+task["id"].(string), "lisi", map[string]any{"outcome": "approve"})
		hr := e.taskOf(t, "wangwu", id)
		if hr["content"] != "张三 请假 5 天" {
			t.Errorf("hr task content %v", hr["content"])
		}
		if len(e.inbox(t, "lisi", "")) != 0 {
			t.Errorf("lisi sees the hr task")
		}
		e.taskOf(t, "zhaoliu", id) // every member of hr sees it
		hid := hr["id"].(string)
		if r := e.call(t, "POST", "/api/taskInst/"+hid+"/claim", "wangwu", nil); r.Status != 200 || r.json(t)["response"].(map[string]any)["assignee"] != "wangwu" {
			t.Fatalf("claim: %d %s", r.Status, r.Body)
		}
		if r := e.call(t, "POST", "/api/taskInst/"+hid, "zhaoliu", map[string]any{"outcome": "approve"}); r.Status != http.StatusConflict {
			t.Fatalf("zhaoliu completes wangwu's claimed task: %d %s", r.Status, r.Body)
		}
		if got := e.inbox(t, "zhaoliu", ""); len(got) != 0 {
			t.Errorf("claimed task still in zhaoliu's inbox")
		}
		if r := e.call(t, "POST", "/api/taskInst/"+hid, "wangwu", map[string]any{"outcome": "approve"}); r.Status != 200 {
			t.Fatalf("hr approve: %d %s", r.Status, r.Body)
		}
		inst := e.instance(t, id, "done")
		if out := inst["output"].(map[string]any); out["approved"] != true || out["days"] != float64(5) {
			t.Errorf("output %v", out)
		}
	})

	t.Run("reject by lisi", func(t *testing.T) {
		id := e.startLeave(t, pid, 2)
		task := e.taskOf(t, "lisi", id)
		e.call(t, "POST", "/api/taskInst/"+task["id"].(string), "lisi", map[string]any{"outcome": "reject", "comment": "项目紧"})
		inst := e.instance(t, id, "done")
		if out := inst["output"].(map[string]any); out["approved"] != false {
			t.Errorf("output %v", out)
		}
		for _, tk := range inst["tasks"].([]any) {
			tm := tk.(map[string]any)
			if tm["instId"] == "task-end00002" && tm["status"] != "done" {
				t.Errorf("reject branch not taken: %v", tm)
			}
			if tm["instId"] == "task-mgr00001" {
				rt := tm["runtimes"].([]any)[0].(map[string]any)
				out := rt["output"].(map[string]any)
				decisions := out["decisions"].([]any)
				if out["outcome"] != "reject" || len(decisions) != 1 || decisions[0].(map[string]any)["user"] != "lisi" {
					t.Errorf("approval output %v", out)
				}
				if hts := rt["humanTasks"].([]any); len(hts) != 1 || hts[0].(map[string]any)["status"] != "done" {
					t.Errorf("human task state on the runtime: %v", rt["humanTasks"])
				}
			}
		}
	})
}

func TestTaskRules(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 1)
	tid := e.taskOf(t, "lisi", id)["id"].(string)
	cases := []struct {
		name, method, path, user string
		body                     any
		status                   int
		contains                 string
	}{
		{"stranger reads", "GET", "/api/taskInst/" + tid, "zhangsan", nil, 403, "not yours"},
		{"stranger completes", "POST", "/api/taskInst/" + tid, "zhangsan", map[string]any{"outcome": "approve"}, 403, "not yours"},
		{"bad outcome", "POST", "/api/taskInst/" + tid, "lisi", map[string]any{"outcome": "maybe"}, 400, "approve, reject"},
		{"unknown form field", "POST", "/api/taskInst/" + tid, "lisi", map[string]any{"outcome": "approve", "x": 1}, 400, "no field"},
		{"unknown task", "GET", "/api/taskInst/999", "lisi", nil, 404, "not found"},
		{"bad task id", "GET", "/api/taskInst/abc", "lisi", nil, 404, "not a task id"},
		{"other inbox", "GET", "/api/taskInsts?user=lisi", "zhangsan", nil, 403, "only admins"},
		{"bad status", "GET", "/api/taskInsts?status=maybe", "lisi", nil, 400, "status"},
		{"delegate to nobody", "POST", "/api/taskInst/" + tid + "/delegate", "lisi", map[string]any{}, 400, "assignee is required"},
		{"delegate to ghost", "POST", "/api/taskInst/" + tid + "/delegate", "lisi", map[string]any{"assignee": "ghost"}, 400, "unknown user"},
		{"resolve undelegated", "POST", "/api/taskInst/" + tid + "/resolve", "lisi", nil, 409, "not delegated"},
		{"unclaim direct", "POST", "/api/taskInst/" + tid + "/unclaim", "lisi", nil, 409, "assigned directly"},
		{"reads own", "GET", "/api/taskInst/" + tid, "lisi", nil, 200, `"outcomes":["approve","reject"]`},
		{"admin reads other inbox", "GET", "/api/taskInsts?user=lisi", "admin", nil, 200, `"total":1`},
		{"complete", "POST", "/api/taskInst/" + tid, "lisi", map[string]any{"outcome": "approve"}, 200, `"status":"done"`},
		{"complete twice", "POST", "/api/taskInst/" + tid, "lisi", map[string]any{"outcome": "approve"}, 409, "already done"},
		{"claim done", "POST", "/api/taskInst/" + tid + "/claim", "lisi", nil, 409, "already done"},
	}
	for _, tc := range cases {
		r := e.call(t, tc.method, tc.path, tc.user, tc.body)
		if r.Status != tc.status || !strings.Contains(string(r.Body), tc.contains) {
			t.Fatalf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
}

func TestDelegation(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 1)
	tid := e.taskOf(t, "lisi", id)["id"].(string)
	steps := []struct {
		path, user string
		body       any
		status     int
		contains   string
	}{
		{"/delegate", "lisi", map[string]any{"assignee": "wangwu", "comment": "请帮忙看一下"}, 200, `"delegation":"pending"`},
		{"", "wangwu", map[string]any{"outcome": "approve"}, 409, "resolve it back"},
		{"/resolve", "zhaoliu", nil, 403, "not yours"},
		{"/resolve", "wangwu", map[string]any{"comment": "没问题"}, 200, `"assignee":"lisi"`},
		{"", "wangwu", map[string]any{"outcome": "approve"}, 403, "not yours"},
		{"", "lisi", map[string]any{"outcome": "approve", "comment": "好"}, 200, `"action":"resolve","comment":"没问题"`},
	}
	for i, s := range steps {
		r := e.call(t, "POST", "/api/taskInst/"+tid+s.path, s.user, s.body)
		if r.Status != s.status || !strings.Contains(string(r.Body), s.contains) {
			t.Fatalf("step %d %s by %s: %d %s", i, s.path, s.user, r.Status, r.Body)
		}
	}
	e.instance(t, id, "done")
}

// TestClaimRace: 50 goroutines submit the same task; exactly one wins.
func TestClaimRace(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 5)
	e.call(t, "POST", "/api/taskInst/"+e.taskOf(t, "lisi", id)["id"].(string), "lisi", map[string]any{"outcome": "approve"})
	hid := e.taskOf(t, "wangwu", id)["id"].(string)
	statuses := make(chan int, 50)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := []string{"wangwu", "zhaoliu"}[i%2]
			statuses <- e.call(t, "POST", "/api/taskInst/"+hid, user, map[string]any{"outcome": "approve", "comment": fmt.Sprint(i)}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[409] != 49 {
		t.Fatalf("statuses %v", count)
	}
	inst := e.instance(t, id, "done")
	for _, tk := range inst["tasks"].([]any) {
		tm := tk.(map[string]any)
		if tm["instId"] == "task-hr000001" {
			out := tm["runtimes"].([]any)[0].(map[string]any)["output"].(map[string]any)
			if n := len(out["decisions"].([]any)); n != 1 {
				t.Fatalf("%d decisions recorded", n)
			}
		}
	}
}
