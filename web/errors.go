package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// APIError is the one error shape of the API: {"statusCode", "errorMessage", "errors"}.
type APIError struct {
	StatusCode   int                 `json:"statusCode"`
	ErrorMessage string              `json:"errorMessage"`
	Errors       []engine.FieldError `json:"errors,omitempty"`
	RequestID    string              `json:"requestId,omitempty"`
}

func (e *APIError) Error() string { return e.ErrorMessage }

// apiErr builds an *APIError for handler-level problems (bad query parameters and the like).
func apiErr(status int, msg string) *APIError {
	return &APIError{StatusCode: status, ErrorMessage: msg}
}

// errorHandler maps every error a handler returns to a status code and the API error
// shape (for /api) or an error page (for pages). This is the only place where core
// errors meet HTTP. A 500 never shows its message; it is logged with the request id.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
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
		return ae
	case errors.As(err, &ve):
		return &APIError{StatusCode: fiber.StatusBadRequest, ErrorMessage: ve.Error(), Errors: ve.Problems}
	case errors.As(err, &re):
		c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(retryAfterSeconds(re.RetryAfter), 10))
		return &APIError{StatusCode: statusOf(re.Kind), ErrorMessage: re.Message}
	case errors.As(err, &ce):
		return &APIError{StatusCode: statusOf(ce.Kind), ErrorMessage: ce.Message}
	case errors.As(err, &fe):
		msg := fe.Message
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			msg = "request body is larger than the limit"
		case fiber.StatusNotFound:
			if isAPI(c) {
				msg = "no such route: " + c.Method() + " " + c.Path()
			}
		case fiber.StatusMethodNotAllowed:
			msg = "method " + c.Method() + " is not allowed on " + c.Path()
		}
		if fe.Code >= 500 {
			s.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err)
			msg = "internal error; request id " + rid
		}
		return &APIError{StatusCode: fe.Code, ErrorMessage: msg}
	}
	for _, kind := range []error{engine.ErrNotFound, engine.ErrConflict, engine.ErrInvalid, engine.ErrForbidden, engine.ErrUnauthorized, engine.ErrTooMany, engine.ErrUnavailable, engine.ErrUnprocessable} {
		if errors.Is(err, kind) {
			return &APIError{StatusCode: statusOf(kind), ErrorMessage: err.Error()}
		}
	}
	s.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err)
	return &APIError{StatusCode: fiber.StatusInternalServerError, ErrorMessage: "internal error; request id " + rid, RequestID: rid}
}

func statusOf(kind error) int {
	switch kind {
	case engine.ErrNotFound:
		return fiber.StatusNotFound
	case engine.ErrConflict:
		return fiber.StatusConflict
	case engine.ErrInvalid:
		return fiber.StatusBadRequest
	case engine.ErrForbidden:
		return fiber.StatusForbidden
	case engine.ErrUnauthorized:
		return fiber.StatusUnauthorized
	case engine.ErrUnprocessable:
		return fiber.StatusUnprocessableEntity
	case engine.ErrTooMany:
		return fiber.StatusTooManyRequests
	case engine.ErrUnavailable:
		return fiber.StatusServiceUnavailable
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
