package templates

import (
	"context"
	"encoding/json"
	"errors"
	"flowcraft/scripting"
	"fmt"
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

// HTTP sends the requests of the http-request template. Package httpclient
// implements it, guarded against server-side request forgery; this package
// describes requests and interprets responses but never touches the network.
type HTTP interface {
	// Do sends call under ctx, which bounds the whole exchange (redirects and
	// reading the body included), and returns the response whatever its status.
	Do(ctx context.Context, call HTTPCall) (HTTPResult, error)
}

// HTTPCall is one request to send.
type HTTPCall struct {
	Method string
	URL    string // absolute http(s) URL
	// Header fields are set in order: a later field replaces an earlier one of
	// the same name (names are case-insensitive).
	Header []HeaderField
	// Host, when set, is sent as the Host header instead of the URL's host.
	Host string
	// Body is sent when it is not empty.
	Body []byte
	// MaxBody bounds the bytes of the response body that are read.
	MaxBody int64
}

// HeaderField is one request header.
type HeaderField struct {
	Name  string
	Value string
}

// HTTPResult is the response to an HTTPCall.
type HTTPResult struct {
	Status     int
	StatusText string              // the standard text of Status ("Not Found"); "" when unknown
	Header     map[string][]string // the values of each name, in order
	Body       []byte              // at most MaxBody bytes
	Truncated  bool                // the body was longer than MaxBody: Body is its start
}

// HTTPStatusError is the error of an http-request whose response status is
// 400 or more; the response is not returned as output. It lets error
// handlers (retries) apply to failing servers.
type HTTPStatusError struct {
	// Status is the HTTP status code.
	Status int
	// StatusText is the standard text of Status ("Not Found"), "" when unknown.
	StatusText string
	// Body is the start of the response body (at most 1 KiB, cut at a
	// character boundary).
	Body string
}

// Error returns e.g. "HTTP 503 Service Unavailable: <start of the body>".
func (e *HTTPStatusError) Error() string {
	msg := "HTTP " + strconv.Itoa(e.Status)
	if e.StatusText != "" {
		msg += " " + e.StatusText
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

// httpParams is a validated http-request.
type httpParams struct {
	method      string
	url         string
	headers     []HeaderField // in the order they are set
	host        string        // a Host header, sent instead of the URL's host
	body        []byte
	hasBody     bool
	contentType string // of body, unless the headers set one
	timeout     time.Duration
}

// parseHTTPParams validates the parameters of an http-request.
func parseHTTPParams(p map[string]any) (httpParams, error) {
	hc := httpParams{method: "GET", timeout: defaultHTTPRequestTimeout}

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
func (hc *httpParams) parseHeaders(v any) error {
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
			f, ok := scripting.ToFloat(x)
			if !ok {
				return fmt.Errorf("headers: value of %q must be a string, number or boolean, got %s", name, jsonType(x))
			}
			value = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if strings.EqualFold(name, "Host") {
			hc.host = value
			continue
		}
		hc.headers = append(hc.headers, HeaderField{Name: name, Value: value})
	}
	return nil
}

// header returns the value the last of fields named name (case-insensitive)
// sets, or "".
func header(fields []HeaderField, name string) string {
	for i := len(fields) - 1; i >= 0; i-- {
		if strings.EqualFold(fields[i].Name, name) {
			return fields[i].Value
		}
	}
	return ""
}

// call returns the request to send, reading at most limit bytes of the
// response body.
func (hc httpParams) call(limit int64) HTTPCall {
	c := HTTPCall{Method: hc.method, URL: hc.url, Header: slices.Clone(hc.headers), Host: hc.host, MaxBody: limit}
	if header(c.Header, "User-Agent") == "" {
		c.Header = append(c.Header, HeaderField{Name: "User-Agent", Value: httpUserAgent})
	}
	if hc.hasBody {
		c.Body = hc.body
		if header(c.Header, "Content-Type") == "" {
			c.Header = append(c.Header, HeaderField{Name: "Content-Type", Value: hc.contentType})
		}
	}
	return c
}

// doHTTPRequest runs an http-request with client, reading at most limit
// bytes of the response body.
func doHTTPRequest(ctx context.Context, client HTTP, params map[string]any, limit int64) (map[string]any, error) {
	hc, err := parseHTTPParams(params)
	if err != nil {
		return nil, err
	}
	reqCtx, cancel := context.WithTimeout(ctx, hc.timeout)
	defer cancel()

	resp, err := client.Do(reqCtx, hc.call(limit))
	if err != nil {
		return nil, timeoutError(ctx, reqCtx, hc.timeout, err)
	}
	if resp.Truncated || int64(len(resp.Body)) > limit {
		return nil, fmt.Errorf("response body larger than %s", formatBytes(limit))
	}
	if resp.Status >= 400 {
		return nil, &HTTPStatusError{Status: resp.Status, StatusText: resp.StatusText, Body: truncateUTF8(string(resp.Body), maxHTTPErrorBody)}
	}

	headers := make(map[string]any, len(resp.Header))
	contentType := ""
	for name, values := range resp.Header {
		name = strings.ToLower(name)
		headers[name] = strings.Join(values, ", ")
		if name == "content-type" && len(values) > 0 {
			contentType = values[0]
		}
	}
	return map[string]any{
		"status":  float64(resp.Status),
		"headers": headers,
		"body":    decodeHTTPBody(contentType, resp.Body),
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
