package camunda_test

import (
	"strconv"
	"strings"
	"testing"

	"flowcraft/engine"
	"flowcraft/internal/apitest"
)

// TestQueriesBeyondOnePage: every filter of the external task query is the store's,
// so counts and pages are exact with more tasks than a page and than the 10,000 an
// earlier version filtered in the handler (it answered 400 past them).
func TestQueriesBeyondOnePage(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("bulk", "bulk"))
	const n, first = 10_050, 1_000_000
	// Every 4th task has priority 7; the odd ones wait on a second execution.
	jobs := apitest.ExternalJobs(t, e.st.Store, pid, 900_001, first, n, "", func(i int, j *engine.ExternalJob) {
		if i%4 == 0 {
			j.Priority = 7
		}
		if i%2 == 1 {
			j.NodeID++
		}
	})
	execA := jobs[0].NodeID.String()
	count := func(method, q, body string) float64 {
		t.Helper()
		r := e.call(t, method, "/external-task/count"+q, e.worker, body)
		if r.Status != 200 {
			t.Fatalf("count %s%s %s: %d %s", method, q, body, r.Status, r.Body)
		}
		return r.obj(t)["count"].(float64)
	}
	page := func(method, q, body string) []string {
		t.Helper()
		r := e.call(t, method, "/external-task"+q, e.worker, body)
		if r.Status != 200 {
			t.Fatalf("list %s%s %s: %d %s", method, q, body, r.Status, r.Body)
		}
		var out []string
		for _, v := range r.list(t) {
			out = append(out, v.(map[string]any)["id"].(string))
		}
		return out
	}
	id := func(i int) string { return strconv.Itoa(first + i) }

	// i%4 == 0 for i < 10,050: 2,513 tasks of priority 7.
	if got := count("GET", "?priorityHigherThanOrEquals=5", ""); got != 2513 {
		t.Errorf("count priority >= 5: %v, want 2513", got)
	}
	if got := count("GET", "?priorityLowerThanOrEquals=6&active=true", ""); got != n-2513 {
		t.Errorf("count priority <= 6: %v, want %d", got, n-2513)
	}
	got := page("GET", "?priorityHigherThanOrEquals=5&sortBy=id&sortOrder=asc&firstResult=2500&maxResults=1000", "")
	if len(got) != 13 || got[0] != id(4*2500) || got[12] != id(4*2512) {
		t.Errorf("last page of priority >= 5: %d tasks %v", len(got), got)
	}
	// Execution A holds the even tasks; of them the priority 0 ones are i%4 == 2.
	body := `{"executionId": "` + execA + `", "priorityLowerThanOrEquals": 0, "sorting": [{"sortBy": "id", "sortOrder": "asc"}]}`
	if got := count("POST", "", body); got != 2512 {
		t.Errorf("count execution A, priority 0: %v, want 2512", got)
	}
	got = page("POST", "?firstResult=1000&maxResults=1000", body)
	if len(got) != 1000 || got[0] != id(4*1000+2) || got[999] != id(4*1999+2) {
		t.Errorf("second page of execution A, priority 0: %d tasks, %s..%s", len(got), got[0], got[len(got)-1])
	}
	got = page("POST", "?firstResult=2500&maxResults=1000", body)
	if len(got) != 12 || got[11] != id(4*2511+2) {
		t.Errorf("last page of execution A, priority 0: %d tasks %v", len(got), got)
	}
	// Lists: ids (as written), instances, activities.
	if got := count("POST", "", `{"externalTaskIdIn": ["`+id(1)+`", "`+id(2)+`", "0`+id(3)+`", "x"], "processInstanceIdIn": ["900001"], "activityIdIn": ["task-ext00001"]}`); got != 2 {
		t.Errorf("count of an id list: %v, want 2", got)
	}
	if got := count("GET", "?processInstanceIdIn=900001,1&activityIdIn=task-ext00001,other&priorityHigherThanOrEquals=7", ""); got != 2513 {
		t.Errorf("count of instance and activity lists: %v, want 2513", got)
	}
	// A list longer than SQLite's placeholders per statement.
	long := `{"tenantIdIn": [""` + strings.Repeat(`,"x"`, 40_000) + `], "priorityHigherThanOrEquals": 7}`
	if got := count("POST", "", long); got != 2513 {
		t.Errorf("count of a 40,001-tenant list: %v, want 2513", got)
	}
	// Filters no task can meet.
	for _, body := range []string{`{"externalTaskIdIn": []}`, `{"activityIdIn": []}`, `{"processInstanceIdIn": ["+900001"]}`,
		`{"executionId": "+` + execA + `"}`, `{"active": true, "suspended": true}`, `{"suspended": true}`,
		`{"processInstanceId": "0900001"}`, `{"processInstanceId": "+900001"}`, `{"externalTaskId": "+` + id(1) + `"}`} {
		if got := count("POST", "", body); got != 0 {
			t.Errorf("count %s: %v, want 0", body, got)
		}
		if got := page("POST", "", body); len(got) != 0 {
			t.Errorf("list %s: %d tasks", body, len(got))
		}
	}
	// Lock expiration: none of these tasks is locked.
	if got := count("GET", "?lockExpirationBefore=2100-01-01T00:00:00.000%2B0000", ""); got != 0 {
		t.Errorf("count lock expiring before 2100: %v", got)
	}
}
