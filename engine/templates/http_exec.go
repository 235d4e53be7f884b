package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the http-request template.
const (
	// maxHTTPResponseBytes bounds the response body that is read.
	maxHTTPResponseBytes = 10 << 20
	// maxHTTPErrorBody bounds HTTPStatusError.Body.
	maxHTTPErrorBody = 1 << 10
	// maxHTTPErrorSnippet bounds the part of the body in HTTPStatusError's message.
	maxHTTPErrorSnippet = 256
	// defaultHTTPRequestTimeout applies when the timeout parameter is unset.
	defaultHTTPRequestTimeout = 30 * time.Second
	// httpUserAgent is sent unless the headers parameter sets one.
	httpUserAgent = "flowcraft"
)

// HTTPStatusError is the error of an http-request whose response status is
// 400 or more; the response is not returned as output. It lets error
// handlers (retries) apply to failing servers.
type HTTPStatusError struct {
	// Status is the HTTP status code.
	Status int
	// Body is the start of the response body (at most 1 KiB, cut at a
	// character boundary).
	Body string
}

// Error returns e.g. "HTTP 503 Service Unavailable: <start of the body>".
func (e *HTTPStatusError) Error() string {
	msg := "HTTP " + strconv.Itoa(e.Status)
	if text := http.StatusText(e.Status); text != "" {
		msg += " " + text
	}
	if s := snippet(e.Body, maxHTTPErrorSnippet); s != "" {
		msg += ": " + s
	}
	return msg
}

// Run implements Runner. It sends the request described by c.Params with
// c.Services.HTTP and outputs {status, headers, body}: status a number,
// headers an object of lower-case names to values (repeated headers joined
// by ", "), body the parsed JSON when the response is JSON
// (application/json or a +json type) and parses, else the text. A status of
// 400 or more is an *HTTPStatusError. The timeout parameter (milliseconds,
// default 30000) and ctx both bound the request, including reading the body.
func (HTTPRequest) Run(ctx context.Context, c *Call) (Outcome, error) {
	if c == nil || c.Services == nil || c.Services.HTTP == nil {
		return Outcome{}, errors.New("http-request: no HTTP client is configured")
	}
	out, err := doHTTPRequest(ctx, c.Services.HTTP, c.Params, maxHTTPResponseBytes)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Output: out}, nil
}

// httpCall is a validated http-request.
type httpCall struct {
	method      string
	url         string
	headers     http.Header
	host        string // a Host header, which net/http takes from Request.Host
	body        []byte
	hasBody     bool
	contentType string // of body, unless the headers set one
	timeout     time.Duration
}

// parseHTTPParams validates the parameters of an http-request.
func parseHTTPParams(p map[string]any) (httpCall, error) {
	hc := httpCall{method: "GET", headers: make(http.Header), timeout: defaultHTTPRequestTimeout}

	if m := p["method"]; !IsUnset(m) {
		s, ok := m.(string)
		if !ok {
			return hc, fmt.Errorf("method must be a string, got %s", jsonType(m))
		}
		hc.method = strings.ToUpper(strings.TrimSpace(s))
		if !slices.Contains(httpMethods(), hc.method) {
			return hc, fmt.Errorf("method must be one of %s, got %q", quoteList(httpMethods()), s)
		}
	}

	u, ok := p["url"].(string)
	switch {
	case IsUnset(p["url"]):
		return hc, errors.New("url is required")
	case !ok:
		return hc, fmt.Errorf("url must be a string, got %s", jsonType(p["url"]))
	}
	if err := checkHTTPURL(u); err != nil {
		return hc, fmt.Errorf("url %w", err)
	}
	hc.url = strings.TrimSpace(u)

	if t := p["timeout"]; !IsUnset(t) {
		d, err := ParseDuration(t)
		if err != nil {
			return hc, fmt.Errorf("timeout: %w", err)
		}
		if d <= 0 {
			return hc, errors.New("timeout must be greater than 0")
		}
		hc.timeout = d
	}

	if err := hc.parseHeaders(p["headers"]); err != nil {
		return hc, err
	}

	switch b := p["body"].(type) {
	case nil:
	case string:
		if b != "" {
			hc.body, hc.hasBody = []byte(b), true
			hc.contentType = "text/plain; charset=utf-8"
		}
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return hc, fmt.Errorf("body cannot be encoded as JSON: %w", err)
		}
		hc.body, hc.hasBody = data, true
		hc.contentType = "application/json"
	}
	return hc, nil
}

// parseHeaders sets hc.headers from the headers parameter: an object whose
// values are strings, numbers or booleans (null values are skipped).
func (hc *httpCall) parseHeaders(v any) error {
	var hs map[string]any
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any:
		hs = x
	case map[string]string:
		hs = make(map[string]any, len(x))
		for k, s := range x {
			hs[k] = s
		}
	default:
		return fmt.Errorf("headers must be an object, got %s", jsonType(v))
	}
	keys := make([]string, 0, len(hs))
	for k := range hs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		name := strings.TrimSpace(k)
		if name == "" {
			return errors.New("headers: names must not be empty")
		}
		var value string
		switch x := hs[k].(type) {
		case nil:
			continue
		case string:
			value = x
		case bool:
			value = strconv.FormatBool(x)
		default:
			f, ok := toFloat(x)
			if !ok {
				return fmt.Errorf("headers: value of %q must be a string, number or boolean, got %s", name, jsonType(x))
			}
			value = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if strings.EqualFold(name, "Host") {
			hc.host = value
			continue
		}
		hc.headers.Set(name, value)
	}
	return nil
}

// doHTTPRequest runs an http-request with client, reading at most limit
// bytes of the response body.
func doHTTPRequest(ctx context.Context, client *http.Client, params map[string]any, limit int64) (map[string]any, error) {
	hc, err := parseHTTPParams(params)
	if err != nil {
		return nil, err
	}
	reqCtx, cancel := context.WithTimeout(ctx, hc.timeout)
	defer cancel()

	var body io.Reader
	if hc.hasBody {
		body = bytes.NewReader(hc.body)
	}
	req, err := http.NewRequestWithContext(reqCtx, hc.method, hc.url, body)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header = hc.headers
	if hc.host != "" {
		req.Host = hc.host
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", httpUserAgent)
	}
	if hc.hasBody && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", hc.contentType)
	}

	resp, err := client.Do(req)
	if err != nil {
		return nil, timeoutError(ctx, reqCtx, hc.timeout, err)
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, timeoutError(ctx, reqCtx, hc.timeout, fmt.Errorf("reading the response body: %w", err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("response body larger than %s", formatBytes(limit))
	}
	if resp.StatusCode >= 400 {
		return nil, &HTTPStatusError{Status: resp.StatusCode, Body: truncateUTF8(string(data), maxHTTPErrorBody)}
	}

	headers := make(map[string]any, len(resp.Header))
	for name, values := range resp.Header {
		headers[strings.ToLower(name)] = strings.Join(values, ", ")
	}
	return map[string]any{
		"status":  float64(resp.StatusCode),
		"headers": headers,
		"body":    decodeHTTPBody(resp.Header.Get("Content-Type"), data),
	}, nil
}

// timeoutError explains err when it is due to the timeout parameter (the
// request's own deadline, not the caller's) running out.
func timeoutError(ctx, reqCtx context.Context, timeout time.Duration, err error) error {
	if ctx.Err() == nil && errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no complete response within the timeout of %s: %w", timeout, err)
	}
	return err
}

// decodeHTTPBody returns the parsed JSON of a JSON response that parses, else
// the body as text.
func decodeHTTPBody(contentType string, data []byte) any {
	if isJSONMediaType(contentType) {
		var v any
		if err := json.Unmarshal(data, &v); err == nil {
			return v
		}
	}
	return string(data)
}

// isJSONMediaType reports whether a Content-Type is application/json, a
// +json type (application/problem+json, ...) or text/json.
func isJSONMediaType(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// truncateUTF8 returns at most n bytes of s, cut at a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// snippet returns s with runs of white space collapsed, cut to about n bytes
// with an ellipsis.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return truncateUTF8(s, n) + "…"
}

// formatBytes formats a byte count such as 10485760 as "10 MiB".
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
