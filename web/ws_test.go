package web_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"flowcraft/web"
)

// serveEnv runs the test app on a loopback listener and returns its address.
func serveEnv(t *testing.T, cfg web.Config) (*testEnv, string) {
	t.Helper()
	e := newTestEnvWith(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.Shutdown() })
	return e, ln.Addr().String()
}

func dialWS(t *testing.T, addr, path, user string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if user != "" {
		h.Set("Authorization", basic(user))
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	return d.Dial("ws://"+addr+path, h)
}

// wsFlow waits for lisi's approval, then loops over 20 items and forks into a parallel
// join: many events, in an order the test can check.
func wsFlow() map[string]any {
	return map[string]any{"name": "ws", "tasks": []any{
		map[string]any{"instId": "start", "template": "manual", "connections": []any{map[string]any{"to": "gate"}}},
		map[string]any{"instId": "gate", "template": "approval", "connections": []any{map[string]any{"to": "each"}},
			"parameters": map[string]any{"assignees": map[string]any{"value": []any{"lisi"}}}},
		map[string]any{"instId": "each", "template": "script", "connections": []any{map[string]any{"to": "fork"}},
			"parameters":  map[string]any{"code": map[string]any{"value": "return item * 2"}},
			"loopHandler": map[string]any{"mode": "forEach", "items": "{{ Array.from({length: 20}, (_, i) => i) }}"}},
		map[string]any{"instId": "fork", "template": "parallel-gateway", "connections": []any{map[string]any{"to": "a"}, map[string]any{"to": "b"}}},
		map[string]any{"instId": "a", "template": "script", "connections": []any{map[string]any{"to": "join"}},
			"parameters": map[string]any{"code": map[string]any{"value": "return 'a'"}}},
		map[string]any{"instId": "b", "template": "script", "connections": []any{map[string]any{"to": "join"}},
			"parameters": map[string]any{"code": map[string]any{"value": "return 'b'"}}},
		map[string]any{"instId": "join", "template": "parallel-gateway", "connections": []any{map[string]any{"to": "end"}}},
		map[string]any{"instId": "end", "template": "end"},
	}}
}

type wsMsg struct {
	Type     string `json:"type"`
	TaskID   string `json:"taskId"`
	Status   string `json:"status"`
	Index    int    `json:"index"`
	Template string `json:"template"`
}

// readUntilDone reads messages until the instance's "process: done" and returns them.
func readUntilDone(c *websocket.Conn) ([]wsMsg, error) {
	var msgs []wsMsg
	// One deadline for the whole conversation, far beyond what it needs: the events
	// come only after every watcher has dialed, which takes long on a busy machine.
	c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return msgs, err
		}
		var m wsMsg
		json.Unmarshal(b, &m)
		msgs = append(msgs, m)
		if m.Type == "process" && m.Status == "done" {
			return msgs, nil
		}
	}
}

func TestInstanceWebsocket(t *testing.T) {
	// A client silent for two ping intervals is dropped: 6 s leaves the 200 reading
	// watchers room to answer pings on a busy machine (at 2 s one was dropped under
	// scripts/ci-under-load), while the stuck client below is dropped within 12 s.
	e, addr := serveEnv(t, web.Config{Streams: web.StreamConfig{QueueSize: 4096, PingInterval: 6 * time.Second}})
	pid := e.createProcess(t, wsFlow())
	id := e.call(t, "POST", "/api/process/"+pid, "dora", nil).json(t)["response"].(map[string]any)["id"].(string)
	task := e.taskOf(t, "lisi", id)

	// No credentials: the handshake is refused.
	if _, resp, err := dialWS(t, addr, "/ws/processInst/"+id, ""); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("unauthenticated dial: %v %v", resp, err)
	}
	// Someone else's instance.
	if _, resp, err := dialWS(t, addr, "/ws/processInst/"+id, "zhangsan"); err == nil || resp.StatusCode != 401 {
		// zhangsan does not exist in this env: 401; lisi did not start it: 403 below.
		t.Fatalf("unknown user dial: %v", err)
	}
	if _, resp, err := dialWS(t, addr, "/ws/processInst/"+id, "lisi"); err == nil || resp.StatusCode != 403 {
		t.Fatalf("non-starter dial: %v %v", resp, err)
	}

	// A client that never reads (and so never answers pings) must be dropped.
	stuck, _, err := dialWS(t, addr, "/ws/processInst/"+id, "dora")
	if err != nil {
		t.Fatal(err)
	}
	const watchers = 200
	conns := make([]*websocket.Conn, watchers)
	results := make([][]wsMsg, watchers)
	errs := make([]error, watchers)
	var wg sync.WaitGroup
	for i := range conns {
		if conns[i], _, err = dialWS(t, addr, "/ws/processInst/"+id, "dora"); err != nil {
			t.Fatalf("watcher %d: %v", i, err)
		}
		var snap struct {
			Type   string           `json:"type"`
			Status string           `json:"status"`
			Tasks  []map[string]any `json:"tasks"`
		}
		conns[i].SetReadDeadline(time.Now().Add(time.Minute))
		if err := conns[i].ReadJSON(&snap); err != nil || snap.Type != "snapshot" || snap.Status != "waiting" || len(snap.Tasks) != 8 {
			t.Fatalf("watcher %d snapshot: %+v %v", i, snap, err)
		}
		// Read from now on: a reading client answers the server's pings.
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = readUntilDone(conns[i]) }()
	}
	if r := e.call(t, "POST", "/api/taskInst/"+task["id"].(string), "lisi", map[string]any{"outcome": "approve"}); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	e.instance(t, id, "done")
	wg.Wait()
	for i := range conns {
		if errs[i] != nil {
			t.Fatalf("watcher %d: %v after %d messages (last %+v)", i, errs[i], len(results[i]), results[i][max(0, len(results[i])-1):])
		}
		checkOrder(t, results[i])
	}
	// The stuck client is dropped: its subscription ends while the watchers' stay.
	// (Reading it before that would answer the server's pings and keep it alive.)
	deadline := time.Now().Add(2 * time.Minute)
	for e.rt.Events().Subscribers() > watchers {
		if time.Now().After(deadline) {
			t.Fatalf("the stuck client was not dropped: %d subscriptions for %d watchers", e.rt.Events().Subscribers(), watchers)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Reading it now gets what was buffered, then the server's close, not the
	// client's own read deadline.
	stuck.SetReadDeadline(time.Now().Add(2 * time.Minute))
	for {
		_, _, err := stuck.ReadMessage()
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the stuck client was not dropped: %v", err)
		}
		break
	}
	// Reconnecting gets a fresh snapshot.
	conns[0].Close()
	again, _, err := dialWS(t, addr, "/ws/processInst/"+id, "dora")
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	again.ReadJSON(&snap)
	if snap["type"] != "snapshot" || snap["status"] != "done" {
		t.Fatalf("resync snapshot: %v", snap)
	}
	again.Close()
	for _, c := range conns[1:] {
		c.Close()
	}
}

// checkOrder checks that events describe the flow in a possible order.
func checkOrder(t *testing.T, msgs []wsMsg) {
	t.Helper()
	pos := map[string]int{}
	iterations := 0
	for i, m := range msgs {
		if m.Type == "node" && m.Status == "done" {
			if _, seen := pos[m.TaskID]; !seen {
				pos[m.TaskID] = i
			}
			if m.TaskID == "each" {
				iterations++
			}
		}
	}
	if iterations != 20 {
		t.Fatalf("%d loop iterations seen, want 20", iterations)
	}
	order := [][2]string{{"gate", "each"}, {"each", "a"}, {"each", "b"}, {"a", "join"}, {"b", "join"}, {"join", "end"}}
	for _, o := range order {
		a, okA := pos[o[0]]
		b, okB := pos[o[1]]
		if !okA || !okB || a > b {
			t.Fatalf("%s done at %d, %s done at %d", o[0], a, o[1], b)
		}
	}
	if last := msgs[len(msgs)-1]; last.Type != "process" || last.Status != "done" {
		t.Fatalf("last message %+v", last)
	}
}

func TestInboxWebsocket(t *testing.T) {
	e, addr := serveEnv(t, web.Config{})
	pid := e.createProcess(t, wsFlow())
	c, _, err := dialWS(t, addr, "/ws/inbox", "lisi")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var first map[string]any
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if err := c.ReadJSON(&first); err != nil || first["type"] != "snapshot" || first["total"] != float64(0) {
		t.Fatalf("inbox snapshot: %v %v", first, err)
	}
	e.call(t, "POST", "/api/process/"+pid, "dora", nil)
	var ev map[string]any
	if err := c.ReadJSON(&ev); err != nil || ev["type"] != "task" || ev["assignee"] != "lisi" || ev["status"] != "open" {
		t.Fatalf("new task event: %v %v", ev, err)
	}
	// Someone else's inbox stays quiet: dora gets nothing for lisi's task.
	d, _, err := dialWS(t, addr, "/ws/inbox", "dora")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.ReadJSON(&first)
	e.call(t, "POST", "/api/taskInst/"+ev["id"].(string), "lisi", map[string]any{"outcome": "approve"})
	if err := c.ReadJSON(&ev); err != nil || ev["status"] != "done" {
		t.Fatalf("completed task event: %v %v", ev, err)
	}
	d.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if err := d.ReadJSON(&ev); err == nil {
		t.Fatalf("dora got lisi's task event: %v", ev)
	} else if !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("dora's stream: %v", err)
	}
}
