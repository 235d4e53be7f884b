package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/httpclient"
	"flowcraft/scripting"
)

func readExample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNightlyReportExample runs examples/nightly-report-cron.json, started by hand,
// against an allow-listed HTTP test server: one runtime per row, the summary as output.
func TestNightlyReportExample(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if hits == 1 {
			http.Error(w, "warming up", http.StatusServiceUnavailable) // the first call fails: errorHandler retries
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"rows": [{"id": 1, "qty": 2, "price": 3.5}, {"id": 2, "qty": 1, "price": 10}, {"id": 3, "qty": 4, "price": 0.25}]}`)
	}))
	defer srv.Close()

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(context.Background())
	reg := templates.Builtin()
	scripts := scripting.New(scripting.Options{})
	ids, _ := engine.NewIDGen(2)
	services := &templates.Services{Scripts: scripts, HTTP: httpclient.New(httpclient.Options{Allow: []string{"127.0.0.1"}})}
	rt := engine.NewRuntime(engine.RuntimeDeps{Store: store, Processes: store, Tasks: store, Directory: store, Templates: reg,
		Services: services, IDs: ids, Events: engine.NewEvents(), Log: log}, engine.RuntimeOptions{JobPoll: 20 * time.Millisecond})
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	defs := engine.NewDefinitions(store, engine.NewValidator(reg, scripts), time.Now, log)
	var p engine.Process
	if err := json.Unmarshal([]byte(readExample(t, "nightly-report-cron.json")), &p); err != nil {
		t.Fatal(err)
	}
	created, err := defs.Create(context.Background(), &p, "admin")
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.StartInstance(context.Background(), created.ID, map[string]any{}, engine.StartOptions{
		By: "admin", TriggerApp: "manual", Wait: 30 * time.Second, Vars: map[string]any{"reportUrl": srv.URL + "/rows"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Ended || res.Instance.Status != engine.StatusDone {
		t.Fatalf("instance %s: %s", res.Instance.Status, res.Instance.Error)
	}
	jsonEq(t, res.Instance.Output, map[string]any{"count": 3, "sum": 18})
	v, _ := rt.Describe(context.Background(), res.Instance.ID)
	jsonEq(t, statuses(v)["task-fetch001"], []string{"failed", "done"})
	each := task(v, "task-each0001").Runtimes
	if len(each) != 3 {
		t.Fatalf("%d loop runtimes, want one per row", len(each))
	}
	for i, r := range each {
		if r.Index != i || r.Status != engine.StatusDone {
			t.Errorf("row %d: index %d status %s", i, r.Index, r.Status)
		}
	}
	jsonEq(t, each[1].Output, map[string]any{"id": 2, "total": 10})
}
