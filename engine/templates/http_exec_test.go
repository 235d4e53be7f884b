package templates

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The http-request template against a fake HTTP; package httpclient runs the same
// template against real servers, through the SSRF guard.

// fakeHTTP records the call it gets and answers with res and err, or, when wait is
// set, blocks until the call's context ends.
type fakeHTTP struct {
	got  HTTPCall
	res  HTTPResult
	err  error
	wait bool
}

func (f *fakeHTTP) Do(ctx context.Context, call HTTPCall) (HTTPResult, error) {
	f.got = call
	if f.wait {
		<-ctx.Done()
		return HTTPResult{}, ctx.Err()
	}
	return f.res, f.err
}

func runFake(f *fakeHTTP, params map[string]any) (map[string]any, error) {
	out, err := HTTPRequest{}.Run(context.Background(), &Call{Params: params, Services: &Services{HTTP: f}})
	if err != nil {
		return nil, err
	}
	return out.Output.(map[string]any), nil
}

func TestHTTPRequestBuildsTheCall(t *testing.T) {
	f := &fakeHTTP{res: HTTPResult{Status: 201, Header: map[string][]string{
		"Content-Type": {"application/problem+json"}, "X-Multi": {"a", "b"}}, Body: []byte(`{"ok":true}`)}}
	out, err := runFake(f, map[string]any{
		"method":  "post",
		"url":     " http://api.example/items ",
		"headers": map[string]any{"X-Num": float64(42), "X-Bool": true, "user-agent": "custom/1", "Host": "example.test", "X-Null": nil},
		"body":    map[string]any{"name": "a", "n": float64(1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := f.got
	if c.Method != "POST" || c.URL != "http://api.example/items" || c.Host != "example.test" || string(c.Body) != `{"n":1,"name":"a"}` || c.MaxBody != maxHTTPResponseBytes {
		t.Errorf("call = %+v", c)
	}
	want := map[string]string{"X-Bool": "true", "X-Num": "42", "User-Agent": "custom/1", "Content-Type": "application/json", "X-Null": ""}
	for name, v := range want {
		if got := header(c.Header, name); got != v {
			t.Errorf("header %s = %q, want %q (all: %v)", name, got, v, c.Header)
		}
	}
	if out["status"] != float64(201) || out["body"].(map[string]any)["ok"] != true {
		t.Errorf("output = %#v", out)
	}
	if h := out["headers"].(map[string]any); h["x-multi"] != "a, b" || h["content-type"] != "application/problem+json" {
		t.Errorf("headers = %#v", h)
	}

	// Defaults: GET, the flowcraft User-Agent, text/plain for a string body unless set.
	f.res = HTTPResult{Status: 200, Body: []byte("hi")}
	if out, err = runFake(f, map[string]any{"url": "http://x/", "body": "hello"}); err != nil || out["body"] != "hi" {
		t.Fatalf("%v, %v", out, err)
	}
	if header(f.got.Header, "user-agent") != "flowcraft" || header(f.got.Header, "content-type") != "text/plain; charset=utf-8" || f.got.Method != "GET" {
		t.Errorf("defaults: %+v", f.got)
	}
	if _, err = runFake(f, map[string]any{"url": "http://x/", "body": "<a/>", "headers": map[string]any{"content-type": "application/xml"}}); err != nil {
		t.Fatal(err)
	}
	if got := header(f.got.Header, "Content-Type"); got != "application/xml" {
		t.Errorf("Content-Type = %q, want the one from headers", got)
	}
	// An empty string body sends nothing.
	if _, err = runFake(f, map[string]any{"url": "http://x/", "body": ""}); err != nil || f.got.Body != nil {
		t.Errorf("empty body: %q, %v", f.got.Body, err)
	}
}

func TestHTTPRequestResultErrors(t *testing.T) {
	f := &fakeHTTP{res: HTTPResult{Status: 404, StatusText: "Not Found", Body: []byte("no such item\n")}}
	_, err := runFake(f, map[string]any{"url": "http://x/"})
	var se *HTTPStatusError
	if !errors.As(err, &se) || se.Status != 404 || se.Body != "no such item\n" || err.Error() != "HTTP 404 Not Found: no such item" {
		t.Errorf("err = %v", err)
	}
	f.res = HTTPResult{Status: 599, Body: []byte(strings.Repeat("é", 1000))}
	_, err = runFake(f, map[string]any{"url": "http://x/"})
	if !errors.As(err, &se) || len(se.Body) > 1024 || strings.ContainsRune(se.Body, '\uFFFD') || !strings.HasPrefix(err.Error(), "HTTP 599: éé") {
		t.Errorf("err = %v", err)
	}

	// The body limit: a truncated body is an error, whatever the status.
	f.res = HTTPResult{Status: 200, Body: make([]byte, 1024), Truncated: true}
	_, err = doHTTPRequest(context.Background(), f, map[string]any{"url": "http://x/"}, 1024)
	if err == nil || err.Error() != "response body larger than 1 KiB" || f.got.MaxBody != 1024 {
		t.Errorf("err = %v (MaxBody %d), want the 1 KiB limit", err, f.got.MaxBody)
	}

	// A client error is passed on.
	f.err = errors.New("connection refused")
	if _, err = runFake(f, map[string]any{"url": "http://x/"}); err == nil || err.Error() != "connection refused" {
		t.Errorf("err = %v", err)
	}
}

func TestHTTPRequestTimeout(t *testing.T) {
	_, err := runFake(&fakeHTTP{wait: true}, map[string]any{"url": "http://x/", "timeout": float64(50)})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timeout of 50ms") {
		t.Errorf("err = %v, want the timeout explained", err)
	}
}

func TestHTTPRequestParamErrors(t *testing.T) {
	f := &fakeHTTP{}
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{}, "url is required"},
		{map[string]any{"url": "file:///etc/passwd"}, "url must be an absolute http(s) URL"},
		{map[string]any{"url": "http://127.0.0.1:1/", "method": "TRACE"}, "method must be one of"},
		{map[string]any{"url": "http://127.0.0.1:1/", "timeout": float64(0)}, "timeout must be greater than 0"},
		{map[string]any{"url": "http://127.0.0.1:1/", "headers": map[string]any{"X": []any{}}}, `value of "X" must be a string, number or boolean`},
		{map[string]any{"url": "http://127.0.0.1:1/", "headers": "x"}, "headers must be an object"},
	} {
		_, err := runFake(f, tc.params)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to contain %q", tc.params, err, tc.want)
		}
	}
	if f.got.URL != "" {
		t.Errorf("a request was sent: %+v", f.got)
	}
	if _, err := (HTTPRequest{}).Run(context.Background(), &Call{Params: map[string]any{"url": "http://x/"}}); err == nil {
		t.Error("no error without Services.HTTP")
	}
}
