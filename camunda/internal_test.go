package camunda

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// fakeExternal is an engine.ExternalTasks whose Fetch blocks until its context ends
// (or a job is handed to it), recording why it ended.
type fakeExternal struct {
	mu      sync.Mutex
	fetches []engine.FetchRequest
	ended   chan error // one per Fetch that waited: ctx.Err()
	handout chan []*engine.LockedJob
}

func newFake() *fakeExternal {
	return &fakeExternal{ended: make(chan error, 10), handout: make(chan []*engine.LockedJob, 10)}
}

func (f *fakeExternal) Fetch(ctx context.Context, req engine.FetchRequest) ([]*engine.LockedJob, error) {
	f.mu.Lock()
	f.fetches = append(f.fetches, req)
	f.mu.Unlock()
	if req.Wait == 0 {
		return nil, nil
	}
	t := time.NewTimer(req.Wait)
	defer t.Stop()
	select {
	case jobs := <-f.handout:
		return jobs, nil
	case <-t.C:
		return nil, nil
	case <-ctx.Done():
		f.ended <- ctx.Err()
		return nil, ctx.Err()
	}
}
func (f *fakeExternal) Complete(context.Context, engine.ID, string, []*engine.Variable, []*engine.Variable) error {
	return nil
}
func (f *fakeExternal) Fail(context.Context, engine.ID, engine.Failure) error { return nil }
func (f *fakeExternal) BPMNError(context.Context, engine.ID, string, string, string, []*engine.Variable) error {
	return nil
}
func (f *fakeExternal) ExtendLock(context.Context, engine.ID, string, time.Duration) error {
	return nil
}
func (f *fakeExternal) Unlock(context.Context, engine.ID) error          { return nil }
func (f *fakeExternal) SetRetries(context.Context, engine.ID, int) error { return nil }
func (f *fakeExternal) Get(context.Context, engine.ID) (*engine.ExternalJob, error) {
	return nil, engine.Errorf(engine.ErrNotFound, "no job")
}
func (f *fakeExternal) List(context.Context, engine.ExternalFilter) ([]*engine.ExternalJob, int, error) {
	return nil, 0, nil
}

type fakeIdentity struct{}

func (fakeIdentity) CheckPassword(_ context.Context, user, pass, _ string) (*engine.User, error) {
	if user == "w" && pass == "p" {
		return &engine.User{ID: "w", Role: engine.RoleAdmin}, nil
	}
	return nil, engine.Errorf(engine.ErrUnauthorized, "bad credentials")
}
func (fakeIdentity) CheckToken(context.Context, string) (*engine.User, error) {
	return nil, engine.Errorf(engine.ErrUnauthorized, "bad token")
}

// serveFake serves the API over the fake on a real listener; it returns the address.
func serveFake(t *testing.T) (*fakeExternal, *API, *fiber.App, string) {
	t.Helper()
	fx := newFake()
	api := New(Deps{External: fx, Identity: fakeIdentity{}}, Config{})
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadTimeout: time.Second, IdleTimeout: 5 * time.Second, WriteTimeout: 2 * time.Second})
	api.Mount(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return fx, api, app, ln.Addr().String()
}

func fetchRequestText(addr string, timeoutMs int) string {
	body := fmt.Sprintf(`{"workerId": "w1", "maxTasks": 1, "asyncResponseTimeout": %d, "topics": [{"topicName": "t", "lockDuration": 1000}]}`, timeoutMs)
	return fmt.Sprintf("POST /engine-rest/external-task/fetchAndLock HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		addr, base64.StdEncoding.EncodeToString([]byte("w:p")), len(body), body)
}

// TestPollEndsWhenClientLeaves: a long poll whose client closes the connection ends
// at once (its context is cancelled), not at its asyncResponseTimeout; a poll still
// wanted is not disturbed, and the connection serves the next request after it
// (the watch leaves no read deadline behind). The ReadTimeout and WriteTimeout of the
// server (1 s and 2 s here) do not cut a longer poll, nor end the watch.
func TestPollEndsWhenClientLeaves(t *testing.T) {
	fx, _, _, addr := serveFake(t)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, fetchRequestText(addr, 600000)); err != nil {
		t.Fatal(err)
	}
	waitFetches(t, fx, 1)
	// Past the server's ReadTimeout (fasthttp's read deadline of the request), the
	// client leaves: still noticed.
	time.Sleep(1500 * time.Millisecond)
	conn.Close()
	select {
	case err := <-fx.ended:
		if err != context.Canceled {
			t.Fatalf("poll ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the poll went on after its client left")
	}

	// A poll longer than the server's read and write timeouts answers, and the same
	// keep-alive connection serves another request afterwards.
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i, ms := range []int{3000, 0} {
		if _, err := io.WriteString(conn, fetchRequestText(addr, ms)); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on the connection: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "[]" || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("request %d: %d %q %s", i, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

// TestPollEndsAtShutdown: the server's shutdown ends a poll in flight with Camunda's
// 500 "Request rejected due to shutdown of application server." (Close), and
// fasthttp's own shutdown cancels it too.
func TestPollEndsAtShutdown(t *testing.T) {
	fx, api, app, addr := serveFake(t)
	answer := make(chan string, 1)
	go func() {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			answer <- err.Error()
			return
		}
		defer conn.Close()
		io.WriteString(conn, fetchRequestText(addr, 600000))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answer <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		answer <- fmt.Sprint(resp.StatusCode, " ", string(b))
	}()
	waitFetches(t, fx, 1)
	api.Close()
	select {
	case got := <-answer:
		if !strings.HasPrefix(got, "500 ") || !strings.Contains(got, "Request rejected due to shutdown of application server.") {
			t.Fatalf("poll at Close: %s", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not end the poll")
	}
	// Without Close, fasthttp's shutdown (its RequestCtx's Done) ends a poll too.
	fx2, _, app2, addr2 := serveFake(t)
	_ = app
	go func() {
		conn, err := net.Dial("tcp", addr2)
		if err == nil {
			defer conn.Close()
			io.WriteString(conn, fetchRequestText(addr2, 600000))
			_, _ = http.ReadResponse(bufio.NewReader(conn), nil)
		}
	}()
	waitFetches(t, fx2, 1)
	done := make(chan error, 1)
	go func() { done <- app2.ShutdownWithTimeout(20 * time.Second) }()
	select {
	case err := <-fx2.ended:
		if err != context.Canceled {
			t.Fatalf("poll ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server's shutdown did not end the poll")
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func waitFetches(t *testing.T, fx *fakeExternal, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		fx.mu.Lock()
		got := len(fx.fetches)
		fx.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d fetches reached the engine", n)
}

// TestFetchRequestMapping: fetchAndLock's body becomes the engine's request: wait,
// capped maxTasks, usePriority, topics with lock durations, variables (null: all,
// []: none), filters intersected, the last of duplicate topics, topics no task can
// match left out.
func TestFetchRequestMapping(t *testing.T) {
	a := New(Deps{}, Config{MaxTasks: 50})
	in := fetchRequest{}
	body := `{"workerId": "w", "maxTasks": 5000, "usePriority": true, "asyncResponseTimeout": 1500, "topics": [
	  {"topicName": "a", "lockDuration": 100, "variables": ["x"], "processDefinitionKeyIn": ["p1", "p2"], "processDefinitionId": "p2", "tenantIdIn": ["t1"], "businessKey": "bk", "localVariables": true},
	  {"topicName": "b", "lockDuration": 200, "variables": []},
	  {"topicName": "c", "lockDuration": 300},
	  {"topicName": "c", "lockDuration": 400},
	  {"topicName": "d", "lockDuration": 300, "processDefinitionKey": "p1", "processDefinitionId": "p2"},
	  {"topicName": "e", "lockDuration": 300, "processDefinitionVersionTag": "v1"}]}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	req, wait, empty, err := a.fetchOf(&in)
	if err != nil || empty {
		t.Fatal(err, empty)
	}
	if wait != 1500*time.Millisecond || req.Wait != wait || req.MaxTasks != 50 || !req.UsePriority || req.WorkerID != "w" {
		t.Fatalf("request: %+v", req)
	}
	if len(req.Topics) != 3 {
		t.Fatalf("topics: %+v", req.Topics)
	}
	ta, tb, tc := req.Topics[0], req.Topics[1], req.Topics[2]
	if ta.Topic != "a" || ta.LockDuration != 100*time.Millisecond || fmt.Sprint(ta.ProcessIDs) != "[p2]" || fmt.Sprint(ta.Variables) != "[x]" ||
		fmt.Sprint(ta.TenantIDs) != "[t1]" || ta.BusinessKey != "bk" || !ta.LocalVariables {
		t.Errorf("topic a: %+v", ta)
	}
	if tb.Variables == nil || len(tb.Variables) != 0 {
		t.Errorf("topic b: variables [] must ask for none: %#v", tb.Variables)
	}
	if tc.Topic != "c" || tc.LockDuration != 400*time.Millisecond || tc.Variables != nil {
		t.Errorf("topic c: %+v", tc)
	}
}

// TestVariableConversions: Camunda's typed values in and out.
func TestVariableConversions(t *testing.T) {
	in := map[string]*typedValue{}
	body := `{
	  "s": {"value": "x", "type": "String"}, "i": {"value": 5, "type": "integer"}, "sh": {"value": 7, "type": "Short"},
	  "l": {"value": 9007199254740993, "type": "Long"}, "d": {"value": 1.5, "type": "Double"}, "b": {"value": false, "type": "Boolean"},
	  "dt": {"value": "2026-01-01T10:00:00.000+0000", "type": "Date"}, "j": {"value": "[1, {\"a\": null}]", "type": "Json"},
	  "jo": {"value": {"k": "v"}, "type": "json"}, "n": {"value": null, "type": "Null"}, "by": {"value": "AAEC", "type": "Bytes"},
	  "f": {"value": "aGk=", "type": "File", "valueInfo": {"filename": "a.txt", "mimeType": "text/plain"}},
	  "u1": {"value": "text"}, "u2": {"value": 3}, "u3": {"value": 3.25}, "u4": {"value": true}, "u5": {"value": [1]}}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	vars, err := toVariables(in)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*engine.Variable{}
	for _, v := range vars {
		got[v.Name] = v
	}
	for name, want := range map[string]string{"s": "string", "i": "integer", "sh": "short", "l": "long", "d": "double", "b": "boolean", "dt": "date",
		"j": "json", "jo": "json", "n": "null", "by": "binary", "f": "binary", "u1": "string", "u2": "integer", "u3": "double", "u4": "boolean", "u5": "json"} {
		if got[name] == nil || got[name].Type != want {
			t.Errorf("%s: %+v, want type %s", name, got[name], want)
		}
	}
	if got["l"].Value != int64(9007199254740993) {
		t.Errorf("long lost digits: %#v", got["l"].Value)
	}
	if string(got["f"].Data) != "hi" || got["f"].ContentType != "text/plain" {
		t.Errorf("file: %+v", got["f"])
	}
	out := fromVariables(vars, time.FixedZone("CET", 3600))
	for name, want := range map[string]string{"s": `{"type":"String","value":"x","valueInfo":{}}`, "l": `{"type":"Long","value":9007199254740993,"valueInfo":{}}`,
		"dt": `{"type":"Date","value":"2026-01-01T11:00:00.000+0100","valueInfo":{}}`, "j": `{"type":"Json","value":"[1,{\"a\":null}]","valueInfo":{}}`,
		"n": `{"type":"Null","value":null,"valueInfo":{}}`, "by": `{"type":"Bytes","value":"AAEC","valueInfo":{}}`, "b": `{"type":"Boolean","value":false,"valueInfo":{}}`} {
		b, _ := json.Marshal(out[name])
		if string(b) != want {
			t.Errorf("%s out: %s, want %s", name, b, want)
		}
	}
	for _, bad := range []string{`{"value": 70000, "type": "Short"}`, `{"value": 2.5, "type": "Integer"}`, `{"value": "no", "type": "Boolean"}`,
		`{"value": "{", "type": "Json"}`, `{"value": "!!", "type": "Bytes"}`, `{"value": 1, "type": "Money"}`, `{"value": "x", "type": "Date"}`} {
		var tv typedValue
		if err := json.Unmarshal([]byte(bad), &tv); err != nil {
			t.Fatal(err)
		}
		if _, err := toVariable("x", &tv); err == nil {
			t.Errorf("%s was accepted", bad)
		} else if e, ok := err.(*Error); !ok || e.Status != 400 {
			t.Errorf("%s: %v, want a 400", bad, err)
		}
	}
}
