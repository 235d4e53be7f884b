package identity

import (
	"context"
	"encoding/base64"
	"strings"

	"flowcraft/engine"
)

// Checker checks credentials: the Identity service, or what an API surface declares
// of it.
type Checker interface {
	CheckPassword(ctx context.Context, userID, password, addr string) (*engine.User, error)
	CheckToken(ctx context.Context, secret string) (*engine.User, error)
}

// HeaderError is an Authorization header that admits no one: missing, malformed or of
// another scheme. Each API answers it as its own 401.
type HeaderError struct{ Message string }

func (e *HeaderError) Error() string { return e.Message }

// Authenticate admits the caller of an API without sessions (Flowable's, Camunda's):
// HTTP Basic with a user's name and password (or, as the password, one of the user's
// API tokens: checked, throttled and cached by the Checker) or a flowcraft API token
// as Bearer, then confines the user to path with Admit. A bad header is a
// *HeaderError; wrong credentials and Admit's refusal are the Checker's and Admit's
// engine errors.
func Authenticate(ctx context.Context, ch Checker, header, addr, path string) (*engine.User, error) {
	scheme, cred, _ := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	var (
		u   *engine.User
		err error
	)
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, derr := base64.StdEncoding.DecodeString(cred)
		user, pass, ok := strings.Cut(string(raw), ":")
		if derr != nil || !ok {
			return nil, &HeaderError{"malformed Basic credentials"}
		}
		u, err = ch.CheckPassword(ctx, user, pass, addr)
	case strings.EqualFold(scheme, "Bearer"):
		u, err = ch.CheckToken(ctx, cred)
	case header != "":
		return nil, &HeaderError{"unsupported Authorization scheme " + scheme + "; use Basic or Bearer"}
	default:
		return nil, &HeaderError{"authentication required: use HTTP Basic or a flowcraft API token (Authorization: Bearer ...)"}
	}
	if err != nil {
		return nil, err
	}
	if err := Admit(u, path); err != nil {
		return nil, err
	}
	return u, nil
}
