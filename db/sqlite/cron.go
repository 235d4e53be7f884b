package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"flowcraft/engine"
)

// The cron scheduler's store (engine/cron.SlotStore): cron processes, claimed slots and
// the overlap check. Slot times are unix milliseconds.

// CronProcesses returns every enabled process whose trigger is a cron-timer, with tasks.
func (d *Store) CronProcesses(ctx context.Context) ([]*engine.Process, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT `+workflowColumns+`, tasks FROM workflow
		WHERE trigger_app = 'cron-timer' AND enabled = 1 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*engine.Process
	for rows.Next() {
		p, err := scanProcess(rows, true)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, rows.Err()
}

// ClaimSlot records that owner fires slot of a process, in its own transaction. It
// reports false when the slot was claimed before (by this or another process).
func (d *Store) ClaimSlot(ctx context.Context, processID string, slot time.Time, owner string, now time.Time) (bool, error) {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cron_fire (workflow_id, slot_at, status, owner, create_at)
			VALUES (?, ?, 'claimed', ?, ?)`, processID, slot.UnixMilli(), owner, now.UnixMilli())
		return err
	})
	if isUniqueViolation(err) {
		return false, nil
	}
	if isForeignKeyViolation(err) {
		return false, engine.Errorf(engine.ErrNotFound, "process %s not found", processID)
	}
	return err == nil, err
}

// FinishSlot records what became of a claimed slot: its status, the instance started
// (0 for none) and an error message.
func (d *Store) FinishSlot(ctx context.Context, processID string, slot time.Time, status string, inst engine.ID, errMsg string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cron_fire SET status = ?, instance_uid = ?, error = ?
			WHERE workflow_id = ? AND slot_at = ?`, status, nullID(inst), errMsg, processID, slot.UnixMilli())
		return err
	})
}

// LastSlot returns the latest claimed slot of a process; false when it never fired.
func (d *Store) LastSlot(ctx context.Context, processID string) (time.Time, bool, error) {
	var ms sql.NullInt64
	err := d.read.QueryRowContext(ctx, `SELECT MAX(slot_at) FROM cron_fire WHERE workflow_id = ?`, processID).Scan(&ms)
	if err != nil || !ms.Valid {
		return time.Time{}, false, err
	}
	return time.UnixMilli(ms.Int64), true, nil
}

// UnfinishedCronInstance reports whether a process has an unfinished instance that a
// cron-timer started.
func (d *Store) UnfinishedCronInstance(ctx context.Context, processID string) (bool, error) {
	var n int
	err := d.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM workflow_inst
		WHERE workflow_id = ? AND trigger_app = 'cron-timer' AND status IN `+unfinishedStatuses+`)`, processID).Scan(&n)
	return n == 1, err
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
	return n, err
}

// CronSlot is a claimed slot as stored (for tests and diagnostics).
type CronSlot struct {
	ProcessID  string
	SlotAt     time.Time
	InstanceID engine.ID
	Status     string
	Error      string
	Owner      string
}

// CronSlots lists the claimed slots of a process, oldest first.
func (d *Store) CronSlots(ctx context.Context, processID string) ([]CronSlot, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT workflow_id, slot_at, COALESCE(instance_uid, 0), status, error, owner
		FROM cron_fire WHERE workflow_id = ? ORDER BY slot_at`, processID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []CronSlot
	for rows.Next() {
		var s CronSlot
		var ms int64
		if err := rows.Scan(&s.ProcessID, &ms, &s.InstanceID, &s.Status, &s.Error, &s.Owner); err != nil {
			return nil, err
		}
		s.SlotAt = time.UnixMilli(ms)
		list = append(list, s)
	}
	return list, rows.Err()
}

// isForeignKeyViolation reports a FOREIGN KEY constraint failure.
func isForeignKeyViolation(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
