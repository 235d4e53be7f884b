package web_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestHistoryCleanup: a definition's historyTimeToLive is set and read on the native
// API (0 by default: kept for ever; out of range: 400); POST /api/history/cleanup
// deletes the ended instances past it at once and answers what it removed.
func TestHistoryCleanup(t *testing.T) {
	e := newTestEnv(t)
	def := minimal("short-lived")
	def["historyTimeToLive"] = 30
	pid := e.createProcess(t, def)
	forever := e.createProcess(t, minimal("kept"))
	if r := e.call(t, "GET", "/api/process/"+pid, "dora", nil); r.json(t)["historyTimeToLive"] != 30.0 {
		t.Fatalf("ttl not answered: %s", r.Body)
	}
	if r := e.call(t, "GET", "/api/process/"+forever, "dora", nil); r.json(t)["historyTimeToLive"] != 0.0 {
		t.Fatalf("default ttl: %s", r.Body)
	}
	start := func(p string) string {
		r := e.call(t, "POST", "/api/process/"+p+"?wait=5s", "dora", map[string]any{})
		if r.Status != http.StatusCreated {
			t.Fatalf("start: %d %s", r.Status, r.Body)
		}
		resp := r.json(t)["response"].(map[string]any)
		if resp["status"] != "done" {
			t.Fatalf("not done: %s", r.Body)
		}
		return resp["id"].(string)
	}
	old, fresh, oldKept := start(pid), start(pid), start(forever)
	// Age two of them: ended 31 days ago.
	db, err := sql.Open("sqlite", "file:"+e.store.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	longAgo := time.Now().Add(-31 * 24 * time.Hour).UnixMilli()
	for _, id := range []string{old, oldKept} {
		if _, err := db.Exec(`UPDATE workflow_inst SET end_at_ms = ? WHERE uid = ?`, longAgo, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []string{"dora", "lisi"} {
		if r := e.call(t, "POST", "/api/history/cleanup", who, nil); r.Status != http.StatusForbidden {
			t.Errorf("cleanup as %s: %d %s", who, r.Status, r.Body)
		}
	}
	r := e.call(t, "POST", "/api/history/cleanup", "admin", nil)
	if r.Status != 200 {
		t.Fatalf("cleanup: %d %s", r.Status, r.Body)
	}
	rep := r.json(t)["response"].(map[string]any)
	if rep["deleted"] != 1.0 || rep["processes"].(map[string]any)[pid] != 1.0 || rep["batches"] != 1.0 {
		t.Errorf("report: %s", r.Body)
	}
	for id, status := range map[string]int{old: 404, fresh: 200, oldKept: 200} {
		if r := e.call(t, "GET", "/api/processInst/"+id, "admin", nil); r.Status != status {
			t.Errorf("instance %s: %d, want %d", id, r.Status, status)
		}
	}
	// Bad time-to-live values.
	for _, v := range []any{-1, 36501, "30", 1.5} {
		d := minimal("bad")
		d["historyTimeToLive"] = v
		r := e.call(t, "POST", "/api/process", "dora", d)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "historyTimeToLive") {
			t.Errorf("ttl %v: %d %s", v, r.Status, r.Body)
		}
	}
}
