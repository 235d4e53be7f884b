package engine

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"amount":120}`)
	const secret = "whsec"
	good := Sign(secret, now, body)
	v1 := strings.SplitN(good, "v1=", 2)[1]
	for _, tc := range []struct {
		name, header string
		body         []byte
		at           time.Time
		wantErr      string // empty: valid
	}{
		{"valid", good, body, now, ""},
		{"spaces and order", " v1=" + v1 + " , t=1700000000 ", body, now, ""},
		{"unknown scheme ignored", good + ",v0=zzz", body, now, ""},
		{"second signature matches", "t=1700000000,v1=" + strings.Repeat("ab", 32) + ",v1=" + v1, body, now, ""},
		{"4m59s old", good, body, now.Add(4*time.Minute + 59*time.Second), ""},
		{"4m59s ahead", good, body, now.Add(-4*time.Minute - 59*time.Second), ""},
		{"empty body", Sign(secret, now, nil), nil, now, ""},
		{"missing", "", body, now, "missing X-Flowcraft-Signature"},
		{"no t", "v1=" + v1, body, now, "malformed"},
		{"no v1", "t=1700000000", body, now, "malformed"},
		{"two t", "t=1,t=2,v1=" + v1, body, now, "more than one t"},
		{"t not a number", "t=soon,v1=" + v1, body, now, "unix seconds"},
		{"v1 not hex", "t=1700000000,v1=xyz", body, now, "64 hex digits"},
		{"no equals", "garbage", body, now, "malformed"},
		{"stale", good, body, now.Add(5*time.Minute + time.Second), "outside the 5m0s window (off by 5m1s)"},
		{"future", good, body, now.Add(-6 * time.Minute), "outside the 5m0s window"},
		{"other body", good, []byte(`{"amount":121}`), now, "signature mismatch"},
		{"other secret", Sign("nope", now, body), body, now, "signature mismatch"},
		{"replayed with a new t", "t=1700000100,v1=" + v1, body, now, "signature mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(secret, tc.header, tc.body, tc.at)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != ErrUnauthorized {
				t.Errorf("error %T is not ErrUnauthorized", err)
			}
		})
	}
}

func TestWebhookSettingsOf(t *testing.T) {
	proc := func(params map[string]any, timeout int64) *Process {
		ps := map[string]*Parameter{}
		for k, v := range params {
			ps[k] = &Parameter{Value: v}
		}
		return &Process{ID: "proc-x", TriggerApp: "webhook", StartTaskInstID: "hook",
			Tasks: []*Task{{InstID: "hook", Template: "webhook", Parameters: ps, Timeout: timeout}}}
	}
	for _, tc := range []struct {
		name string
		p    *Process
		want WebhookSettings
	}{
		{"defaults", proc(nil, 0), WebhookSettings{Respond: RespondImmediate, Wait: 30 * time.Second}},
		{"onFinish with timeout", proc(map[string]any{"respond": "onFinish", "secret": "s"}, 5000),
			WebhookSettings{Respond: RespondOnFinish, Secret: "s", Wait: 5 * time.Second}},
		{"timeout capped", proc(map[string]any{"respond": "onFinish"}, 600_000), WebhookSettings{Respond: RespondOnFinish, Wait: time.Minute}},
		{"blank secret", proc(map[string]any{"secret": "  "}, 0), WebhookSettings{Respond: RespondImmediate, Wait: 30 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := WebhookSettingsOf(tc.p)
			if err != nil || got != tc.want {
				t.Errorf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := WebhookSettingsOf(&Process{ID: "proc-m", TriggerApp: "manual"}); err == nil {
		t.Error("a manual process has webhook settings")
	}
}
