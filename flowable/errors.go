package flowable

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Error is the one error body of this API (seed 003 "错误响应体").
type Error struct {
	StatusCode   int    `json:"statusCode"`
	ErrorMessage string `json:"errorMessage"`
}

func (e *Error) Error() string { return e.ErrorMessage }

// errStatus is an error with its status.
func errStatus(status int, format string, args ...any) *Error {
	return &Error{StatusCode: status, ErrorMessage: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *Error {
	return errStatus(fiber.StatusBadRequest, format, args...)
}

func notFound(format string, args ...any) *Error {
	return errStatus(fiber.StatusNotFound, format, args...)
}

// kinds maps the engine's error kinds to statuses (as web/errors.go does).
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

// errors runs the rest of the chain and answers any error it returns in the API's
// shape: the one place where this API's errors meet HTTP. A 500 hides its message
// (logged with the request id).
func (a *API) errors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	return a.ErrorHandler(c, err)
}

// ErrorHandler answers an error of a request under Prefix that reached the app's
// error handler without passing this API's handlers (raised before routing: a
// multipart body that does not parse, a body over the limit); web.Config.PrefixErrors.
func (a *API) ErrorHandler(c *fiber.Ctx, err error) error {
	e := a.toError(c, err)
	if e.StatusCode == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="flowcraft", charset="UTF-8"`)
	}
	return c.Status(e.StatusCode).JSON(e)
}

// PrefixErrors is web.Config.PrefixErrors for this API: ErrorHandler under Prefix,
// ExternalErrorHandler under ExternalPrefix.
func (a *API) PrefixErrors() map[string]fiber.ErrorHandler {
	return map[string]fiber.ErrorHandler{Prefix: a.ErrorHandler, ExternalPrefix: a.ExternalErrorHandler}
}

func (a *API) toError(c *fiber.Ctx, err error) *Error {
	var (
		fe *Error
		re *engine.RetryError
		ce *engine.Error
		ve *engine.ValidationError
		fb *fiber.Error
	)
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &ve):
		return &Error{StatusCode: fiber.StatusBadRequest, ErrorMessage: ve.Error()}
	case errors.As(err, &re):
		wait := int64((re.RetryAfter + 999_999_999) / 1_000_000_000)
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(max(wait, 1)))
		return &Error{StatusCode: statusOf(re.Kind), ErrorMessage: re.Message}
	case errors.As(err, &ce):
		if s := statusOf(ce.Kind); s != fiber.StatusInternalServerError {
			return &Error{StatusCode: s, ErrorMessage: ce.Message}
		}
	case errors.As(err, &fb) && fb.Code < 500:
		return &Error{StatusCode: fb.Code, ErrorMessage: fb.Message}
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return &Error{StatusCode: k.status, ErrorMessage: err.Error()}
		}
	}
	rid := string(c.Response().Header.Peek(fiber.HeaderXRequestID))
	a.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err)
	return &Error{StatusCode: fiber.StatusInternalServerError, ErrorMessage: "internal error; request id " + rid}
}

func statusOf(kind error) int {
	for _, k := range kinds {
		if k.kind == kind {
			return k.status
		}
	}
	return fiber.StatusInternalServerError
}
