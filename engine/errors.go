package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors of the core. Only the web edge maps them to HTTP status codes.
var (
	// ErrNotFound means the addressed object does not exist (or is hidden from the caller).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the object changed under the caller (stale version or rev) or is in a
	// state that forbids the operation.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input is malformed or breaks a rule; see *ValidationError for details.
	ErrInvalid = errors.New("invalid")
	// ErrForbidden means the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthorized means the caller could not be identified.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnprocessable means the request contradicts an earlier one it claims to repeat
	// (an Idempotency-Key reused with other data).
	ErrUnprocessable = errors.New("unprocessable")
	// ErrTooMany means the caller must slow down (throttled); see *RetryError.
	ErrTooMany = errors.New("too many requests")
	// ErrUnavailable means the server is at capacity for this kind of work; see *RetryError.
	ErrUnavailable = errors.New("unavailable")
)

// RetryError is an error of kind ErrTooMany or ErrUnavailable that says when the
// caller may try again (the web edge sends it as Retry-After, and as the
// param "retryAfter", in whole seconds).
type RetryError struct {
	Kind       error
	Code       Code   // stable name; empty: the kind's (CodeTooManyRequests, CodeUnavailable)
	Params     Params // values for the message besides retryAfter
	Message    string
	RetryAfter time.Duration
}

func (e *RetryError) Error() string { return e.Message }

// Unwrap returns the sentinel, so errors.Is works.
func (e *RetryError) Unwrap() error { return e.Kind }

// FieldError is one problem found while validating a definition or a request body.
// TaskID is empty for problems of the process itself. Code and Params say what is
// wrong for a program (and for the UI, which shows the locale's "error.<code>"
// message with the params); Message says it in English for API callers.
type FieldError struct {
	TaskID  string `json:"taskId"`
	Field   string `json:"field"`
	Code    Code   `json:"code"`
	Params  Params `json:"params,omitempty"`
	Message string `json:"message"`
}

// ValidationError carries every problem found, not only the first. It matches ErrInvalid.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid"
	}
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		switch {
		case p.TaskID != "" && p.Field != "":
			parts = append(parts, fmt.Sprintf("%s.%s: %s", p.TaskID, p.Field, p.Message))
		case p.TaskID != "":
			parts = append(parts, fmt.Sprintf("%s: %s", p.TaskID, p.Message))
		case p.Field != "":
			parts = append(parts, fmt.Sprintf("%s: %s", p.Field, p.Message))
		default:
			parts = append(parts, p.Message)
		}
	}
	return fmt.Sprintf("%d problem(s): %s", len(parts), strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrInvalid) true for a *ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid builds a *ValidationError with a single problem of the process or
// request, of code CodeInvalidValue; InvalidField names a more precise code.
func Invalid(field, format string, args ...any) error {
	return InvalidField(field, CodeInvalidValue, nil, format, args...)
}

// InvalidField builds a *ValidationError with a single problem of field: its
// stable code, the params its message needs, and the English message.
func InvalidField(field string, code Code, params Params, format string, args ...any) error {
	return &ValidationError{Problems: []FieldError{Problem("", field, code, params, format, args...)}}
}

// Problem builds one FieldError.
func Problem(taskID, field string, code Code, params Params, format string, args ...any) FieldError {
	return FieldError{TaskID: taskID, Field: field, Code: code, Params: params, Message: fmt.Sprintf(format, args...)}
}

// Error is a core error with a message fit for the API caller, wrapping one of the sentinels.
type Error struct {
	Kind    error  // one of the sentinels above
	Code    Code   // stable name of what went wrong; empty: the kind's (KindCode)
	Params  Params // values for the message of Code
	Message string // safe to show to the caller (English)
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel, so errors.Is works.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an *Error of the given kind with a caller-facing message; its
// code is the kind's. Coded names a more precise one.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Coded builds an *Error of the given kind with a stable code, the params its
// message needs, and an English message for API callers.
func Coded(kind error, code Code, params Params, format string, args ...any) error {
	return &Error{Kind: kind, Code: code, Params: params, Message: fmt.Sprintf(format, args...)}
}
