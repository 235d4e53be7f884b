package camunda

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Error is Camunda's error body ("Introduction › Error Handling" of the REST reference:
// {"type": the exception's simple class name, "message", "code"}), with its status.
// Code is set where Camunda sets it: on a ProcessEngineException and on a RestException
// wrapping one (0 unless a specific code applies).
type Error struct {
	Status  int    `json:"-"`
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    *int   `json:"code,omitempty"`
}

func (e *Error) Error() string { return e.Message }

var zero = 0

// invalid is Camunda's InvalidRequestException: a 400 for bad input.
func invalid(format string, args ...any) *Error {
	return &Error{Status: fiber.StatusBadRequest, Type: "InvalidRequestException", Message: fmt.Sprintf(format, args...)}
}

// restError is a RestException wrapping an engine exception (code 0), as
// ExternalTaskResourceImpl throws for NotFoundException and BadUserRequestException.
func restError(status int, format string, args ...any) *Error {
	return &Error{Status: status, Type: "RestException", Message: fmt.Sprintf(format, args...), Code: &zero}
}

// taskNotFound is Camunda's answer for an unknown external task id.
func taskNotFound(id string) *Error {
	return restError(fiber.StatusNotFound, "External task with id %s does not exist", id)
}

// taskError maps an engine error of a call on one task as ExternalTaskResourceImpl
// does: not found → 404 "External task with id ... does not exist"; a lock the
// worker does not hold (another's, or expired), or another refusal of the engine
// (BadUserRequestException in Camunda) → 400 RestException with the engine's message.
func taskError(id string, err error) error {
	if err == nil {
		return nil
	}
	var ce *engine.Error
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return taskNotFound(id)
	case errors.Is(err, engine.ErrConflict) && errors.As(err, &ce):
		return restError(fiber.StatusBadRequest, "%s", ce.Message)
	}
	return err
}

// Camunda's wording of a call by a worker that does not hold the task's lock
// (HandleExternalTaskCmd.getErrorMessageOnWrongWorkerAccess of each command, then
// "'. It is locked by worker '<owner>'.").
const (
	actComplete   = "External Task %s cannot be completed by worker '%s"
	actFailure    = "Failure of External Task %s cannot be reported by worker '%s"
	actBPMNError  = "Bpmn error of External Task %s cannot be reported by worker '%s"
	actExtendLock = "The lock of the External Task %s cannot be extended by worker '%s"
)

// lockError answers an engine refusal (ErrConflict: the worker does not hold the
// lock) of a call by workerID on task raw in Camunda's words: 400 RestException
// "... It is locked by worker '<owner>'." ('null' when nobody holds it). The engine
// also refuses the holder of an expired lock (Camunda lets it finish while nobody
// else took the task): then the message says the lock expired. Other errors go to
// taskError.
func (a *API) lockError(ctx context.Context, id engine.ID, raw, workerID, action string, err error) error {
	if err == nil || !errors.Is(err, engine.ErrConflict) {
		return taskError(raw, err)
	}
	owner := "null"
	j, gerr := a.deps.External.Get(ctx, id)
	if gerr != nil {
		return taskError(raw, gerr)
	}
	if j.State == engine.ExternalDone {
		return taskNotFound(raw)
	}
	if j.WorkerID != "" {
		owner = j.WorkerID
	}
	msg := fmt.Sprintf(action, raw, workerID)
	if j.WorkerID == workerID {
		return restError(fiber.StatusBadRequest, "%s'. Its lock expired; fetch the task again.", msg)
	}
	return restError(fiber.StatusBadRequest, "%s'. It is locked by worker '%s'.", msg, owner)
}

// kinds maps the engine's error kinds to statuses and Camunda exception types.
var kinds = []struct {
	kind   error
	status int
	typ    string
}{
	{engine.ErrNotFound, fiber.StatusNotFound, "RestException"},
	{engine.ErrConflict, fiber.StatusBadRequest, "RestException"},
	{engine.ErrInvalid, fiber.StatusBadRequest, "InvalidRequestException"},
	{engine.ErrForbidden, fiber.StatusForbidden, "AuthorizationException"},
	{engine.ErrUnauthorized, fiber.StatusUnauthorized, "AuthenticationException"},
	{engine.ErrUnprocessable, fiber.StatusBadRequest, "InvalidRequestException"},
	{engine.ErrTooMany, fiber.StatusTooManyRequests, "RestException"},
	{engine.ErrUnavailable, fiber.StatusServiceUnavailable, "RestException"},
}

// errors runs the rest of the chain and answers any error it returns in Camunda's
// shape: the one place where this API's errors meet HTTP.
func (a *API) errors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	return a.ErrorHandler(c, err)
}

// ErrorHandler answers an error of a request under Prefix, also one raised before
// routing (a body over the limit): web.Config.PrefixErrors.
func (a *API) ErrorHandler(c *fiber.Ctx, err error) error {
	e := a.toError(c, err)
	if e.Status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="flowcraft", charset="UTF-8"`)
	}
	// Exactly application/json: camunda-external-task-client-js parses a body only
	// when the content type is that string.
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(e.Status).JSON(e)
}

// PrefixErrors is web.Config.PrefixErrors for this API: ErrorHandler under Prefix.
func (a *API) PrefixErrors() map[string]fiber.ErrorHandler {
	return map[string]fiber.ErrorHandler{Prefix: a.ErrorHandler}
}

func (a *API) toError(c *fiber.Ctx, err error) *Error {
	var (
		ce *Error
		re *engine.RetryError
		ee *engine.Error
		ve *engine.ValidationError
		fb *fiber.Error
	)
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &ve):
		return &Error{Status: fiber.StatusBadRequest, Type: "InvalidRequestException", Message: ve.Error()}
	case errors.As(err, &re):
		wait := int64((re.RetryAfter + 999_999_999) / 1_000_000_000)
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(max(wait, 1)))
		status, typ := kindOf(re.Kind)
		return &Error{Status: status, Type: typ, Message: re.Message}
	case errors.As(err, &ee):
		if status, typ := kindOf(ee.Kind); status != fiber.StatusInternalServerError {
			e := &Error{Status: status, Type: typ, Message: ee.Message}
			if typ == "RestException" {
				e.Code = &zero
			}
			return e
		}
	case errors.As(err, &fb) && fb.Code < 500:
		typ := "RestException"
		if fb.Code == fiber.StatusRequestEntityTooLarge {
			typ = "InvalidRequestException"
		}
		return &Error{Status: fb.Code, Type: typ, Message: fb.Message}
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return &Error{Status: k.status, Type: k.typ, Message: err.Error()}
		}
	}
	rid := string(c.Response().Header.Peek(fiber.HeaderXRequestID))
	a.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err)
	return &Error{Status: fiber.StatusInternalServerError, Type: "ProcessEngineException", Message: "internal error; request id " + rid, Code: &zero}
}

func kindOf(kind error) (int, string) {
	for _, k := range kinds {
		if k.kind == kind {
			return k.status, k.typ
		}
	}
	return fiber.StatusInternalServerError, "ProcessEngineException"
}
