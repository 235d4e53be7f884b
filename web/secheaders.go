package web

import (
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Security headers of every answer. The pages load their scripts and styles from
// /static only (<script type="module" src>, <link rel="stylesheet">); the data they
// embed is in <script type="application/json"> blocks, which never execute. So no
// inline script or style is needed, and none is allowed.
const (
	// pageCSP is the policy of pages and static files. img-src allows data: for the
	// stylesheet's inline SVG icons; connect-src 'self' covers the API and the
	// websockets (ws/wss of the same host).
	pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// apiCSP is the policy of API answers: JSON that loads nothing.
	apiCSP = "default-src 'none'; frame-ancestors 'none'"
	// hookCSP is the policy of webhook answers, whose body and some headers a process
	// designer chooses: even if a browser rendered one, it would run in a sandbox (an
	// opaque origin: no cookies, no script) and load nothing.
	hookCSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
)

// securityHeaders sets the security headers of every answer (pages, API, static files,
// webhooks, errors): a Content-Security-Policy, nosniff, no framing, and a referrer
// that stays on this origin.
func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	csp := pageCSP
	if p := strings.ToLower(c.Path()); strings.HasPrefix(p, "/api/hooks/") {
		csp = hookCSP
	} else if isAPI(c) {
		csp = apiCSP
	}
	h.Set(fiber.HeaderContentSecurityPolicy, csp)
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	h.Set(fiber.HeaderReferrerPolicy, "same-origin")
	return c.Next()
}

// replyHeaderAllowed says whether an end task may set a header on a webhook answer.
// Not allowed: malformed names; framing and hop-by-hop headers; the server's own
// (X-Request-Id, X-Flowcraft-*); and anything that would reach beyond the answer on
// the app's origin: cookies, the security headers every answer carries, CORS and
// cross-origin policies, HSTS, Alt-Svc, Clear-Site-Data, authentication prompts,
// Refresh; Location only on a 3xx answer.
func replyHeaderAllowed(name string, status int) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	n := strings.ToLower(name)
	for _, prefix := range []string{"access-control-", "cross-origin-", "content-security-policy", "x-flowcraft-", "proxy-", "sec-"} {
		if strings.HasPrefix(n, prefix) {
			return false
		}
	}
	switch n {
	case "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer", "te",
		"content-encoding", "x-request-id",
		"set-cookie", "set-cookie2", "x-content-type-options", "x-frame-options", "x-xss-protection",
		"referrer-policy", "permissions-policy", "feature-policy", "strict-transport-security",
		"public-key-pins", "public-key-pins-report-only", "expect-ct", "alt-svc", "clear-site-data",
		"www-authenticate", "refresh", "service-worker-allowed", "origin-agent-cluster", "timing-allow-origin",
		"report-to", "reporting-endpoints", "nel", "accept-ch", "critical-ch", "x-dns-prefetch-control",
		"x-permitted-cross-domain-policies", "link", "sourcemap", "x-sourcemap":
		return false
	case "location":
		return status >= 300 && status < 400
	}
	return true
}

// replyTextTypes are the text types a webhook answer may have besides JSON.
var replyTextTypes = map[string]bool{"text/plain": true, "text/csv": true, "text/tab-separated-values": true, "text/markdown": true}

// replyContentType returns the Content-Type a webhook answer is sent with, given the
// one its end task set: JSON types (application/json, application/*+json) as set,
// the plain text types of replyTextTypes in UTF-8, and any other type (HTML, XML, SVG,
// JavaScript, PDF, ...) as text/plain, so that an answer is never active content on
// the app's origin.
func replyContentType(ct string) string {
	media, params, err := mime.ParseMediaType(ct)
	switch {
	case err == nil && isJSONMedia(media):
		if t := mime.FormatMediaType(media, params); t != "" {
			return t
		}
		return fiber.MIMEApplicationJSON
	case err == nil && replyTextTypes[media]:
		return media + "; charset=utf-8"
	}
	return fiber.MIMETextPlainCharsetUTF8
}
