package scripting

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A script throws a business error as an object with a string errorCode; Error
// carries it as Code and CodeMessage. Anything else is an ordinary runtime error.
func TestBusinessErrorCode(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	tests := []struct {
		name, code, wantCode, wantMsg string
	}{
		{"object", `throw {errorCode: "CARD_DECLINED", errorMessage: "card 42 declined"}`, "CARD_DECLINED", "card 42 declined"},
		{"object without message", `throw {errorCode: "X"}`, "X", ""},
		{"object with message", `throw {errorCode: "X", message: "m"}`, "X", "m"},
		{"Error with errorCode", `const e = new Error("msg"); e.errorCode = "E1"; throw e`, "E1", "msg"},
		{"Error subclass", "class BE extends Error { constructor(c, m) { super(m); this.errorCode = c; } }\nthrow new BE('C2', 'no funds')", "C2", "no funds"},
		{"getter", `throw { get errorCode() { return "G"; }, errorMessage: "g" }`, "G", "g"},
		{"non-string message", `throw {errorCode: "N", errorMessage: 42}`, "N", ""},
		{"plain string", `throw "CARD_DECLINED"`, "", ""},
		{"number code", `throw {errorCode: 42, errorMessage: "m"}`, "", ""},
		{"String object code", `throw {errorCode: new String("S")}`, "", ""},
		{"empty code", `throw {errorCode: ""}`, "", ""},
		{"plain Error", `throw new Error("x")`, "", ""},
		{"throwing getter", `throw { get errorCode() { throw new Error("no"); } }`, "", ""},
		{"too long code", `throw {errorCode: "x".repeat(5000)}`, "", ""},
		{"type error", `null.x`, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.RunScript(ctx, tc.code, Scope{})
			ee := asError(t, err)
			if ee.Kind != KindRuntime || !errors.Is(err, ErrRuntime) {
				t.Fatalf("kind = %v (%v)", ee.Kind, err)
			}
			if ee.Code != tc.wantCode || ee.CodeMessage != tc.wantMsg {
				t.Errorf("code %q message %q, want %q %q (%v)", ee.Code, ee.CodeMessage, tc.wantCode, tc.wantMsg, err)
			}
		})
	}
}

// Reading the code runs under the run's deadline: a getter that loops forever is
// interrupted, the failure is a timeout without a code.
func TestBusinessErrorGetterBounded(t *testing.T) {
	e := New(Options{Timeout: 100 * time.Millisecond})
	_, err := e.RunScript(context.Background(), `throw { get errorCode() { for (;;) {} } }`, Scope{})
	ee := asError(t, err)
	if ee.Code != "" {
		t.Fatalf("code %q from a getter that never returns", ee.Code)
	}
	if ee.Kind != KindTimeout && ee.Kind != KindRuntime {
		t.Fatalf("kind %v: %v", ee.Kind, err)
	}
	// A long message is cut.
	_, err = e.RunScript(context.Background(), `throw {errorCode: "L", errorMessage: "é".repeat(10000)}`, Scope{})
	ee = asError(t, err)
	if ee.Code != "L" || len(ee.CodeMessage) > 4<<10 || !strings.HasPrefix(ee.CodeMessage, "é") {
		t.Fatalf("code %q, message of %d bytes", ee.Code, len(ee.CodeMessage))
	}
}
