package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"flowcraft/engine"
)

// History (engine.HistoryStore): the human tasks and variables the runtime keeps,
// ended or not, queried as history. Instances are history through ListInstances
// (InstanceFilter.Finished and the end bounds).

// extraScan reads columns after those a scan function knows: taskColumns' rows
// followed by their instance's.
type extraScan struct {
	r     rowScanner
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

var taskHistorySorts = sorting{
	fields: map[string]string{"id": "t.id", "name": "t.name", "taskId": "t.task_id", "createAt": "t.create_at",
		"endAt": "t.end_at", "priority": "t.priority", "dueAt": "t.due_at", "assignee": "t.assignee", "owner": "t.owner",
		"instanceId": "t.workflow_inst_uid"},
	byDefault: "id",
	then:      "t.id",
}

// TaskHistory implements engine.HistoryStore.
func (d *Store) TaskHistory(ctx context.Context, f engine.TaskHistoryFilter) ([]*engine.TaskRecord, int, error) {
	var conds []string
	var args []any
	add := func(cond string, v ...any) { conds, args = append(conds, cond), append(args, v...) }
	if f.ID != 0 {
		add("t.id = ?", f.ID)
	}
	if f.InstanceID != 0 {
		add("t.workflow_inst_uid = ?", f.InstanceID)
	}
	if f.ProcessID != "" {
		add("t.workflow_id = ?", f.ProcessID)
	}
	if f.Version != 0 {
		add("i.workflow_version = ?", f.Version)
	}
	for _, c := range []struct {
		col, eq, like string
	}{{"t.task_id", f.TaskID, ""}, {"t.name", f.Name, f.NameLike}, {"t.content", f.Description, f.DescriptionLike}, {"t.assignee", f.Assignee, f.AssigneeLike}, {"t.owner", f.Owner, f.OwnerLike}} {
		if c.eq != "" {
			add(c.col+" = ?", c.eq)
		}
		if c.like != "" {
			add(c.col+` LIKE ? ESCAPE '\'`, likeFilter(c.like))
		}
	}
	if f.Assignee != "" { // lets SQLite use the partial index task_inst_assignee_all
		conds = append(conds, "t.assignee <> ''")
	}
	if f.TenantID != "" {
		add("i.tenant_id = ?", f.TenantID)
	}
	if f.TenantIDLike != "" {
		add(`i.tenant_id LIKE ? ESCAPE '\'`, likeFilter(f.TenantIDLike))
	}
	if f.WithoutTenantID {
		conds = append(conds, "i.tenant_id = ''")
	}
	if u := f.InvolvedUser; u != "" {
		add(`(t.assignee = ? OR t.owner = ? OR t."user" = ? OR EXISTS (SELECT 1 FROM json_each(t.candidates, '$.users') WHERE value = ?))`, u, u, u, u)
	}
	if f.Priority != nil {
		add("t.priority = ?", *f.Priority)
	}
	if f.Finished != nil {
		if *f.Finished {
			conds = append(conds, "t.status <> 'open'")
		} else {
			conds = append(conds, "t.status = 'open'")
		}
	}
	if f.InstanceFinished != nil {
		if *f.InstanceFinished {
			conds = append(conds, ofTable(endedCond, "i"))
		} else {
			conds = append(conds, ofTable(unfinishedCond, "i"))
		}
	}
	if f.DueAt != 0 {
		add("t.due_at = ?", f.DueAt)
	}
	if f.DueAfter != 0 {
		add("t.due_at > ?", f.DueAfter)
	}
	if f.DueBefore != 0 {
		add("t.due_at > 0 AND t.due_at < ?", f.DueBefore)
	}
	if f.WithoutDueDate {
		conds = append(conds, "t.due_at = 0")
	}
	if f.CompletedAfter != 0 {
		add("t.status = 'done' AND t.end_at > ?", f.CompletedAfter)
	}
	if f.CompletedBefore != 0 {
		add("t.status = 'done' AND t.end_at < ?", f.CompletedBefore)
	}
	if f.CreatedAfter != 0 {
		add("t.create_at > ?", f.CreatedAfter)
	}
	if f.CreatedBefore != 0 {
		add("t.create_at < ?", f.CreatedBefore)
	}
	if f.Executor != "" {
		add("i.executor = ?", f.Executor)
	}
	q := listQuery{op: "task history", columns: prefixed("t.", taskColumns) + `, i.workflow_version, i.tenant_id, i.status, i.executor`,
		from: `task_inst t JOIN workflow_inst i ON i.uid = t.workflow_inst_uid` + where(conds), args: args, order: taskHistorySorts}
	return listPage(ctx, d.read, q, f.Page, func(r *sql.Rows) (*engine.TaskRecord, error) {
		var rec engine.TaskRecord
		t, err := scanTask(extraScan{r, []any{&rec.Version, &rec.TenantID, &rec.InstanceStatus, &rec.Executor}})
		rec.HumanTask = t
		return &rec, err
	})
}

// DeleteTaskHistory implements engine.HistoryStore.
func (d *Store) DeleteTaskHistory(ctx context.Context, id engine.ID) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM task_inst WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return engine.Errorf(engine.ErrNotFound, "task %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("delete task history %d: %w", id, err)
		}
		if status == engine.TaskOpen {
			return engine.Errorf(engine.ErrConflict, "task %d is open; complete it before deleting its history", id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM task_inst WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete task history %d: %w", id, err)
		}
		return nil
	})
}

var variableHistorySorts = sorting{
	fields:    map[string]string{"name": "v.name", "instanceId": "v.workflow_inst_uid"},
	byDefault: "name",
	then:      "v.workflow_inst_uid, v.name",
}

// VariableHistory implements engine.HistoryStore.
func (d *Store) VariableHistory(ctx context.Context, f engine.VariableHistoryFilter) ([]*engine.VariableRecord, int, error) {
	vc, err := engine.CheckVarConditions(f.Variables)
	if err != nil {
		return nil, 0, fmt.Errorf("variable history: %w", err)
	}
	var conds []string
	var args []any
	add := func(cond string, v ...any) { conds, args = append(conds, cond), append(args, v...) }
	if f.InstanceID != 0 {
		add("v.workflow_inst_uid = ?", f.InstanceID)
	}
	if f.Name != "" {
		add("v.name = ?", f.Name)
	}
	if f.NameLike != "" {
		add(`v.name LIKE ? ESCAPE '\'`, likeFilter(f.NameLike))
	}
	for _, c := range vc {
		part, pargs := varCondSQL(c, "v")
		add(part, pargs...)
	}
	if f.Executor != "" {
		add("v.workflow_inst_uid IN (SELECT uid FROM workflow_inst WHERE executor = ?)", f.Executor)
	}
	q := listQuery{op: "variable history", columns: `v.workflow_inst_uid, v.update_at, v.name, v.type, v.value,
		COALESCE(v.content_type, ''), COALESCE(length(v.data), 0)`, from: `variable v` + where(conds), args: args, order: variableHistorySorts}
	return listPage(ctx, d.read, q, f.Page, func(r *sql.Rows) (*engine.VariableRecord, error) {
		var rec engine.VariableRecord
		var name, typ, value, contentType string
		var size int64
		if err := r.Scan(&rec.InstanceID, &rec.UpdateAt, &name, &typ, &value, &contentType, &size); err != nil {
			return nil, err
		}
		v, err := engine.DecodeVariable(name, typ, []byte(value), contentType, size)
		rec.Variable = v
		return &rec, err
	})
}
