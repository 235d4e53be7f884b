// Package httpclient is the HTTP client of the http-request template: it sends a
// templates.HTTPCall and returns a templates.HTTPResult, guarded against server-side
// request forgery (see New). engine/templates describes requests and interprets
// responses; only this package speaks net/http.
package httpclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"flowcraft/engine/templates"
)

// ErrForbiddenAddress is wrapped by the errors of a Client when it refuses a target: an address that is not public
// (loopback, private, link-local, ...) and not on the allow-list, or a URL
// scheme other than http and https. Test for it with errors.Is.
var ErrForbiddenAddress = errors.New("forbidden address")

// Options configure a Client.
type Options struct {
	// Allow lists the non-public targets that may be reached anyway: host
	// names (exact, case-insensitive, e.g. "localhost", "api.internal"), IP
	// addresses ("127.0.0.1", "::1" or "[::1]") and CIDR blocks
	// ("10.0.0.0/8", "fd00::/8"). A host name on the list may resolve to any
	// address; an IP or CIDR entry matches the resolved address whatever name
	// led to it. Entries that are none of these are ignored; validate
	// configuration text with ParseAllowList.
	Allow []string
	// Timeout bounds a whole request including redirects and reading the
	// body; 0 means 60s.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed; 0 means 5, a negative
	// value means none (the 3xx response is returned as is).
	MaxRedirects int
}

// The defaults of Options.
const (
	defaultHTTPTimeout  = 60 * time.Second
	defaultMaxRedirects = 5
	// httpAllowEnv names the configuration that feeds Options.Allow; it
	// is quoted in refusals so that the user knows what to change.
	httpAllowEnv = "FLOWCRAFT_HTTP_ALLOW"
	// dialAttemptTimeout bounds one TCP connection attempt.
	dialAttemptTimeout = 30 * time.Second
)

// DefaultMaxBody is how much of a response body is read when HTTPCall.MaxBody is 0.
const DefaultMaxBody = 10 << 20

// Client sends the requests of the http-request template. It implements
// templates.HTTP and is safe for concurrent use.
type Client struct {
	hc *http.Client
}

// New returns the client of the http-request template, guarded against
// server-side request forgery: it refuses URL schemes other than http and
// https, and refuses to connect to any address that is not public unless
// opts.Allow permits it. The check happens when dialing, after DNS
// resolution, and the connection is made to the very address that was
// checked, so DNS rebinding cannot get around it; every redirect is dialed,
// and therefore checked, the same way. Proxy settings from the environment
// are ignored, since a proxy would make the connection on the client's
// behalf and bypass the check. Refusals wrap ErrForbiddenAddress.
func New(opts Options) *Client {
	g := newDialGuard(opts.Allow)
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           g.dialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultHTTPTimeout
	}
	maxRedirects := opts.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = defaultMaxRedirects
	}
	return &Client{hc: &http.Client{
		Transport: schemeGuard{next: tr},
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if maxRedirects < 0 {
				return http.ErrUseLastResponse
			}
			if len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return checkScheme(req)
		},
	}}
}

// Do implements templates.HTTP: it sends call and reads at most call.MaxBody
// bytes of the response body (DefaultMaxBody when 0), all under ctx. Header
// fields are set in order, so a later one replaces an earlier one of the same
// name. A response of any status is a result, not an error.
func (c *Client) Do(ctx context.Context, call templates.HTTPCall) (templates.HTTPResult, error) {
	var body io.Reader
	if len(call.Body) > 0 {
		body = bytes.NewReader(call.Body)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, call.URL, body)
	if err != nil {
		return templates.HTTPResult{}, fmt.Errorf("building the request: %w", err)
	}
	for _, f := range call.Header {
		req.Header.Set(f.Name, f.Value)
	}
	if call.Host != "" {
		req.Host = call.Host
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return templates.HTTPResult{}, err
	}
	defer resp.Body.Close()
	limit := call.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return templates.HTTPResult{}, fmt.Errorf("reading the response body: %w", err)
	}
	res := templates.HTTPResult{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode), Header: resp.Header, Body: data}
	if int64(len(data)) > limit {
		res.Body, res.Truncated = data[:limit], true
	}
	return res, nil
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// ParseAllowList parses an allow-list for Options.Allow from
// configuration text (FLOWCRAFT_HTTP_ALLOW): entries separated by commas
// and/or white space, each a host name, an IP address (IPv6 optionally in
// brackets) or a CIDR block. Host names are lower-cased. It rejects entries
// that look like URLs or carry a port, and invalid CIDR blocks.
func ParseAllowList(text string) ([]string, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	var out []string
	var errs []error
	for _, f := range fields {
		if _, ok := parseAllowIP(f); ok {
			out = append(out, f)
			continue
		}
		if strings.Contains(f, "/") {
			errs = append(errs, fmt.Errorf("allow-list entry %q is not a valid CIDR block (use e.g. 10.0.0.0/8, without a scheme or path)", f))
			continue
		}
		h := normalizeHost(f)
		if h == "" || strings.ContainsAny(h, ":[]@?#*") {
			errs = append(errs, fmt.Errorf("allow-list entry %q is not a host name, IP address or CIDR block (leave out any scheme and port; wildcards are not supported)", f))
			continue
		}
		out = append(out, h)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// schemeGuard is the client's RoundTripper: it refuses URL schemes other
// than http and https before anything is dialed.
type schemeGuard struct{ next *http.Transport }

// RoundTrip implements http.RoundTripper.
func (s schemeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkScheme(req); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return s.next.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport.
func (s schemeGuard) CloseIdleConnections() { s.next.CloseIdleConnections() }

// checkScheme refuses a request whose URL scheme is not http or https.
func checkScheme(req *http.Request) error {
	if req.URL == nil {
		return fmt.Errorf("%w: request has no URL", ErrForbiddenAddress)
	}
	switch strings.ToLower(req.URL.Scheme) {
	case "http", "https":
		return nil
	}
	return fmt.Errorf("%w: refusing URL scheme %q: only http and https are allowed", ErrForbiddenAddress, req.URL.Scheme)
}

// dialGuard dials only addresses that are public or allowed. It is
// immutable after construction.
type dialGuard struct {
	hosts map[string]bool // allowed host names, normalized
	nets  []netip.Prefix  // allowed addresses and blocks, unmapped
	// lookup resolves a host name; net.DefaultResolver.LookupNetIP.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// newDialGuard builds a guard from Options.Allow entries.
func newDialGuard(allow []string) *dialGuard {
	g := &dialGuard{
		hosts:  make(map[string]bool),
		lookup: net.DefaultResolver.LookupNetIP,
	}
	for _, a := range allow {
		if p, ok := parseAllowIP(a); ok {
			g.nets = append(g.nets, p)
			continue
		}
		if strings.Contains(a, "/") {
			continue // an invalid CIDR block; never a host name
		}
		if h := normalizeHost(a); h != "" {
			g.hosts[h] = true
		}
	}
	return g
}

// parseAllowIP parses an allow-list entry that is an IP address (IPv6
// optionally in brackets) or a CIDR block.
func parseAllowIP(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Prefix{}, false
	}
	ip = ip.WithZone("").Unmap()
	return netip.PrefixFrom(ip, ip.BitLen()), true
}

// normalizeHost lower-cases a host name and drops brackets and a trailing dot.
func normalizeHost(h string) string {
	h = strings.TrimSpace(h)
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// allowed reports whether ip, reached through host (a name or an IP
// literal), is on the allow-list.
func (g *dialGuard) allowed(host string, ip netip.Addr) bool {
	if g.hosts[normalizeHost(host)] {
		return true
	}
	ip = ip.WithZone("").Unmap()
	for _, p := range g.nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// check returns nil when ip (reached through host, on port) may be dialed,
// or a *forbiddenAddressError.
func (g *dialGuard) check(host, port string, ip netip.Addr) error {
	reason := blockedReason(ip)
	if reason == "" || g.allowed(host, ip) {
		return nil
	}
	return &forbiddenAddressError{host: host, port: port, ip: ip, reason: reason}
}

// dialContext is the transport's DialContext: it resolves the host itself,
// checks every address and connects only to checked ones.
func (g *dialGuard) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = g.lookup(ctx, lookupNetwork(network), host)
		if err != nil {
			return nil, fmt.Errorf("resolving %s: %w", host, err)
		}
		for i, ip := range ips {
			ips[i] = ip.Unmap()
		}
	}
	// Connect only to addresses that pass the check; an address that does
	// not is skipped, and reported when none is left.
	var usable []netip.Addr
	var refused error
	for _, ip := range ips {
		if err := g.check(host, port, ip); err != nil {
			if refused == nil {
				refused = err
			}
			continue
		}
		usable = append(usable, ip)
	}
	if len(usable) == 0 {
		if refused == nil {
			refused = fmt.Errorf("resolving %s: no addresses", host)
		}
		return nil, refused
	}
	d := &net.Dialer{
		Timeout:   dialAttemptTimeout,
		KeepAlive: 30 * time.Second,
		// A second check at the socket, on the address actually being
		// connected to.
		Control: func(_, addr string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(addr)
			if err != nil {
				return fmt.Errorf("%w: cannot check address %q: %w", ErrForbiddenAddress, addr, err)
			}
			return g.check(host, port, ap.Addr())
		},
	}
	var lastErr error
	for i, ip := range usable {
		attemptCtx, cancel := attemptContext(ctx, len(usable)-i)
		conn, err := d.DialContext(attemptCtx, network, net.JoinHostPort(ip.Unmap().String(), port))
		cancel()
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// attemptContext gives one of remaining connection attempts its share of
// ctx's deadline (at least 2s), as net.Dialer does for multiple addresses.
func attemptContext(ctx context.Context, remaining int) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok || remaining <= 1 {
		return context.WithCancel(ctx)
	}
	share := time.Until(deadline) / time.Duration(remaining)
	if share < 2*time.Second {
		share = 2 * time.Second
	}
	return context.WithTimeout(ctx, share)
}

// lookupNetwork maps a dial network to a LookupNetIP network.
func lookupNetwork(network string) string {
	switch network {
	case "tcp4", "udp4":
		return "ip4"
	case "tcp6", "udp6":
		return "ip6"
	}
	return "ip"
}

// forbiddenAddressError is a refusal to connect; it wraps ErrForbiddenAddress.
type forbiddenAddressError struct {
	host, port string
	ip         netip.Addr
	reason     string
}

// Error implements error.
func (e *forbiddenAddressError) Error() string {
	what := e.reason
	target := net.JoinHostPort(e.host, e.port)
	if ip, err := netip.ParseAddr(e.host); err != nil || ip != e.ip {
		what = "resolves to " + e.ip.String() + ", " + e.reason
	}
	return fmt.Sprintf("refusing to connect to %s (%s): add it to the HTTP allow-list (%s) to permit", target, what, httpAllowEnv)
}

// Unwrap returns ErrForbiddenAddress.
func (e *forbiddenAddressError) Unwrap() error { return ErrForbiddenAddress }

// blockedRange is an address block that may not be dialed by default.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// blockedRanges returns the non-public address blocks, most specific first.
// IPv4-mapped IPv6 addresses are unmapped before they are looked up here,
// and NAT64 and 6to4 addresses are judged by the IPv4 address they embed.
func blockedRanges() []blockedRange {
	r := func(cidr, reason string) blockedRange {
		return blockedRange{netip.MustParsePrefix(cidr), reason}
	}
	return []blockedRange{
		r("0.0.0.0/32", "unspecified"),
		r("255.255.255.255/32", "broadcast"),
		r("0.0.0.0/8", "this network"),
		r("127.0.0.0/8", "loopback"),
		r("169.254.169.254/32", "link-local, cloud metadata"),
		r("169.254.0.0/16", "link-local"),
		r("10.0.0.0/8", "private"),
		r("172.16.0.0/12", "private"),
		r("192.168.0.0/16", "private"),
		r("100.64.0.0/10", "shared address space, CGNAT"),
		r("192.0.0.0/24", "reserved"),
		r("192.0.2.0/24", "documentation"),
		r("198.18.0.0/15", "benchmarking"),
		r("198.51.100.0/24", "documentation"),
		r("203.0.113.0/24", "documentation"),
		r("224.0.0.0/4", "multicast"),
		r("240.0.0.0/4", "reserved"),

		r("::/128", "unspecified"),
		r("::1/128", "loopback"),
		r("::/96", "IPv4-compatible, deprecated"),
		r("64:ff9b:1::/48", "private NAT64"),
		r("100::/64", "discard-only"),
		r("2001:db8::/32", "documentation"),
		r("fc00::/7", "private"),
		r("fe80::/10", "link-local"),
		r("fec0::/10", "site-local"),
		r("ff00::/8", "multicast"),
	}
}

// blockedReason returns why ip may not be dialed without an allow-list
// entry ("loopback", "private", ...), or "" when it is a public address.
func blockedReason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
			if r := blockedReason(netip.AddrFrom4([4]byte(b[12:16]))); r != "" {
				return r + " via NAT64"
			}
			return ""
		case netip.MustParsePrefix("2002::/16").Contains(ip):
			if r := blockedReason(netip.AddrFrom4([4]byte(b[2:6]))); r != "" {
				return r + " via 6to4"
			}
			return ""
		}
	}
	for _, r := range blockedRanges() {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	return ""
}
