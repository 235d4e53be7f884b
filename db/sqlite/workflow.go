package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"flowcraft/engine"
)

// workflowColumns read a definition: the public id is proc_id, the creator "user",
// the trigger and end tasks start/end_app_inst_id (the seed's names).
const workflowColumns = `proc_id, name, "desc", start_app_inst_id, end_app_inst_id, engine, status, enabled,
	"user", executor, timeout, input_data_schema, output_data_schema, error, extension, metadata,
	version, trigger_app, trigger_token, create_at, update_at, tenant_id, category, history_ttl_days, payload_as_variables`

func scanProcess(r rowScanner, withTasks bool) (*engine.Process, error) {
	var p engine.Process
	var in, out, ext, meta string
	var tasks sql.NullString
	dest := []any{&p.ID, &p.Name, &p.Description, &p.StartTaskInstID, &p.EndTaskInstID, &p.Engine, &p.Status,
		&p.Enabled, &p.Creator, &p.Executor, &p.Timeout, &in, &out, &p.Error, &ext, &meta, &p.Version,
		&p.TriggerApp, &p.TriggerToken, &p.CreateAt, &p.UpdateAt, &p.TenantID, &p.Category, &p.HistoryTTLDays, &p.PayloadAsVariables}
	if withTasks {
		dest = append(dest, &tasks)
	}
	if err := r.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, engine.ErrNotFound
		}
		return nil, err
	}
	p.InputDataSchema, p.OutputDataSchema = json.RawMessage(in), json.RawMessage(out)
	p.Extension, p.Metadata = json.RawMessage(ext), json.RawMessage(meta)
	if withTasks {
		if err := json.Unmarshal([]byte(tasks.String), &p.Tasks); err != nil {
			return nil, fmt.Errorf("process %s: decode tasks: %w", p.ID, err)
		}
	}
	return &p, nil
}

func processArgs(p *engine.Process) ([]any, error) {
	tasks, err := json.Marshal(p.Tasks)
	if err != nil {
		return nil, fmt.Errorf("encode tasks: %w", err)
	}
	return []any{p.ID, p.Name, p.Description, p.StartTaskInstID, p.EndTaskInstID, p.Engine, p.Status, p.Enabled,
		p.Creator, p.Executor, p.Timeout, string(p.InputDataSchema), string(p.OutputDataSchema), p.Error,
		string(p.Extension), string(p.Metadata), p.Version, p.TriggerApp, p.TriggerToken, p.CreateAt, p.UpdateAt,
		p.TenantID, p.Category, p.HistoryTTLDays, p.PayloadAsVariables, string(tasks)}, nil
}

// InsertProcess implements engine.DefinitionStore.
func (d *Store) InsertProcess(ctx context.Context, p *engine.Process) error {
	defer d.procs.forget(p.ID) // after the commit: new instances read the row again
	args, err := processArgs(p)
	if err != nil {
		return opErr(err, "insert process %s", p.ID)
	}
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO workflow (`+workflowColumns+`, tasks)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
		if isUniqueViolation(err) {
			return engine.Errorf(engine.ErrConflict, "process %s already exists", p.ID)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, p.Creator, "create", "process", p.ID, map[string]any{"name": p.Name, "version": p.Version})
	}), "insert process %s", p.ID)
}

// GetProcess implements engine.DefinitionStore.
func (d *Store) GetProcess(ctx context.Context, id string) (*engine.Process, error) {
	row := d.read.QueryRowContext(ctx, `SELECT `+workflowColumns+`, tasks FROM workflow WHERE proc_id = ?`, id)
	p, err := scanProcess(row, true)
	if errors.Is(err, engine.ErrNotFound) {
		err = engine.Errorf(engine.ErrNotFound, "process %s not found", id)
	}
	if err != nil {
		return nil, opErr(err, "get process %s", id)
	}
	return p, nil
}

var processSorts = sorting{
	fields: map[string]string{
		"name": "name", "createAt": "create_at", "updateAt": "update_at", "version": "version", "id": "proc_id", "creator": `"user"`,
	},
	byDefault: "updateAt",
	then:      "proc_id",
}

// ListProcesses implements engine.DefinitionStore.
func (d *Store) ListProcesses(ctx context.Context, f engine.ProcessFilter) ([]*engine.Process, int, error) {
	var conds []string
	var args []any
	if f.Name != "" {
		conds, args = append(conds, "name = ?"), append(args, f.Name)
	}
	if f.NameLike != "" {
		conds, args = append(conds, `name LIKE ? ESCAPE '\'`), append(args, likeFilter(f.NameLike))
	}
	if f.Search != "" {
		conds = append(conds, `(name LIKE ? ESCAPE '\' OR proc_id LIKE ? ESCAPE '\' OR "desc" LIKE ? ESCAPE '\')`)
		pat := likePattern(f.Search)
		args = append(args, pat, pat, pat)
	}
	if f.Enabled != nil {
		conds, args = append(conds, "enabled = ?"), append(args, *f.Enabled)
	}
	if f.Creator != "" {
		conds, args = append(conds, `"user" = ?`), append(args, f.Creator)
	}
	if f.TenantID != "" {
		conds, args = append(conds, "tenant_id = ?"), append(args, f.TenantID)
	}
	if f.Category != "" {
		conds, args = append(conds, "category = ?"), append(args, f.Category)
	}
	if f.StartableBy != nil {
		cond, a, err := startableBy("workflow.id", "workflow.trigger_app", f.StartableBy)
		if err != nil {
			return nil, 0, opErr(err, "list processes")
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	if f.IDs != nil {
		b, err := json.Marshal(f.IDs)
		if err != nil {
			return nil, 0, opErr(err, "list processes")
		}
		conds, args = append(conds, "proc_id IN (SELECT value FROM json_each(?))"), append(args, string(b))
	}
	return listPage(ctx, d.read, listQuery{op: "list processes", columns: workflowColumns, from: `workflow` + where(conds),
		args: args, order: processSorts}, f.Page, func(r *sql.Rows) (*engine.Process, error) { return scanProcess(r, false) })
}

// ReplaceProcess implements engine.DefinitionStore: the stored row must still be at
// p.Version-1; it is copied into workflow_version and replaced, in one transaction.
func (d *Store) ReplaceProcess(ctx context.Context, p *engine.Process, replacedBy string) error {
	defer d.procs.forget(p.ID) // after the commit: new instances read the row again
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanProcess(tx.QueryRowContext(ctx, `SELECT `+workflowColumns+`, tasks FROM workflow WHERE proc_id = ?`, p.ID), true)
		if errors.Is(err, engine.ErrNotFound) {
			return engine.Errorf(engine.ErrNotFound, "process %s not found", p.ID)
		}
		if err != nil {
			return err
		}
		// A webhook keeps the token stored now: a rotation that landed after the caller
		// read the definition must not be undone by this edit.
		if p.TriggerApp == "webhook" && old.TriggerToken != "" {
			p.TriggerToken = old.TriggerToken
		}
		args, err := processArgs(p)
		if err != nil {
			return err
		}
		if old.Version != p.Version-1 {
			return engine.Errorf(engine.ErrConflict, "process %s was changed by someone else (now version %d); reload and apply your changes again", p.ID, old.Version)
		}
		def, err := json.Marshal(old)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workflow_version (workflow_id, version, definition, replaced_by, create_at)
			SELECT id, ?, ?, ?, ? FROM workflow WHERE proc_id = ?`, old.Version, string(def), replacedBy, p.UpdateAt, old.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE workflow SET name=?2, "desc"=?3, start_app_inst_id=?4, end_app_inst_id=?5,
			engine=?6, status=?7, enabled=?8, "user"=?9, executor=?10, timeout=?11, input_data_schema=?12,
			output_data_schema=?13, error=?14, extension=?15, metadata=?16, version=?17, trigger_app=?18,
			trigger_token=?19, create_at=?20, update_at=?21, tenant_id=?22, category=?23, history_ttl_days=?24, payload_as_variables=?25, tasks=?26
			WHERE proc_id=?1 AND version=?17-1`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return engine.Errorf(engine.ErrConflict, "process %s was changed by someone else; reload", p.ID)
		}
		return audit(ctx, tx, replacedBy, "update", "process", p.ID, map[string]any{"version": p.Version})
	}), "replace process %s", p.ID)
}

// DeleteProcess implements engine.DefinitionStore.
func (d *Store) DeleteProcess(ctx context.Context, id string, cascade bool, by string) error {
	defer d.procs.forget(id) // after the commit: new instances read the row again
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM workflow WHERE proc_id = ?`, id).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return engine.Errorf(engine.ErrNotFound, "process %s not found", id)
		}
		if !cascade {
			var running int
			if err := tx.QueryRowContext(ctx, countUnfinishedOfProcess, id).Scan(&running); err != nil {
				return err
			}
			if running > 0 {
				return engine.Errorf(engine.ErrConflict, "process %s has %d unfinished instance(s); cancel them first or delete with ?cascade=true", id, running)
			}
		}
		// Instances (and through them node runtimes, human tasks, jobs, variables) go
		// by ON DELETE CASCADE.
		if _, err := tx.ExecContext(ctx, `DELETE FROM workflow WHERE proc_id = ?`, id); err != nil {
			return err
		}
		return audit(ctx, tx, by, "delete", "process", id, map[string]any{"cascade": cascade})
	}), "delete process %s", id)
}

var versionSorts = sorting{fields: map[string]string{"version": "version", "createAt": "create_at"}, byDefault: "version", defaultDesc: true}

// ListProcessVersions implements engine.DefinitionStore.
func (d *Store) ListProcessVersions(ctx context.Context, id string, page engine.Page) ([]engine.ProcessVersion, int, error) {
	return listPage(ctx, d.read, listQuery{op: "list versions of process " + id, columns: `version, definition, replaced_by, create_at`,
		from: `workflow_version WHERE workflow_id = ` + procKey, args: []any{id}, order: versionSorts}, page,
		func(r *sql.Rows) (engine.ProcessVersion, error) {
			var v engine.ProcessVersion
			var def string
			if err := r.Scan(&v.Version, &def, &v.ReplacedBy, &v.CreateAt); err != nil {
				return v, err
			}
			if err := json.Unmarshal([]byte(def), &v.Definition); err != nil {
				return v, fmt.Errorf("version %d: %w", v.Version, err)
			}
			return v, nil
		})
}

// audit records who changed what, in the caller's transaction.
func audit(ctx context.Context, tx *sql.Tx, actor, action, objectType, objectID string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return opErr(err, "audit %s %s", action, objectID)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) VALUES (?,?,?,?,?,?)`,
		time.Now().UnixMilli(), actor, action, objectType, objectID, string(b))
	return opErr(err, "audit %s %s", action, objectID)
}

// ProcessHead implements engine.ProcessSource.
func (d *Store) ProcessHead(ctx context.Context, id string) (int, bool, error) {
	var version int
	var enabled bool
	err := d.read.QueryRowContext(ctx, `SELECT version, enabled FROM workflow WHERE proc_id = ?`, id).Scan(&version, &enabled)
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "process %s not found", id)
	}
	if err != nil {
		return 0, false, opErr(err, "read the head of process %s", id)
	}
	return version, enabled, nil
}

// ProcessAt implements engine.ProcessSource: the current row, or an earlier version.
func (d *Store) ProcessAt(ctx context.Context, id string, version int) (*engine.Process, error) {
	p, err := d.GetProcess(ctx, id)
	if err == nil && p.Version == version {
		return p, nil
	}
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return nil, opErr(err, "read process %s at version %d", id, version)
	}
	var def string
	err = d.read.QueryRowContext(ctx, `SELECT definition FROM workflow_version WHERE workflow_id = `+procKey+` AND version = ?`, id, version).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "process %s version %d not found", id, version)
	}
	if err != nil {
		return nil, opErr(err, "read process %s at version %d", id, version)
	}
	var old engine.Process
	if err := json.Unmarshal([]byte(def), &old); err != nil {
		return nil, fmt.Errorf("read process %s at version %d: %w", id, version, err)
	}
	return &old, nil
}
