package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"flowcraft/engine"
)

// ProcessByTriggerToken implements engine.DefinitionStore: the definition whose
// webhook token is token; ErrNotFound if none.
func (d *Store) ProcessByTriggerToken(ctx context.Context, token string) (*engine.Process, error) {
	notFound := engine.Errorf(engine.ErrNotFound, "no process answers this webhook token")
	if token == "" {
		return nil, opErr(notFound, "find process by webhook token")
	}
	// scanProcess answers engine.ErrNotFound for no row.
	p, err := scanProcess(d.read.QueryRowContext(ctx, `SELECT `+workflowColumns+`, tasks FROM workflow
		WHERE trigger_token = ?`, token), true)
	if errors.Is(err, engine.ErrNotFound) {
		err = notFound
	}
	if err != nil {
		return nil, opErr(err, "find process by webhook token")
	}
	return p, nil
}

// SetTriggerToken implements engine.DefinitionStore: it replaces the token of a
// webhook process without making a new version, and records who did it in audit_log.
// ErrNotFound when there is no such process or its trigger is not a webhook.
func (d *Store) SetTriggerToken(ctx context.Context, id, token, by string) error {
	defer d.procs.forget(id) // after the commit: new instances read the row again
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workflow SET trigger_token = ? WHERE proc_id = ? AND trigger_app = 'webhook'`, token, id)
		if isUniqueViolation(err) {
			return engine.Errorf(engine.ErrConflict, "the new token of process %s is taken; try again", id)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return engine.Errorf(engine.ErrNotFound, "webhook process %s not found", id)
		}
		return audit(ctx, tx, by, "rotate-token", "process", id, map[string]any{})
	}), "set the webhook token of process %s", id)
}
