package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// apiCall calls the API of a test server as admin and decodes the "response".
func apiCall(t *testing.T, addr, password, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+addr+path, r)
	req.SetBasicAuth("admin", password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	// The seed's detail reads answer bare; everything else inside "response".
	if inner, ok := out["response"].(map[string]any); ok {
		return resp.StatusCode, inner
	}
	return resp.StatusCode, out
}

// TestBackupAndRestoreCommands: `flowcraft backup` copies the database of a
// running server that is starting instances; `flowcraft restore` refuses the
// directory that server uses and an existing database without --force, and
// restores into a fresh directory, where a new server serves every instance
// committed before the backup.
func TestBackupAndRestoreCommands(t *testing.T) {
	const password = "backup-test-secret"
	env := map[string]string{"FLOWCRAFT_ADMIN_PASSWORD": password}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	dir := t.TempDir()
	addr, _, stop := startServer(t, dir, env)
	defer stop()

	def := map[string]any{"name": "Backed up", "tasks": []any{
		map[string]any{"instId": "task-start001", "template": "manual", "positions": []any{0, 0}, "connections": []any{map[string]any{"to": "task-code0001"}}},
		map[string]any{"instId": "task-code0001", "template": "script", "positions": []any{1, 0}, "connections": []any{map[string]any{"to": "task-end00001"}},
			"parameters": map[string]any{"code": map[string]any{"value": "return {n: trigger.n};"}}},
		map[string]any{"instId": "task-end00001", "template": "end", "positions": []any{2, 0}, "parameters": map[string]any{"output": map[string]any{"value": "{{ input }}"}}},
	}}
	code, created := apiCall(t, addr, password, "POST", "/api/process", def)
	if code != http.StatusCreated {
		t.Fatalf("create process: %d %v", code, created)
	}
	proc := created["id"].(string)
	start := func(n int) string {
		code, inst := apiCall(t, addr, password, "POST", "/api/process/"+proc, map[string]any{"n": n})
		if code != http.StatusCreated {
			t.Errorf("start: %d %v", code, inst)
			return ""
		}
		return inst["id"].(string)
	}
	var committed []string
	for i := range 20 {
		committed = append(committed, start(i))
	}

	// Instances keep starting while the backup runs.
	stopLoad := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 100; ; i++ {
			select {
			case <-stopLoad:
				return
			default:
			}
			if start(i) == "" {
				return
			}
		}
	}()
	file := filepath.Join(t.TempDir(), "flowcraft.backup")
	var out bytes.Buffer
	err := run(ctx, []string{"backup", "--data", dir, file}, getenv, &out, io.Discard)
	close(stopLoad)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup while serving: %v", err)
	}
	if !strings.Contains(out.String(), "backup written: "+file) {
		t.Errorf("backup says %q", out.String())
	}
	if err := run(ctx, []string{"backup", file, "--data", dir}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("backup onto an existing file: %v", err)
	}
	if err := run(ctx, []string{"backup", "--force", "--data", dir, file}, getenv, io.Discard, io.Discard); err != nil {
		t.Errorf("backup --force: %v", err)
	}

	// The running server's directory is refused, even with --force.
	if err := run(ctx, []string{"restore", "--force", "--data", dir, file}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "stop it") {
		t.Errorf("restore into the directory of a running server: %v", err)
	}
	if err := run(ctx, []string{"restore", "--data", t.TempDir(), filepath.Join(dir, "nothing.db")}, getenv, io.Discard, io.Discard); err == nil {
		t.Errorf("restore of a missing file succeeded")
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	out.Reset()
	if err := run(ctx, []string{"restore", "--data", fresh, file}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("restore into a fresh directory: %v", err)
	}
	if !strings.Contains(out.String(), "restored "+file) {
		t.Errorf("restore says %q", out.String())
	}
	if err := run(ctx, []string{"restore", "--data", fresh, file}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a database without --force: %v", err)
	}

	addr2, _, stop2 := startServer(t, fresh, env)
	defer stop2()
	for _, id := range committed {
		code, inst := apiCall(t, addr2, password, "GET", "/api/processInst/"+id, nil)
		if code != http.StatusOK || fmt.Sprint(inst["id"]) != id || inst["processId"] != proc {
			t.Errorf("instance %s on the restored server: %d %v", id, code, inst)
		}
	}
	if _, err := os.Stat(filepath.Join(fresh, "flowcraft.db")); err != nil {
		t.Error(err)
	}
}

func TestFileCommandFlags(t *testing.T) {
	env := func(k string) string { return map[string]string{"FLOWCRAFT_DATA": "/srv/fc"}[k] }
	cfg, err := parseFileCmdFlags("backup", []string{"b.db"}, env, io.Discard)
	if err != nil || cfg.File != "b.db" || cfg.DataDir != "/srv/fc" || cfg.Force {
		t.Errorf("backup b.db: %+v %v", cfg, err)
	}
	cfg, err = parseFileCmdFlags("restore", []string{"b.db", "--force", "--data", "d"}, env, io.Discard)
	if err != nil || cfg.File != "b.db" || cfg.DataDir != "d" || !cfg.Force {
		t.Errorf("restore b.db --force --data d: %+v %v", cfg, err)
	}
	for _, bad := range [][]string{nil, {"a", "b"}, {"--nope", "a"}} {
		if _, err := parseFileCmdFlags("backup", bad, env, io.Discard); err == nil {
			t.Errorf("backup %v accepted", bad)
		}
	}
}
