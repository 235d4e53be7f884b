package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"flowcraft/engine"
)

// The history cleanup's queries (engine.RetentionStore).

// HistoryPolicies implements engine.RetentionStore.
func (d *Store) HistoryPolicies(ctx context.Context) ([]engine.HistoryPolicy, error) {
	return queryAll(ctx, d.read, "list history policies", `SELECT proc_id, history_ttl_days FROM workflow WHERE history_ttl_days > 0 ORDER BY proc_id`,
		nil, func(r *sql.Rows) (engine.HistoryPolicy, error) {
			var p engine.HistoryPolicy
			err := r.Scan(&p.ProcessID, &p.Days)
			return p, err
		})
}

// DeleteEndedBefore implements engine.RetentionStore: one write transaction deletes
// the batch's idempotency keys and instances (their runtimes, tasks, jobs, variables
// and links go by ON DELETE CASCADE; the variable statistics by their triggers).
func (d *Store) DeleteEndedBefore(ctx context.Context, processID string, cutoff int64, limit int) (int, error) {
	var n int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		batch := endedBatch
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_key WHERE workflow_inst_uid IN (`+batch+`)`, processID, cutoff, limit); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM workflow_inst WHERE uid IN (`+batch+`)`, processID, cutoff, limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete ended instances of %s: %w", processID, err)
	}
	return int(n), nil
}
