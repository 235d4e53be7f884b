package identity

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"flowcraft/engine"
)

type fakeChecker struct{}

func (fakeChecker) CheckPassword(_ context.Context, id, pw, _ string) (*engine.User, error) {
	if pw != "pw" {
		return nil, engine.ErrUnauthorized
	}
	role := engine.RoleUser
	if id == "w" {
		role = engine.RoleWorker
	}
	return &engine.User{ID: id, Role: role}, nil
}

func (fakeChecker) CheckToken(_ context.Context, secret string) (*engine.User, error) {
	if secret != "tok" {
		return nil, engine.ErrUnauthorized
	}
	return &engine.User{ID: "t", Role: engine.RoleWorker}, nil
}

// TestAuthenticate: Basic and Bearer admit, bad headers are HeaderErrors, wrong
// credentials the checker's error, and a worker is confined to the worker APIs.
func TestAuthenticate(t *testing.T) {
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct {
		header, path string
		user         string
		header401    bool
		kind         error
	}{
		{basic("u:pw"), "/flowable-rest/cmmn-api/x", "u", false, nil},
		{"Bearer tok", "/engine-rest/external-task/fetchAndLock", "t", false, nil},
		{"bearer  tok ", "/engine-rest/external-task", "t", false, nil},
		{"", "/x", "", true, nil},
		{"Basic !!!", "/x", "", true, nil},
		{basic("no-colon"), "/x", "", true, nil},
		{"Digest abc", "/x", "", true, nil},
		{basic("u:bad"), "/x", "", false, engine.ErrUnauthorized},
		{basic("w:pw"), "/flowable-rest/cmmn-api/x", "", false, engine.ErrForbidden},
		{"Bearer tok", "/engine-rest/external-taskX", "", false, engine.ErrForbidden},
	} {
		u, err := Authenticate(context.Background(), fakeChecker{}, c.header, "127.0.0.1", c.path)
		var he *HeaderError
		switch {
		case c.header401 != errors.As(err, &he):
			t.Errorf("%q %s: %v, want a header error: %v", c.header, c.path, err, c.header401)
		case c.kind != nil && !errors.Is(err, c.kind):
			t.Errorf("%q %s: %v, want %v", c.header, c.path, err, c.kind)
		case c.user != "" && (err != nil || u.ID != c.user):
			t.Errorf("%q %s: %v %v, want %s", c.header, c.path, u, err, c.user)
		}
	}
}
