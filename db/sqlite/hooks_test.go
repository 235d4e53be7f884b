package sqlite

import (
	"context"
	"errors"
	"testing"

	"flowcraft/engine"
)

func TestTriggerTokens(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	hook := sampleProcess("proc-hook0001")
	hook.TriggerApp, hook.TriggerToken = "webhook", engine.NewSecret()
	manual := sampleProcess("proc-manual01")
	for _, p := range []*engine.Process{hook, manual} {
		if err := d.InsertProcess(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.ProcessByTriggerToken(ctx, hook.TriggerToken)
	if err != nil || got.ID != hook.ID || len(got.Tasks) != 1 {
		t.Fatalf("by token: %v %v", got, err)
	}
	for _, tok := range []string{"", engine.NewSecret()} {
		if _, err := d.ProcessByTriggerToken(ctx, tok); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("token %q: %v", tok, err)
		}
	}

	fresh := engine.NewSecret()
	if err := d.SetTriggerToken(ctx, hook.ID, fresh, "dora"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ProcessByTriggerToken(ctx, hook.TriggerToken); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("old token still answers: %v", err)
	}
	if got, err := d.ProcessByTriggerToken(ctx, fresh); err != nil || got.Version != 1 {
		t.Errorf("new token: %v %v (version must stay)", got, err)
	}
	var audits int
	d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = ? AND action = 'rotate-token' AND actor = 'dora'`, hook.ID).Scan(&audits)
	if audits != 1 {
		t.Errorf("%d audit rows for the rotation", audits)
	}
	// Only webhook processes have tokens.
	for _, id := range []string{manual.ID, "proc-missing0"} {
		if err := d.SetTriggerToken(ctx, id, engine.NewSecret(), "dora"); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("set token on %s: %v", id, err)
		}
	}
}
