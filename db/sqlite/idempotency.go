package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"flowcraft/engine"
)

// idempotencyWindowMs is how long an Idempotency-Key keeps returning its instance.
const idempotencyWindowMs = 24 * 60 * 60 * 1000

// IdempotentInstance implements engine.RuntimeStore.
func (d *Store) IdempotentInstance(ctx context.Context, k engine.IdemKey, since int64) (engine.ID, bool, error) {
	var id engine.ID
	err := d.read.QueryRowContext(ctx, `SELECT workflow_inst_uid FROM idempotency_key WHERE scope = ? AND key = ? AND create_at >= ?`,
		k.Scope, k.Key, since).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up idempotency key %q: %w", k.Key, err)
	}
	return id, true, nil
}

// The idempotency keys' writer.

var idempotencySQL = map[string]string{
	"upsertIdem": `INSERT INTO idempotency_key (scope, key, workflow_inst_uid, create_at) VALUES (?,?,?,?) ON CONFLICT (scope, key) DO UPDATE SET workflow_inst_uid=excluded.workflow_inst_uid, create_at=excluded.create_at WHERE idempotency_key.create_at < ?`,
	"idemOwner":  `SELECT workflow_inst_uid FROM idempotency_key WHERE scope=? AND key=?`,
}

// writeIdempotency records the key of a new instance. A key that another instance
// took within the window is ErrConflict; an older one is taken over.
func writeIdempotency(tx *stepTx, s *engine.Step) error {
	k := s.Idempotency
	if k == nil || s.Instance == nil {
		return nil
	}
	if _, err := tx.exec("upsertIdem", k.Scope, k.Key, s.Instance.ID, s.Instance.CreateAt, s.Instance.CreateAt-idempotencyWindowMs); err != nil {
		return fmt.Errorf("record idempotency key: %w", err)
	}
	var owner int64
	if err := tx.queryRow("idemOwner", k.Scope, k.Key).Scan(&owner); err != nil {
		return fmt.Errorf("record idempotency key: %w", err)
	}
	if engine.ID(owner) != s.Instance.ID {
		return engine.Errorf(engine.ErrConflict, "idempotency key %q is taken", k.Key)
	}
	return nil
}
