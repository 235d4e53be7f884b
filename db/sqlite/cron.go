package sqlite

import (
	"context"
	"database/sql"
	"time"

	"flowcraft/db"
	"flowcraft/engine"
)

// The cron scheduler's store (engine/cron.SlotStore): cron processes, claimed slots and
// the overlap check. Slot times are unix milliseconds.

// CronProcesses returns every enabled process whose trigger is a cron-timer, with tasks.
func (d *Store) CronProcesses(ctx context.Context) ([]*engine.Process, error) {
	return queryAll(ctx, d.read, "list cron processes", `SELECT `+workflowColumns+`, tasks FROM workflow
		WHERE trigger_app = 'cron-timer' AND enabled = 1 ORDER BY proc_id`, nil,
		func(r *sql.Rows) (*engine.Process, error) { return scanProcess(r, true) })
}

// ClaimSlot records that owner fires slot of a process, in its own transaction. It
// reports false when the slot was claimed before (by this or another process).
func (d *Store) ClaimSlot(ctx context.Context, processID string, slot time.Time, owner string, now time.Time) (bool, error) {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO cron_fire (workflow_id, slot_at, status, owner, create_at)
			SELECT id, ?, 'claimed', ?, ? FROM workflow WHERE proc_id = ?`, slot.UnixMilli(), owner, now.UnixMilli(), processID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ErrNotFound, "process %s not found", processID)
		}
		return nil
	})
	switch {
	case err == nil:
		return true, nil
	case isUniqueViolation(err):
		return false, nil
	case isForeignKeyViolation(err):
		err = engine.Errorf(engine.ErrNotFound, "process %s not found", processID)
	}
	return false, opErr(err, "claim cron slot %s of process %s", slot.UTC().Format(time.RFC3339), processID)
}

// FinishSlot records what became of a claimed slot: its status, the instance started
// (0 for none) and an error message.
func (d *Store) FinishSlot(ctx context.Context, processID string, slot time.Time, status string, inst engine.ID, errMsg string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cron_fire SET status = ?, instance_uid = ?, error = ?
			WHERE workflow_id = `+procKey+` AND slot_at = ?`, status, nullID(inst), errMsg, processID, slot.UnixMilli())
		return err
	}), "finish cron slot %s of process %s", slot.UTC().Format(time.RFC3339), processID)
}

// LastSlot returns the latest claimed slot of a process; false when it never fired.
func (d *Store) LastSlot(ctx context.Context, processID string) (time.Time, bool, error) {
	var ms sql.NullInt64
	err := d.read.QueryRowContext(ctx, `SELECT MAX(slot_at) FROM cron_fire WHERE workflow_id = `+procKey, processID).Scan(&ms)
	if err != nil {
		return time.Time{}, false, opErr(err, "last cron slot of process %s", processID)
	}
	if !ms.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(ms.Int64), true, nil
}

// UnfinishedCronInstance reports whether a process has an unfinished instance that a
// cron-timer started.
func (d *Store) UnfinishedCronInstance(ctx context.Context, processID string) (bool, error) {
	var n int
	err := d.read.QueryRowContext(ctx, unfinishedCronExists, processID).Scan(&n)
	if err != nil {
		return false, opErr(err, "look for unfinished cron instances of process %s", processID)
	}
	return n == 1, nil
}

// PruneSlots deletes slots claimed before `before`, keeping the latest slot of every
// process (the scheduler's memory of where it stopped). It returns how many went.
func (d *Store) PruneSlots(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM cron_fire WHERE create_at < ?1
			AND slot_at < (SELECT MAX(f.slot_at) FROM cron_fire f WHERE f.workflow_id = cron_fire.workflow_id)`,
			before.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, opErr(err, "prune cron slots")
}

// CronSlots implements db.Store: the claimed slots of a process, oldest first.
func (d *Store) CronSlots(ctx context.Context, processID string) ([]db.CronSlot, error) {
	return queryAll(ctx, d.read, "list cron slots of process "+processID, `SELECT w.proc_id, c.slot_at, COALESCE(c.instance_uid, 0), c.status, c.error, c.owner
		FROM cron_fire c JOIN workflow w ON w.id = c.workflow_id WHERE w.proc_id = ? ORDER BY c.slot_at`, []any{processID},
		func(r *sql.Rows) (db.CronSlot, error) {
			var s db.CronSlot
			var ms int64
			err := r.Scan(&s.ProcessID, &ms, &s.InstanceID, &s.Status, &s.Error, &s.Owner)
			s.SlotAt = time.UnixMilli(ms)
			return s, err
		})
}
