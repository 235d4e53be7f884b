package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"flowcraft/engine"
)

// instanceExists is ErrNotFound when there is no instance id.
func instanceExists(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id engine.ID) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM workflow_inst WHERE uid = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.Coded(engine.ErrNotFound, engine.CodeUnknownInstance, engine.Params{"id": id.String()}, "instance %d not found", id)
	}
	return err
}

// InstanceLinks implements engine.InstanceLinkStore.
func (d *Store) InstanceLinks(ctx context.Context, id engine.ID) ([]engine.InstanceLink, error) {
	if err := instanceExists(ctx, d.read, id); err != nil {
		return nil, opErr(err, "list identity links of instance %d", id)
	}
	return queryAll(ctx, d.read, "list identity links of an instance",
		`SELECT user_id, kind, create_at FROM instance_link WHERE workflow_inst_uid = ? ORDER BY create_at, user_id, kind`, []any{id},
		func(r *sql.Rows) (engine.InstanceLink, error) {
			var l engine.InstanceLink
			err := r.Scan(&l.UserID, &l.Type, &l.CreateAt)
			return l, err
		})
}

// AddInstanceLink implements engine.InstanceLinkStore.
func (d *Store) AddInstanceLink(ctx context.Context, id engine.ID, l engine.InstanceLink) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		if err := instanceExists(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO instance_link (workflow_inst_uid, user_id, kind, create_at) VALUES (?, ?, ?, ?)`,
			id, l.UserID, l.Type, l.CreateAt)
		return err
	}), "add an identity link to instance %d", id)
}

// RemoveInstanceLink implements engine.InstanceLinkStore.
func (d *Store) RemoveInstanceLink(ctx context.Context, id engine.ID, userID, typ string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM instance_link WHERE workflow_inst_uid = ? AND user_id = ? AND kind = ?`, id, userID, typ)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ErrNotFound, "instance %d has no identity link of user %s with type %s", id, userID, typ)
		}
		return nil
	}), "remove an identity link from instance %d", id)
}
