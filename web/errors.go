package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// APIError is the one error shape of the API: {"statusCode", "code", "params",
// "errorMessage", "errors"}. Code is stable and Params hold the values its
// message needs (the browser UI shows the locale's "error.<code>" with them);
// errorMessage says the same in English for API callers; errors lists every
// problem of an invalid request, each with its own code and params.
type APIError struct {
	StatusCode   int                 `json:"statusCode"`
	Code         engine.Code         `json:"code"`
	Params       engine.Params       `json:"params,omitempty"`
	ErrorMessage string              `json:"errorMessage"`
	Errors       []engine.FieldError `json:"errors,omitempty"`
	RequestID    string              `json:"requestId,omitempty"`
}

func (e *APIError) Error() string { return e.ErrorMessage }

// The web edge's own error codes (the engine's are in engine/codes.go).
const (
	codeEmptyBody         engine.Code = "empty_body"             // a body is needed
	codeMalformedJSON     engine.Code = "malformed_json"         // [line] [column] of the syntax error (0 when unknown)
	codeTrailingData      engine.Code = "trailing_data"          // data after the JSON value
	codeMalformedBody     engine.Code = "malformed_body"         // a form or multipart body that does not parse
	codeBodyTooLarge      engine.Code = "body_too_large"         // [max] bytes
	codeUnsupportedMedia  engine.Code = "unsupported_media_type" // [got] instead of application/json
	codeBadEncoding       engine.Code = "bad_encoding"           // a Content-Encoding that is not supported [encoding]
	codeCorruptBody       engine.Code = "corrupt_body"           // a compressed body that does not decode [encoding]
	codeNoRoute           engine.Code = "no_route"               // [method] [path]
	codeMethodNotAllowed  engine.Code = "method_not_allowed"     // [method] [path]
	codeUpgradeRequired   engine.Code = "upgrade_required"       // a websocket endpoint reached without a websocket
	codeInstanceFailed    engine.Code = "instance_failed"        // a webhook's instance ended [status]; see [id]
	codeBadLanguage       engine.Code = "bad_language"           // [allowed]
	codeBadRequestGeneric engine.Code = "bad_request"            // a request Fiber itself refused
)

// codedErr builds an *APIError with a stable code and the params of its message.
func codedErr(status int, code engine.Code, params engine.Params, msg string) *APIError {
	return &APIError{StatusCode: status, Code: code, Params: params, ErrorMessage: msg}
}

// kinds maps each engine error kind to its HTTP status: the one table the
// error handler, statusOf and statusCode read.
var kinds = []struct {
	kind   error
	status int
}{
	{engine.ErrNotFound, fiber.StatusNotFound},
	{engine.ErrConflict, fiber.StatusConflict},
	{engine.ErrInvalid, fiber.StatusBadRequest},
	{engine.ErrForbidden, fiber.StatusForbidden},
	{engine.ErrUnauthorized, fiber.StatusUnauthorized},
	{engine.ErrUnprocessable, fiber.StatusUnprocessableEntity},
	{engine.ErrTooMany, fiber.StatusTooManyRequests},
	{engine.ErrUnavailable, fiber.StatusServiceUnavailable},
}

// edgeCodes are the codes of the statuses only the web edge answers (or, for
// 400, answers for reasons other than a validation).
var edgeCodes = map[int]engine.Code{
	fiber.StatusBadRequest:            codeBadRequestGeneric,
	fiber.StatusMethodNotAllowed:      codeMethodNotAllowed,
	fiber.StatusRequestEntityTooLarge: codeBodyTooLarge,
	fiber.StatusUnsupportedMediaType:  codeUnsupportedMedia,
	fiber.StatusUpgradeRequired:       codeUpgradeRequired,
}

// statusCode is the code of an error known only by its HTTP status.
func statusCode(status int) engine.Code {
	if code, ok := edgeCodes[status]; ok {
		return code
	}
	for _, k := range kinds {
		if k.status == status {
			return engine.KindCode(k.kind)
		}
	}
	return engine.CodeInternal
}

// errorHandler maps every error a handler returns to a status code and the API error
// shape (for /api) or an error page (for pages). This is the only place where core
// errors meet HTTP. A 500 never shows its message; it is logged with the request id.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	for prefix, h := range s.cfg.PrefixErrors {
		if strings.HasPrefix(c.Path(), prefix) {
			return h(c, err)
		}
	}
	e := s.toAPIError(c, err)
	if e.StatusCode == fiber.StatusUnauthorized && !strings.HasPrefix(c.Path(), "/api/hooks/") &&
		!strings.Contains(string(c.Request().Header.Peek("Cookie")), sessionCookie+"=") {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="flowcraft", charset="UTF-8"`)
	}
	if !isAPI(c) && s.pages != nil && e.StatusCode != fiber.StatusMethodNotAllowed {
		return s.pages.renderError(c, e)
	}
	return c.Status(e.StatusCode).JSON(e)
}

func (s *Server) toAPIError(c *fiber.Ctx, err error) *APIError {
	var (
		ae  *APIError
		ve  *engine.ValidationError
		re  *engine.RetryError
		ce  *engine.Error
		fe  *fiber.Error
		rid = requestID(c)
	)
	switch {
	case errors.As(err, &ae):
		if ae.Code == "" {
			ae.Code = statusCode(ae.StatusCode)
		}
		return ae
	case errors.As(err, &ve):
		return &APIError{StatusCode: fiber.StatusBadRequest, Code: engine.CodeInvalid, Params: engine.Params{"count": len(ve.Problems)},
			ErrorMessage: ve.Error(), Errors: ve.Problems}
	case errors.As(err, &re):
		wait := retryAfterSeconds(re.RetryAfter)
		c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(wait, 10))
		params := engine.Params{"retryAfter": wait}
		for k, v := range re.Params {
			params[k] = v
		}
		return &APIError{StatusCode: statusOf(re.Kind), Code: orKind(re.Code, re.Kind), Params: params, ErrorMessage: re.Message}
	case errors.As(err, &ce):
		return &APIError{StatusCode: statusOf(ce.Kind), Code: orKind(ce.Code, ce.Kind), Params: ce.Params, ErrorMessage: ce.Message}
	case errors.As(err, &fe):
		e := &APIError{StatusCode: fe.Code, Code: statusCode(fe.Code), ErrorMessage: fe.Message}
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			e.Params = engine.Params{"max": s.cfg.BodyLimit}
			e.ErrorMessage = "request body is larger than the limit of " + strconv.Itoa(s.cfg.BodyLimit) + " bytes"
		case fiber.StatusNotFound:
			if isAPI(c) {
				e.Code, e.Params = codeNoRoute, engine.Params{"method": c.Method(), "path": c.Path()}
				e.ErrorMessage = "no such route: " + c.Method() + " " + c.Path()
			}
		case fiber.StatusMethodNotAllowed:
			e.Params = engine.Params{"method": c.Method(), "path": c.Path()}
			e.ErrorMessage = "method " + c.Method() + " is not allowed on " + c.Path()
		}
		if fe.Code >= 500 {
			s.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err)
			e.Code, e.Params = engine.CodeInternal, engine.Params{"requestId": rid}
			e.ErrorMessage = "internal error; request id " + rid
		}
		return e
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return &APIError{StatusCode: k.status, Code: engine.KindCode(k.kind), ErrorMessage: err.Error()}
		}
	}
	s.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err)
	return &APIError{StatusCode: fiber.StatusInternalServerError, Code: engine.CodeInternal, Params: engine.Params{"requestId": rid},
		ErrorMessage: "internal error; request id " + rid, RequestID: rid}
}

// orKind is code, or the code of kind when code is empty.
func orKind(code engine.Code, kind error) engine.Code {
	if code != "" {
		return code
	}
	return engine.KindCode(kind)
}

// statusOf is the HTTP status of an engine error kind (500 for anything else).
func statusOf(kind error) int {
	for _, k := range kinds {
		if k.kind == kind {
			return k.status
		}
	}
	return fiber.StatusInternalServerError
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1 (Retry-After).
func retryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/ws/") || p == "/healthz" || p == "/readyz" || p == "/metrics"
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(localRequestID).(string); ok {
		return v
	}
	return ""
}
