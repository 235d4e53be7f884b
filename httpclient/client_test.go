package httpclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"flowcraft/engine/templates"
)

// The tests of this file run the http-request template (engine/templates) with a
// Client against local servers: the template's behaviour end to end, and the guard.

// loopbackClient allows the 127.0.0.1 test servers.
func loopbackClient() *Client {
	return New(Options{Allow: []string{"127.0.0.1"}})
}

// runHTTP runs the http-request template with client and params.
func runHTTP(t *testing.T, client *Client, params map[string]any) (map[string]any, error) {
	t.Helper()
	out, err := templates.HTTPRequest{}.Run(context.Background(), &templates.Call{Params: params, Services: &templates.Services{HTTP: client}})
	if err != nil {
		return nil, err
	}
	m, ok := out.Output.(map[string]any)
	if !ok {
		t.Fatalf("Output is %T, want map[string]any", out.Output)
	}
	return m, nil
}

func TestHTTPRequestGetJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"items":[1,2],"ok":true}`)
	}))
	defer srv.Close()

	out, err := runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/items"})
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != float64(201) {
		t.Errorf("status = %#v, want 201.0", out["status"])
	}
	body, ok := out["body"].(map[string]any)
	if !ok || body["ok"] != true || len(body["items"].([]any)) != 2 {
		t.Errorf("body = %#v, want the parsed JSON", out["body"])
	}
	headers := out["headers"].(map[string]any)
	if headers["content-type"] != "application/json; charset=utf-8" {
		t.Errorf("headers[content-type] = %#v", headers["content-type"])
	}
	if headers["x-multi"] != "a, b" {
		t.Errorf("headers[x-multi] = %#v, want \"a, b\"", headers["x-multi"])
	}
	for name := range headers {
		if name != strings.ToLower(name) {
			t.Errorf("header name %q is not lower-case", name)
		}
	}
}

// echoServer answers with the request's method, headers and body as JSON.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method":      r.Method,
			"contentType": r.Header.Get("Content-Type"),
			"userAgent":   r.Header.Get("User-Agent"),
			"num":         r.Header.Get("X-Num"),
			"bool":        r.Header.Get("X-Bool"),
			"host":        r.Host,
			"body":        string(body),
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPRequestPostJSON(t *testing.T) {
	srv := echoServer(t)
	out, err := runHTTP(t, loopbackClient(), map[string]any{
		"method":  "post",
		"url":     srv.URL,
		"headers": map[string]any{"X-Num": float64(42), "X-Bool": true, "user-agent": "custom/1", "Host": "example.test"},
		"body":    map[string]any{"name": "a", "n": float64(1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	echo := out["body"].(map[string]any)
	want := map[string]any{
		"method":      "POST",
		"contentType": "application/json",
		"userAgent":   "custom/1",
		"num":         "42",
		"bool":        "true",
		"host":        "example.test",
		"body":        `{"n":1,"name":"a"}`,
	}
	for k, v := range want {
		if echo[k] != v {
			t.Errorf("server saw %s = %#v, want %#v", k, echo[k], v)
		}
	}
}

func TestHTTPRequestStringBody(t *testing.T) {
	srv := echoServer(t)
	out, err := runHTTP(t, loopbackClient(), map[string]any{"method": "PUT", "url": srv.URL, "body": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	echo := out["body"].(map[string]any)
	if echo["body"] != "hello" || echo["contentType"] != "text/plain; charset=utf-8" {
		t.Errorf("server saw body %#v with Content-Type %#v", echo["body"], echo["contentType"])
	}
	if echo["userAgent"] != "flowcraft" {
		t.Errorf("User-Agent = %#v, want the default flowcraft", echo["userAgent"])
	}

	out, err = runHTTP(t, loopbackClient(), map[string]any{
		"method": "PUT", "url": srv.URL, "body": "<a/>",
		"headers": map[string]any{"Content-Type": "application/xml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ct := out["body"].(map[string]any)["contentType"]; ct != "application/xml" {
		t.Errorf("Content-Type = %#v, want the one from headers", ct)
	}
}

func TestHTTPRequestTextAndBadJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.Header().Set("Content-Type", "application/problem+json")
			_, _ = io.WriteString(w, "{not json")
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, `{"looks":"like json"}`)
	}))
	defer srv.Close()
	for path, want := range map[string]string{"/text": `{"looks":"like json"}`, "/bad": "{not json"} {
		out, err := runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + path})
		if err != nil {
			t.Fatal(err)
		}
		if out["body"] != want {
			t.Errorf("%s: body = %#v, want the text %q", path, out["body"], want)
		}
	}
}

func TestHTTPRequestErrorStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, strings.Repeat("é", 1000))
			return
		}
		http.Error(w, "no such item", http.StatusNotFound)
	}))
	defer srv.Close()

	_, err := runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/missing"})
	var se *templates.HTTPStatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want an *HTTPStatusError", err)
	}
	if se.Status != 404 || se.Body != "no such item\n" {
		t.Errorf("HTTPStatusError = %+v", se)
	}
	if got, want := err.Error(), "HTTP 404 Not Found: no such item"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}

	_, err = runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/big"})
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want an *HTTPStatusError", err)
	}
	if len(se.Body) > 1024 || !strings.HasPrefix(se.Body, "éé") || strings.ContainsRune(se.Body, '\uFFFD') {
		t.Errorf("Body has %d bytes, want at most 1024 whole characters", len(se.Body))
	}
	if !strings.HasPrefix(err.Error(), "HTTP 503 Service Unavailable: éé") || len(err.Error()) > 400 {
		t.Errorf("message = %q, want a short snippet", err.Error())
	}
}

func TestHTTPRequestTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answer; the client gives up
	}))
	defer srv.Close()
	_, err := runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL, "timeout": float64(50)})
	if err == nil {
		t.Fatal("no error, want a timeout")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timeout of 50ms") {
		t.Errorf("err = %v, want the timeout explained", err)
	}
}

func TestHTTPRequestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 2048
		if r.URL.Path == "/huge" {
			n = 10<<20 + 1
		}
		_, _ = w.Write(make([]byte, n))
	}))
	defer srv.Close()

	ctx := context.Background()
	res, err := loopbackClient().Do(ctx, templates.HTTPCall{Method: "GET", URL: srv.URL, MaxBody: 1024})
	if err != nil || !res.Truncated || len(res.Body) != 1024 {
		t.Errorf("MaxBody 1024: truncated %v, %d bytes, %v; want the first 1024 bytes, truncated", res.Truncated, len(res.Body), err)
	}
	res, err = loopbackClient().Do(ctx, templates.HTTPCall{Method: "GET", URL: srv.URL, MaxBody: 2048})
	if err != nil || res.Truncated || len(res.Body) != 2048 {
		t.Errorf("a body of exactly the limit: truncated %v, %d bytes, %v", res.Truncated, len(res.Body), err)
	}
	_, err = runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/huge"})
	if err == nil || err.Error() != "response body larger than 10 MiB" {
		t.Errorf("err = %v, want the 10 MiB limit", err)
	}
}

func TestHTTPClientRefusesLoopbackWithoutAllowList(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")

	client := New(Options{})
	_, err := runHTTP(t, client, map[string]any{"url": srv.URL})
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	want := "refusing to connect to 127.0.0.1:" + port + " (loopback): add it to the HTTP allow-list (FLOWCRAFT_HTTP_ALLOW) to permit"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want it to contain %q", err, want)
	}

	// By name: localhost resolves to loopback addresses only.
	_, err = runHTTP(t, client, map[string]any{"url": "http://localhost:" + port + "/"})
	if !errors.Is(err, ErrForbiddenAddress) || !strings.Contains(err.Error(), "localhost:"+port+" (resolves to ") ||
		strings.Contains(err.Error(), "::ffff:") {
		t.Errorf("err = %v, want a refusal naming localhost", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

func TestHTTPClientAllowsByHostName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hi")
	}))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	client := New(Options{Allow: []string{"LOCALHOST"}})
	out, err := runHTTP(t, client, map[string]any{"url": "http://localhost:" + port + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if out["body"] != "hi" {
		t.Errorf("body = %#v", out["body"])
	}
	// The name does not allow the address under another name.
	if _, err := runHTTP(t, client, map[string]any{"url": srv.URL}); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("err = %v, want ErrForbiddenAddress for 127.0.0.1", err)
	}
}

func TestHTTPClientRedirects(t *testing.T) {
	var loops atomic.Int32
	var target string // the 127.0.0.1 URL of the server itself
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			loops.Add(1)
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/to-ip":
			http.Redirect(w, r, target+"/end", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/once":
			http.Redirect(w, r, "/end", http.StatusMovedPermanently)
		default:
			_, _ = io.WriteString(w, "end")
		}
	}))
	defer srv.Close()
	target = srv.URL
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")

	out, err := runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/once"})
	if err != nil || out["body"] != "end" {
		t.Fatalf("one redirect: %v, %#v", out, err)
	}

	_, err = runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/loop"})
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Errorf("err = %v, want the redirect limit", err)
	}
	if n := loops.Load(); n != 6 {
		t.Errorf("%d requests, want 6 (the first and 5 redirects)", n)
	}

	// Allowed by name only: a redirect to the bare IP is dialed and refused.
	byName := New(Options{Allow: []string{"localhost"}})
	_, err = runHTTP(t, byName, map[string]any{"url": "http://localhost:" + port + "/to-ip"})
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("err = %v, want ErrForbiddenAddress for the redirect target", err)
	}

	_, err = runHTTP(t, loopbackClient(), map[string]any{"url": srv.URL + "/to-file"})
	if !errors.Is(err, ErrForbiddenAddress) || !strings.Contains(err.Error(), `scheme "file"`) {
		t.Errorf("err = %v, want the file scheme refused", err)
	}

	noFollow := New(Options{Allow: []string{"127.0.0.1"}, MaxRedirects: -1})
	out, err = runHTTP(t, noFollow, map[string]any{"url": srv.URL + "/once"})
	if err != nil || out["status"] != float64(301) {
		t.Errorf("MaxRedirects -1: %v, %v; want the 301 itself", out, err)
	}
}

func TestHTTPClientRefusesSchemes(t *testing.T) {
	client := New(Options{})
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.com/"} {
		resp, err := client.hc.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("GET %s: err = %v, want ErrForbiddenAddress", u, err)
		}
	}
}

func TestBlockedReason(t *testing.T) {
	for _, tc := range []struct {
		ip, want string
	}{
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "private"},
		{"169.254.169.254", "link-local, cloud metadata"},
		{"169.254.1.1", "link-local"},
		{"100.64.0.1", "shared address space, CGNAT"},
		{"100.128.0.1", ""},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "this network"},
		{"255.255.255.255", "broadcast"},
		{"224.0.0.1", "multicast"},
		{"240.0.0.1", "reserved"},
		{"198.18.0.1", "benchmarking"},
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"::1", "loopback"},
		{"::", "unspecified"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fd00::1", "private"},
		{"fc00::1", "private"},
		{"fd00:ec2::254", "private"},
		{"ff02::1", "multicast"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.0.0.1", "private"},
		{"::ffff:169.254.169.254", "link-local, cloud metadata"},
		{"::ffff:8.8.8.8", ""},
		{"::127.0.0.1", "IPv4-compatible, deprecated"},
		{"64:ff9b::7f00:1", "loopback via NAT64"},
		{"64:ff9b::808:808", ""},
		{"2002:c0a8:101::1", "private via 6to4"},
		{"2002:808:808::1", ""},
		{"2001:db8::1", "documentation"},
		{"2001:4860:4860::8888", ""},
		{"2606:4700:4700::1111", ""},
	} {
		if got := blockedReason(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("blockedReason(%s) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}

func TestDialGuardAllowList(t *testing.T) {
	g := newDialGuard([]string{"127.0.0.1", "10.0.0.0/8", "[::1]", "Internal.Example.", "fd00::/8", "bad/cidr"})
	for _, tc := range []struct {
		host, ip string
		ok       bool
	}{
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "::ffff:127.0.0.1", true},
		{"127.0.0.2", "127.0.0.2", false},
		{"10.9.8.7", "10.9.8.7", true},
		{"x.example", "10.9.8.7", true}, // IP entries match whatever the name
		{"::1", "::1", true},
		{"internal.example", "192.168.3.4", true},
		{"INTERNAL.EXAMPLE.", "169.254.169.254", true},
		{"other.example", "192.168.3.4", false},
		{"fd12::1", "fd12::1", true},
		{"fe80::1", "fe80::1", false},
		{"bad", "192.168.0.1", false},
		{"public.example", "8.8.8.8", true},
	} {
		err := g.check(tc.host, "80", netip.MustParseAddr(tc.ip))
		if (err == nil) != tc.ok {
			t.Errorf("check(%s → %s) = %v, want allowed %v", tc.host, tc.ip, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("check(%s → %s) = %v, not ErrForbiddenAddress", tc.host, tc.ip, err)
		}
	}
}

func TestDialGuardResolvesOnce(t *testing.T) {
	// A name resolving to a non-public address is refused before any dial;
	// the lookup is faked (and answers loopback), so nothing leaves the
	// machine even if the check failed.
	g := newDialGuard(nil)
	g.lookup = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.2")}, nil
	}
	_, err := g.dialContext(context.Background(), "tcp", "rebind.example:443")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	want := "refusing to connect to rebind.example:443 (resolves to 127.0.0.2, loopback)"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q, want it to start with %q", err, want)
	}
}

func TestParseAllowList(t *testing.T) {
	got, err := ParseAllowList(" 127.0.0.1, 10.0.0.0/8 [::1]\nLocalHost ")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1", "10.0.0.0/8", "[::1]", "localhost"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"http://x", "10.0.0.0/33", "host:8080", "a/b", "*.example.com"} {
		if _, err := ParseAllowList(bad); err == nil {
			t.Errorf("ParseAllowList(%q): no error", bad)
		}
	}
	if got, err := ParseAllowList(""); err != nil || len(got) != 0 {
		t.Errorf("empty text: %q, %v", got, err)
	}
}
