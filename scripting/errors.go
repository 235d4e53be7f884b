package scripting

import (
	"errors"
	"strconv"
	"strings"
)

// ErrorKind classifies a failed run.
type ErrorKind string

// Error kinds.
const (
	KindSyntax   ErrorKind = "syntax"   // the code does not compile
	KindRuntime  ErrorKind = "runtime"  // an uncaught JavaScript exception
	KindTimeout  ErrorKind = "timeout"  // the deadline passed
	KindLimit    ErrorKind = "limit"    // a resource limit (memory, size, call depth) was hit
	KindCanceled ErrorKind = "canceled" // the context was canceled
)

// Sentinel errors; errors.Is(err, ErrX) reports whether a *Error is of the matching kind.
var (
	ErrSyntax   = errors.New("scripting: syntax error")
	ErrRuntime  = errors.New("scripting: runtime error")
	ErrTimeout  = errors.New("scripting: timeout")
	ErrLimit    = errors.New("scripting: limit exceeded")
	ErrCanceled = errors.New("scripting: canceled")
)

// Error is returned for every failed run or compilation.
type Error struct {
	Kind    ErrorKind
	Message string // the JS exception message, e.g. "TypeError: Cannot read property 'x' of undefined"
	Line    int    // 1-based line in the user's code (0 when unknown)
	Column  int    // 1-based column in the user's code, in Unicode code points (0 when unknown)
	Stack   string // JS stack trace with positions relative to the user's code, when known
	Logs    []LogEntry
	// Code is set when the script threw a business error (Kind is KindRuntime): a
	// value with a string errorCode property, such as {errorCode: "X", errorMessage:
	// "..."} or an Error given an errorCode property. CodeMessage is then its
	// errorMessage, else its message, when that is a string ("" otherwise). Both are
	// at most 4 KiB; Code is "" for any other failure.
	Code        string
	CodeMessage string
	cause       error // e.g. context.Canceled / context.DeadlineExceeded
}

// Error formats the error as "script error at 3:14: ReferenceError: foo is not defined".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("script ")
	switch e.Kind {
	case KindSyntax:
		b.WriteString("syntax error")
	case KindTimeout:
		b.WriteString("timeout")
	case KindLimit:
		b.WriteString("limit exceeded")
	case KindCanceled:
		b.WriteString("canceled")
	default:
		b.WriteString("error")
	}
	if e.Line > 0 {
		b.WriteString(" at ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Column))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is the sentinel of e's kind.
func (e *Error) Is(target error) bool {
	return target != nil && target == kindSentinel(e.Kind)
}

// Unwrap returns the underlying cause (such as context.DeadlineExceeded), if any.
func (e *Error) Unwrap() error { return e.cause }

func kindSentinel(k ErrorKind) error {
	switch k {
	case KindSyntax:
		return ErrSyntax
	case KindRuntime:
		return ErrRuntime
	case KindTimeout:
		return ErrTimeout
	case KindLimit:
		return ErrLimit
	case KindCanceled:
		return ErrCanceled
	}
	return nil
}

// clone returns a shallow copy so cached errors are never shared with callers.
func (e *Error) clone() *Error {
	c := *e
	return &c
}

// Problem is one issue found by a Check* method. Positions are 1-based and
// relative to the checked string; columns count Unicode code points.
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}
