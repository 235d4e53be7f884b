package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
	rows, err := d.readQuery(ctx, `SELECT name, type, value, COALESCE(content_type, ''), COALESCE(length(data), 0)
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
	"upsertVar": `INSERT INTO variable (workflow_inst_uid, name, value, update_at, type, num, text, data, content_type, open)
		VALUES (?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (workflow_inst_uid, name) DO UPDATE SET value=excluded.value, update_at=excluded.update_at, open=excluded.open,
		type=excluded.type, num=excluded.num, text=excluded.text,
		data=CASE WHEN excluded.type = 'binary' THEN COALESCE(excluded.data, variable.data) END,
		content_type=excluded.content_type, rev=rev+1`,
	"deleteVar": `DELETE FROM variable WHERE workflow_inst_uid=? AND name=?`,
}

// writeVariables sets and deletes the variables a step changed; each is open
// (migration 0014) while the instance, as the step leaves it, has not ended.
func writeVariables(tx *stepTx, s *engine.Step) error {
	open := int64(0)
	if len(s.Vars) > 0 && unfinished(s.Instance.Status) {
		open = 1
	}
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
		if _, err := tx.exec("upsertVar", s.Instance.ID, name, string(val), s.Instance.UpdateAt, v.Type, num, text, data, contentType, open); err != nil {
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

// unfinished reports the statuses of an instance that has not ended, as unfinishedCond
// (statuses.go) and migration 0017's trigger list them.
func unfinished(status string) bool {
	switch status {
	case engine.StatusPending, engine.StatusRunning, engine.StatusWaiting, engine.StatusSuspended:
		return true
	}
	return false
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

// varCondFunc builds the SQL of one condition on a variable row alias (varCondSQL).
type varCondFunc func(c engine.VarCondition, alias string) (string, []any)

// varTypeSQL restricts a condition on the variable row alias to the variables its
// type compares with: the (name, type, num) index serves it. Strings need none: only
// strings have a text.
func varTypeSQL(alias, typ string) string {
	switch typ {
	case engine.VarString:
		return alias + `.text IS NOT NULL`
	case engine.VarShort, engine.VarInteger, engine.VarLong, engine.VarDouble:
		return alias + `.type IN ('short','integer','long','double')`
	}
	return alias + `.type = '` + typ + `'` // one of engine's constants, never input
}

// varCondSQL is the condition on the variable row alias of one checked condition,
// with its arguments. It names the variable (unless c.Name is empty) so that the
// (name, type, num) and (name, text) indexes serve it.
func varCondSQL(c engine.VarCondition, alias string) (string, []any) {
	var conds []string
	var args []any
	if c.Name != "" {
		conds, args = append(conds, alias+".name = ?"), append(args, c.Name)
	}
	conds = append(conds, varTypeSQL(alias, c.Type))
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
	col := alias + ".num"
	if c.Type == engine.VarString {
		col = alias + ".text"
	}
	cmp := map[string]string{engine.OpEquals: "=", engine.OpNotEquals: "<>", engine.OpLessThan: "<", engine.OpGreaterThan: ">",
		engine.OpLessThanOrEquals: "<=", engine.OpGreaterThanOrEquals: ">="}
	// The NOCASE comparisons let the text index find the candidates of exact ones.
	switch c.Operation {
	case engine.OpEquals:
		if c.Type == engine.VarString {
			conds, args = append(conds, col+" = ? COLLATE NOCASE", col+" = ?"), append(args, val, val)
		} else {
			conds, args = append(conds, col+" = ?"), append(args, val)
		}
	case engine.OpEqualsIgnoreCase:
		conds, args = append(conds, col+" = ? COLLATE NOCASE"), append(args, val)
	case engine.OpNotEqualsIgnoreCase:
		conds, args = append(conds, col+" <> ? COLLATE NOCASE"), append(args, val)
	case engine.OpLike:
		pattern := val.(string)
		if !strings.Contains(pattern, "%") {
			conds, args = append(conds, col+" = ? COLLATE NOCASE", col+" = ?"), append(args, pattern, pattern)
			break
		}
		// GLOB is case-sensitive, as Flowable's like. The literal prefix before the
		// first % bounds an index range; without one, the distinct texts of the
		// variable that match (variable_text_stat) are looked up instead.
		prefix, _, _ := strings.Cut(pattern, "%")
		switch {
		case prefix != "":
			conds = append(conds, col+" >= ? COLLATE NOCASE", col+" < ? COLLATE NOCASE", col+" GLOB ?")
			args = append(args, prefix, prefix+"\U0010FFFF", likeGlob(pattern))
		case c.Name != "":
			texts := `(SELECT s.text FROM variable_text_stat s WHERE s.name = ? AND s.text GLOB ?)`
			conds = append(conds, col+" COLLATE NOCASE IN "+texts, col+" IN "+texts)
			args = append(args, c.Name, likeGlob(pattern), c.Name, likeGlob(pattern))
		default:
			conds, args = append(conds, col+" GLOB ?"), append(args, likeGlob(pattern))
		}
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

// Instance lists by variable conditions. One condition drives: the one with the
// fewest matches (each counted up to probeCap from its index); its index entries are
// walked and the other conditions checked per instance (primary key lookups). The
// total counts the driver's matches that meet the rest; with a single condition and
// no other filter that count reads the index alone. The page then comes, for at most
// inBelow matches, from those ids (IN); beyond, by walking instances newest first and
// checking each (EXISTS): the first page is then found after a few rows. The total
// of a single condition alone is a sum over the variable's distinct values
// (variable_num_stat, variable_text_stat: one row per value with its count, kept by
// triggers), which is cheap for variables of few values (days, a status, a name).
const (
	probeCap = 2_000
	inBelow  = 20_000
)

// countCap bounds the probes that compare the instances meeting the instance's own
// conditions with the variables meeting the driving condition.
const countCap = 100_000

// fewerInstances reports whether fewer instances meet conds than variables meet c
// (the instances counted up to countCap, the variables up to one more, from indexes).
func (d *Store) fewerInstances(ctx context.Context, conds []string, args []any, c engine.VarCondition, condSQL varCondFunc) (bool, error) {
	var insts, vars int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM workflow_inst`+where(conds)+` LIMIT ?)`,
		append(slices.Clone(args), countCap)...).Scan(&insts); err != nil {
		return false, err
	}
	part, pargs := condSQL(c, "v")
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM variable v WHERE `+part+` LIMIT ?)`,
		append(pargs, insts+1)...).Scan(&vars); err != nil {
		return false, err
	}
	return insts < vars, nil
}

// listInstancesByVariables is ListInstances with variable conditions: conds and args
// are the instance's own conditions.
// known, when not nil, is the total (not counted).
func (d *Store) listInstancesByVariables(ctx context.Context, f engine.InstanceFilter, conds []string, args []any, known *int) ([]*engine.Instance, int, error) {
	vc, err := engine.CheckVarConditions(f.Variables)
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	order, err := instanceSorts.clause(f.Page)
	if err != nil {
		return nil, 0, fmt.Errorf("list instances: %w", err)
	}
	// Among the unfinished instances, every condition is on their open variables
	// (migration 0014's partial indexes), which also stand for the instances' status
	// in counting; a page walking instances keeps the status condition.
	condSQL := varCondSQL
	if f.Unfinished {
		condSQL = func(c engine.VarCondition, alias string) (string, []any) {
			part, pargs := varCondSQL(c, alias)
			return alias + ".open = 1 AND " + part, pargs
		}
	}
	driver := 0
	if len(vc) > 1 {
		fewest := -1
		for i, c := range vc {
			part, pargs := condSQL(c, "v")
			var n int
			if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM variable v WHERE `+part+` LIMIT ?)`,
				append(pargs, probeCap)...).Scan(&n); err != nil {
				return nil, 0, fmt.Errorf("list instances: probe: %w", err)
			}
			if fewest < 0 || n < fewest {
				fewest, driver = n, i
			}
		}
	}
	// matching is the driver's rows (alias v) that meet every other condition.
	matching, margs := condSQL(vc[driver], "v")
	for i, c := range vc {
		if i == driver {
			continue
		}
		part, pargs := condSQL(c, "o")
		matching += ` AND EXISTS (SELECT 1 FROM variable o WHERE o.workflow_inst_uid = v.workflow_inst_uid AND ` + part + `)`
		margs = append(margs, pargs...)
	}
	if len(conds) > 0 {
		matching += ` AND EXISTS (SELECT 1 FROM workflow_inst WHERE uid = v.workflow_inst_uid AND ` + strings.Join(conds, " AND ") + `)`
		margs = append(margs, args...)
	}
	count := "COUNT(*)"
	if vc[driver].Name == "" { // an instance may have several variables of the value
		count = "COUNT(DISTINCT v.workflow_inst_uid)"
	}
	counting, cargs := `SELECT `+count+` FROM variable v WHERE `+matching, margs
	// instanceDriven is the instances that meet conds, each checked for every condition.
	instanceDriven := func() (string, []any) {
		all, allArgs := slices.Clone(conds), slices.Clone(args)
		if f.Unfinished {
			all = append(all, unfinishedCond)
		}
		for _, c := range vc {
			part, pargs := condSQL(c, "v")
			all = append(all, `EXISTS (SELECT 1 FROM variable v WHERE v.workflow_inst_uid = workflow_inst.uid AND `+part+`)`)
			allArgs = append(allArgs, pargs...)
		}
		return `workflow_inst` + where(all), allArgs
	}
	fewer := false
	if len(conds) > 0 && known == nil {
		// Fewer instances meet the instance's own conditions (the unfinished ones, say)
		// than variables the driver: count those instances instead.
		fewer, err = d.fewerInstances(ctx, conds, args, vc[driver], condSQL)
		if err != nil {
			return nil, 0, fmt.Errorf("list instances: probe: %w", err)
		}
		if fewer {
			from, fargs := instanceDriven()
			counting, cargs = `SELECT COUNT(*) FROM `+from, fargs
		}
	}
	if len(vc) == 1 && len(conds) == 0 && vc[0].Name != "" && !f.Unfinished {
		// One condition alone: the sum over the distinct values that meet it.
		switch vc[0].Type {
		case engine.VarString:
			counting = `SELECT COALESCE(SUM(v.n), 0) FROM variable_text_stat v WHERE ` + matching
		case engine.VarDate:
			counting, cargs = dateCount(vc[0])
		default:
			counting = `SELECT COALESCE(SUM(v.n), 0) FROM variable_num_stat v WHERE ` + matching
		}
	}
	var total int
	if known != nil {
		total = *known
	} else if err := d.read.QueryRowContext(ctx, counting, cargs...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list instances: count: %w", err)
	}
	if total == 0 || f.Offset >= total || f.Limit == 0 {
		return []*engine.Instance{}, total, nil
	}
	var from string
	var fargs []any
	if !fewer && (total <= inBelow || (f.Sort != "" && f.Sort != "id")) {
		from, fargs = `workflow_inst WHERE uid IN (SELECT v.workflow_inst_uid FROM variable v WHERE `+matching+`)`, margs
	} else {
		from, fargs = instanceDriven()
	}
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

// statHour is the width of a date's bucket in variable_num_stat: an hour, in ms.
const statHour = 3_600_000

// dateCount counts the variables that meet a date condition (checked, named): the
// hours wholly on its side (variable_num_stat, num = the hour) plus the dates of the
// boundary hour that meet it, from the variable_num index. An hour is unix ms /
// statHour truncated toward zero, as SQLite's integer division does, so hour 0 spans
// (-statHour, statHour) and a negative hour h (statHour·(h-1), statHour·h].
func dateCount(c engine.VarCondition) (string, []any) {
	ms := c.Value.(time.Time).UnixMilli()
	h := ms / statHour
	lo, hi := h*statHour-1, (h+1)*statHour // the boundary hour, exclusive bounds
	switch {
	case h < 0:
		lo, hi = (h-1)*statHour, h*statHour+1
	case h == 0:
		lo, hi = -statHour, statHour
	}
	side := map[string]string{engine.OpGreaterThan: ">", engine.OpGreaterThanOrEquals: ">", engine.OpLessThan: "<",
		engine.OpLessThanOrEquals: "<", engine.OpNotEquals: "<>"}[c.Operation]
	cmp := map[string]string{engine.OpEquals: "=", engine.OpNotEquals: "<>", engine.OpLessThan: "<", engine.OpGreaterThan: ">",
		engine.OpLessThanOrEquals: "<=", engine.OpGreaterThanOrEquals: ">="}[c.Operation]
	q := `SELECT (SELECT COUNT(*) FROM variable v WHERE v.name = ? AND v.type = 'date' AND v.num > ? AND v.num < ? AND v.num ` + cmp + ` ?)`
	args := []any{c.Name, lo, hi, ms}
	if side != "" {
		q += ` + (SELECT COALESCE(SUM(s.n), 0) FROM variable_num_stat s WHERE s.name = ? AND s.type = 'date' AND s.num ` + side + ` ?)`
		args = append(args, c.Name, h)
	}
	return q, args
}
