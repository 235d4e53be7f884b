package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"flowcraft/engine"
)

// startableBy is the condition "u may start by hand the process whose workflow.id is
// idCol" (engine.MayStart and the webhook rule of mayStartByHand): it lists no
// candidate starters, or lists u or one of u's groups; and a process started by a
// webhook only when u is a designer or an admin. trigger is the column of the
// process's trigger template.
func startableBy(idCol, trigger string, u *engine.User) (string, []any, error) {
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	b, err := json.Marshal(groups)
	if err != nil {
		return "", nil, err
	}
	cond := `(NOT EXISTS (SELECT 1 FROM workflow_starter s WHERE s.workflow_id = ` + idCol + `)
		OR EXISTS (SELECT 1 FROM workflow_starter s WHERE s.workflow_id = ` + idCol + ` AND s.user_id = ?)
		OR EXISTS (SELECT 1 FROM workflow_starter s WHERE s.workflow_id = ` + idCol + ` AND s.group_id <> ''
			AND s.group_id IN (SELECT value FROM json_each(?))))`
	if !u.HasRole(engine.RoleDesigner) {
		cond += ` AND ` + trigger + ` <> 'webhook'`
	}
	return cond, []any{u.ID, string(b)}, nil
}

// processKey returns workflow.id of a public process id; ErrNotFound if none.
func processKey(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (int64, error) {
	var key int64
	err := q.QueryRowContext(ctx, `SELECT id FROM workflow WHERE proc_id = ?`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, engine.Coded(engine.ErrNotFound, engine.CodeUnknownProcess, engine.Params{"id": id}, "process %s not found", id)
	}
	return key, err
}

// ListStarters implements engine.DefinitionStore and engine.ProcessSource.
func (d *Store) ListStarters(ctx context.Context, id string) ([]engine.Starter, error) {
	key, err := processKey(ctx, d.read, id)
	if err != nil {
		return nil, opErr(err, "list candidate starters of %s", id)
	}
	return queryAll(ctx, d.read, "list candidate starters of "+id,
		`SELECT user_id, group_id FROM workflow_starter WHERE workflow_id = ? ORDER BY user_id = '', user_id, group_id`, []any{key},
		func(r *sql.Rows) (engine.Starter, error) {
			var s engine.Starter
			err := r.Scan(&s.UserID, &s.GroupID)
			return s, err
		})
}

// AddStarter implements engine.DefinitionStore.
func (d *Store) AddStarter(ctx context.Context, id string, s engine.Starter, by string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		key, err := processKey(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO workflow_starter (workflow_id, user_id, group_id) VALUES (?, ?, ?)`,
			key, s.UserID, s.GroupID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit(ctx, tx, by, "add-starter", "process", id, map[string]any{"user": s.UserID, "group": s.GroupID})
	}), "add a candidate starter to %s", id)
}

// RemoveStarter implements engine.DefinitionStore.
func (d *Store) RemoveStarter(ctx context.Context, id string, s engine.Starter, by string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		key, err := processKey(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM workflow_starter WHERE workflow_id = ? AND user_id = ? AND group_id = ?`,
			key, s.UserID, s.GroupID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Coded(engine.ErrNotFound, engine.CodeUnknownStarter, engine.Params{"process": id, "user": s.UserID, "group": s.GroupID},
				"process %s does not list %s as a candidate starter", id, starterName(s))
		}
		return audit(ctx, tx, by, "remove-starter", "process", id, map[string]any{"user": s.UserID, "group": s.GroupID})
	}), "remove a candidate starter of %s", id)
}

func starterName(s engine.Starter) string {
	if s.UserID != "" {
		return "user " + s.UserID
	}
	return "group " + s.GroupID
}

// SetProcessCategory implements engine.DefinitionStore: the current version's row, or
// the stored definition of an earlier version.
func (d *Store) SetProcessCategory(ctx context.Context, id string, version int, category, by string) error {
	defer d.procs.forget(id)
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		key, err := processKey(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE workflow SET category = ? WHERE id = ? AND version = ?`, category, key, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			res, err = tx.ExecContext(ctx, `UPDATE workflow_version SET definition = json_set(definition, '$.category', ?)
				WHERE workflow_id = ? AND version = ?`, category, key, version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return engine.Coded(engine.ErrNotFound, engine.CodeUnknownVersion, engine.Params{"process": id, "version": version},
					"process %s has no version %d", id, version)
			}
		}
		return audit(ctx, tx, by, "set-category", "process", id, map[string]any{"version": version, "category": category})
	}), "set the category of %s version %d", id, version)
}

// definitionVersions is every definition version: the current row of each process
// and its earlier versions from workflow_version (their fields read from the stored
// JSON; the tenant is the process's, as it never changes). head_enabled is the
// process's current enabled flag, shared by all its versions; form its input data
// schema as of the version.
const definitionVersions = `(SELECT w.id AS wid, w.proc_id AS key, w.version AS version, w.name AS name, w."desc" AS descr,
		w.category AS category, w.tenant_id AS tenant_id, w.enabled AS enabled, w."user" AS creator, w.engine AS engine,
		w.trigger_app AS trigger_app, w.create_at AS create_at, w.update_at AS update_at, 1 AS latest,
		w.enabled AS head_enabled, w.input_data_schema AS form, w.proc_id || ':' || printf('%09d', w.version) AS key_version
	FROM workflow w
	UNION ALL
	SELECT w.id, w.proc_id, v.version, COALESCE(json_extract(v.definition, '$.name'), ''),
		COALESCE(json_extract(v.definition, '$.description'), ''), COALESCE(json_extract(v.definition, '$.category'), ''),
		w.tenant_id, COALESCE(json_extract(v.definition, '$.enabled'), 1), w."user",
		COALESCE(json_extract(v.definition, '$.engine'), 'standard'), COALESCE(json_extract(v.definition, '$.triggerApp'), ''),
		w.create_at, COALESCE(json_extract(v.definition, '$.updateAt'), v.create_at), 0,
		w.enabled, json_extract(v.definition, '$.inputDataSchema'), w.proc_id || ':' || printf('%09d', v.version)
	FROM workflow_version v JOIN workflow w ON w.id = v.workflow_id) dv`

// definitionVersionSorts: id is key_version, one column, so that DESC orders both the
// key and the version.
var definitionVersionSorts = sorting{
	fields: map[string]string{
		"name": "name", "id": "key_version", "key": "key", "category": "category", "version": "version", "createAt": "create_at",
		"tenantId": "tenant_id", "updateAt": "update_at",
	},
	byDefault: "name",
	then:      "key, version",
}

// ListDefinitionVersions implements engine.DefinitionStore.
func (d *Store) ListDefinitionVersions(ctx context.Context, f engine.VersionFilter) ([]*engine.Process, int, error) {
	var conds []string
	var args []any
	add := func(cond string, v ...any) { conds, args = append(conds, cond), append(args, v...) }
	if f.Key != "" {
		add("key = ?", f.Key)
	}
	if f.KeyLike != "" {
		add(`key LIKE ? ESCAPE '\'`, likeFilter(f.KeyLike))
	}
	if f.Name != "" {
		add("name = ?", f.Name)
	}
	if f.NameLike != "" {
		add(`name LIKE ? ESCAPE '\'`, likeFilter(f.NameLike))
	}
	if f.Version != 0 {
		add("version = ?", f.Version)
	}
	if f.Category != "" {
		add("category = ?", f.Category)
	}
	if f.CategoryLike != "" {
		add(`category <> '' AND category LIKE ? ESCAPE '\'`, likeFilter(f.CategoryLike)) // no category matches no pattern
	}
	if f.CategoryNotEquals != "" {
		add("category <> ?", f.CategoryNotEquals)
	}
	if f.TenantID != "" {
		add("tenant_id = ?", f.TenantID)
	}
	if f.TenantIDLike != "" {
		add(`tenant_id LIKE ? ESCAPE '\'`, likeFilter(f.TenantIDLike)) // as the instances': "" is the default tenant
	}
	if f.WithoutTenantID {
		conds = append(conds, "tenant_id = ''")
	}
	if f.ProcessEnabled != nil {
		add("head_enabled = ?", *f.ProcessEnabled)
	}
	if f.Latest {
		conds = append(conds, "latest = 1")
	}
	if f.Enabled != nil {
		add("enabled = ?", *f.Enabled)
	}
	if f.StartableBy != nil {
		cond, a, err := startableBy("wid", "trigger_app", f.StartableBy)
		if err != nil {
			return nil, 0, opErr(err, "list definition versions")
		}
		add(cond, a...)
	}
	// Two steps: the page's keys first (only the filter and sort columns are computed,
	// so an earlier version's stored JSON is read for a name sort or filter at most),
	// then the page's rows in full. SQLite's sorter would otherwise compute every
	// column of every matching version before cutting the page: parsing each stored
	// definition several times (BENCHMARKS.md).
	type ref struct {
		key     string
		version int
	}
	refs, total, err := listPage(ctx, d.read, listQuery{op: "list definition versions",
		columns: `key, version`, from: definitionVersions + where(conds), args: args, order: definitionVersionSorts}, f.Page,
		func(r *sql.Rows) (ref, error) {
			var k ref
			err := r.Scan(&k.key, &k.version)
			return k, err
		})
	if err != nil || len(refs) == 0 {
		return []*engine.Process{}, total, err
	}
	byRef := make(map[ref]*engine.Process, len(refs))
	const batch = 400 // two parameters a version, well below SQLite's limit
	for lo := 0; lo < len(refs); lo += batch {
		part := refs[lo:min(lo+batch, len(refs))]
		ors := make([]string, len(part))
		args := make([]any, 0, 2*len(part))
		for i, k := range part {
			ors[i] = "(key = ? AND version = ?)"
			args = append(args, k.key, k.version)
		}
		list, err := queryAll(ctx, d.read, "list definition versions",
			`SELECT key, version, name, descr, category, tenant_id, enabled, creator, engine, trigger_app, create_at, update_at, form FROM `+
				definitionVersions+` WHERE `+strings.Join(ors, " OR "), args,
			func(r *sql.Rows) (*engine.Process, error) {
				var p engine.Process
				var form sql.NullString
				if err := r.Scan(&p.ID, &p.Version, &p.Name, &p.Description, &p.Category, &p.TenantID, &p.Enabled, &p.Creator,
					&p.Engine, &p.TriggerApp, &p.CreateAt, &p.UpdateAt, &form); err != nil {
					return nil, fmt.Errorf("scan a definition version: %w", err)
				}
				if form.Valid {
					p.InputDataSchema = json.RawMessage(form.String)
				}
				return &p, nil
			})
		if err != nil {
			return nil, 0, err
		}
		for _, p := range list {
			byRef[ref{p.ID, p.Version}] = p
		}
	}
	out := make([]*engine.Process, 0, len(refs))
	for _, k := range refs {
		if p := byRef[k]; p != nil { // nil: deleted between the two steps
			out = append(out, p)
		}
	}
	return out, total, nil
}
