package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"flowcraft/engine"
)

// Process variables: one row per name with its type, the JSON text scripts see
// (value), the typed columns queries compare (num, text) and a binary variable's
// content (data, content_type). See migrations/0008_typed_variables.sql.

// variables returns the process variables of an instance (binary ones without
// their content).
func (d *Store) variables(ctx context.Context, id engine.ID) (map[string]*engine.Variable, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT name, type, value, COALESCE(content_type, ''), COALESCE(length(data), 0)
		FROM variable WHERE workflow_inst_uid = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read variables: %w", err)
	}
	defer rows.Close()
	vars := map[string]*engine.Variable{}
	for rows.Next() {
		var name, typ, value, contentType string
		var size int64
		if err := rows.Scan(&name, &typ, &value, &contentType, &size); err != nil {
			return nil, fmt.Errorf("read variables: %w", err)
		}
		v, err := engine.DecodeVariable(name, typ, []byte(value), contentType, size)
		if err != nil {
			return nil, fmt.Errorf("read variables: %w", err)
		}
		vars[name] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read variables: %w", err)
	}
	return vars, nil
}

// Variables implements engine.RuntimeStore.
func (d *Store) Variables(ctx context.Context, id engine.ID) (map[string]*engine.Variable, error) {
	var one int
	err := d.read.QueryRowContext(ctx, `SELECT 1 FROM workflow_inst WHERE uid = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ErrNotFound, "instance %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read variables of instance %d: %w", id, err)
	}
	return d.variables(ctx, id)
}

// VariableData implements engine.RuntimeStore.
func (d *Store) VariableData(ctx context.Context, id engine.ID, name string) ([]byte, error) {
	var data []byte
	err := d.read.QueryRowContext(ctx, `SELECT COALESCE(data, x'') FROM variable WHERE workflow_inst_uid = ? AND name = ?`, id, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Coded(engine.ErrNotFound, engine.CodeUnknownVariable, engine.Params{"name": name}, "instance %d has no variable %s", id, name)
	}
	if err != nil {
		return nil, fmt.Errorf("read variable %s of instance %d: %w", name, id, err)
	}
	return data, nil
}

// The variables' writer.

var variableSQL = map[string]string{
	// A binary variable written without Data (its content unchanged) keeps its content;
	// any other type drops it.
	"upsertVar": `INSERT INTO variable (workflow_inst_uid, name, value, update_at, type, num, text, data, content_type)
		VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT (workflow_inst_uid, name) DO UPDATE SET value=excluded.value, update_at=excluded.update_at,
		type=excluded.type, num=excluded.num, text=excluded.text,
		data=CASE WHEN excluded.type = 'binary' THEN COALESCE(excluded.data, variable.data) END,
		content_type=excluded.content_type, rev=rev+1`,
	"deleteVar": `DELETE FROM variable WHERE workflow_inst_uid=? AND name=?`,
}

// writeVariables sets and deletes the variables a step changed.
func writeVariables(tx *stepTx, s *engine.Step) error {
	for name, v := range s.Vars {
		val, err := v.StoredJSON()
		if err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
		num, text := typedColumns(v)
		var data, contentType any
		if v.Type == engine.VarBinary {
			contentType = v.ContentType
			if v.Data != nil {
				data = v.Data
			}
		}
		if _, err := tx.exec("upsertVar", s.Instance.ID, name, string(val), s.Instance.UpdateAt, v.Type, num, text, data, contentType); err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
	}
	for _, name := range s.DeletedVars {
		if _, err := tx.exec("deleteVar", s.Instance.ID, name); err != nil {
			return fmt.Errorf("delete variable %s: %w", name, err)
		}
	}
	return nil
}

// typedColumns are a variable's num and text columns.
func typedColumns(v *engine.Variable) (num, text any) {
	switch x := v.Value.(type) {
	case int64:
		return x, nil
	case float64:
		if v.Type == engine.VarDouble {
			return x, nil
		}
	case bool:
		if v.Type == engine.VarBoolean {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case time.Time:
		return x.UnixMilli(), nil
	case string:
		if v.Type == engine.VarString {
			return nil, x
		}
	}
	return nil, nil
}

// Variable conditions of instance lists.

// varTypeSQL restricts a condition to the variables its type compares with.
func varTypeSQL(typ string) string {
	switch typ {
	case engine.VarShort, engine.VarInteger, engine.VarLong, engine.VarDouble:
		return `v.type IN ('short','integer','long','double')`
	}
	return `v.type = '` + typ + `'` // one of engine's constants, never input
}

// varCondSQL is the condition on the variable row v of one checked condition, with
// its arguments. It names v.name (unless c.Name is empty) so that the (name, num) and
// (name, text) indexes serve it.
func varCondSQL(c engine.VarCondition) (string, []any) {
	var conds []string
	var args []any
	if c.Name != "" {
		conds, args = append(conds, "v.name = ?"), append(args, c.Name)
	}
	conds = append(conds, varTypeSQL(c.Type))
	var val any
	switch x := c.Value.(type) {
	case time.Time:
		val = x.UnixMilli()
	case bool:
		val = int64(0)
		if x {
			val = int64(1)
		}
	default:
		val = x
	}
	col := "v.num"
	if c.Type == engine.VarString {
		col = "v.text"
	}
	cmp := map[string]string{engine.OpEquals: "=", engine.OpNotEquals: "<>", engine.OpLessThan: "<", engine.OpGreaterThan: ">",
		engine.OpLessThanOrEquals: "<=", engine.OpGreaterThanOrEquals: ">="}
	switch c.Operation {
	case engine.OpEquals:
		if col == "v.text" {
			// The NOCASE term lets the text index find the candidates.
			conds, args = append(conds, "v.text = ? COLLATE NOCASE", "v.text = ?"), append(args, val, val)
		} else {
			conds, args = append(conds, col+" = ?"), append(args, val)
		}
	case engine.OpEqualsIgnoreCase:
		conds, args = append(conds, "v.text = ? COLLATE NOCASE"), append(args, val)
	case engine.OpNotEqualsIgnoreCase:
		conds, args = append(conds, "v.text IS NOT NULL", "v.text <> ? COLLATE NOCASE"), append(args, val)
	case engine.OpLike:
		pattern := val.(string)
		if !strings.Contains(pattern, "%") {
			conds, args = append(conds, "v.text = ? COLLATE NOCASE", "v.text = ?"), append(args, pattern, pattern)
			break
		}
		// GLOB is case-sensitive, as Flowable's like; the literal prefix before the
		// first % bounds an index range.
		if prefix, _, _ := strings.Cut(pattern, "%"); prefix != "" {
			conds = append(conds, "v.text >= ? COLLATE NOCASE", "v.text < ? COLLATE NOCASE")
			args = append(args, prefix, prefix+"\U0010FFFF")
		}
		conds, args = append(conds, "v.text GLOB ?"), append(args, likeGlob(pattern))
	default:
		conds, args = append(conds, col+" "+cmp[c.Operation]+" ?"), append(args, val)
	}
	return strings.Join(conds, " AND "), args
}

// likeGlob turns a like pattern (% any run of characters, everything else itself)
// into a GLOB pattern.
func likeGlob(pattern string) string {
	var b strings.Builder
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteByte('*')
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// existsBeyond is the count of matching instances past which a page is found by
// walking instances newest first and checking each for the variables (EXISTS):
// with many matches the first page comes after a few rows. Below it, the matching
// ids are collected from the variable indexes first (IN).
const existsBeyond = 20_000

// listInstancesByVariables is ListInstances with variable conditions: conds and args
// are the instance's own conditions. The total comes from the variable index alone
// when a single condition is all there is.
func (d *Store) listInstancesByVariables(ctx context.Context, f engine.InstanceFilter, conds []string, args []any) ([]*engine.Instance, int, error) {
	vc, err := engine.CheckVarConditions(f.Variables)
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	order, err := instanceSorts.clause(f.Page)
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	parts := make([]string, len(vc))
	partArgs := make([][]any, len(vc))
	for i, c := range vc {
		parts[i], partArgs[i] = varCondSQL(c)
	}
	with := func(form string) (string, []any) {
		all, allArgs := append([]string(nil), conds...), append([]any(nil), args...)
		for i, p := range parts {
			if form == "exists" {
				all = append(all, `EXISTS (SELECT 1 FROM variable v WHERE v.workflow_inst_uid = workflow_inst.uid AND `+p+`)`)
			} else {
				all = append(all, `uid IN (SELECT v.workflow_inst_uid FROM variable v WHERE `+p+`)`)
			}
			allArgs = append(allArgs, partArgs[i]...)
		}
		return `workflow_inst` + where(all), allArgs
	}
	var total int
	if len(conds) == 0 && len(vc) == 1 {
		count := "COUNT(*)"
		if vc[0].Name == "" { // an instance may have several variables of the value
			count = "COUNT(DISTINCT v.workflow_inst_uid)"
		}
		err = d.read.QueryRowContext(ctx, `SELECT `+count+` FROM variable v WHERE `+parts[0], partArgs[0]...).Scan(&total)
	} else {
		from, fargs := with("in")
		err = d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from, fargs...).Scan(&total)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: count: %w", err)
	}
	if total == 0 || f.Offset >= total {
		return []*engine.Instance{}, total, nil
	}
	form := "in"
	if total > existsBeyond && (f.Sort == "" || f.Sort == "id") {
		form = "exists"
	}
	from, fargs := with(form)
	rows, err := d.read.QueryContext(ctx, `SELECT `+instanceColumns+` FROM `+from+order+` LIMIT ? OFFSET ?`, append(fargs, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	defer rows.Close()
	list := []*engine.Instance{}
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list instances: %w", err)
		}
		list = append(list, in)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	return list, total, nil
}
