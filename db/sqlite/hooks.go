package sqlite

import (
	"context"
	"database/sql"

	"flowcraft/engine"
)

// ProcessByTriggerToken implements engine.TriggerTokenStore: the definition whose
// webhook token is token; ErrNotFound if none.
func (d *Store) ProcessByTriggerToken(ctx context.Context, token string) (*engine.Process, error) {
	if token == "" {
		return nil, engine.ErrNotFound
	}
	// scanProcess answers engine.ErrNotFound for no row.
	return scanProcess(d.read.QueryRowContext(ctx, `SELECT `+workflowColumns+`, tasks FROM workflow
		WHERE trigger_token = ?`, token), true)
}

// SetTriggerToken implements engine.TriggerTokenStore: it replaces the token of a
// webhook process without making a new version, and records who did it in audit_log.
// ErrNotFound when there is no such process or its trigger is not a webhook.
func (d *Store) SetTriggerToken(ctx context.Context, id, token, by string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workflow SET trigger_token = ? WHERE id = ? AND trigger_app = 'webhook'`, token, id)
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
	})
}
