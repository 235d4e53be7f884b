package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"flowcraft/engine"
)

// variables returns the process variables of an instance.
func (d *Store) variables(ctx context.Context, id engine.ID) (map[string]any, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT name, value FROM variable WHERE workflow_inst_uid = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read variables: %w", err)
	}
	defer rows.Close()
	vars := map[string]any{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("read variables: %w", err)
		}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		vars[name] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read variables: %w", err)
	}
	return vars, nil
}

// The variables' writer.

var variableSQL = map[string]string{
	"upsertVar": `INSERT INTO variable (workflow_inst_uid, name, value, update_at) VALUES (?,?,?,?) ON CONFLICT (workflow_inst_uid, name) DO UPDATE SET value=excluded.value, update_at=excluded.update_at, rev=rev+1`,
	"deleteVar": `DELETE FROM variable WHERE workflow_inst_uid=? AND name=?`,
}

// writeVariables sets and deletes the variables a step changed.
func writeVariables(tx *stepTx, s *engine.Step) error {
	for name, v := range s.Vars {
		val, err := jsonText(v)
		if err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
		if _, err := tx.exec("upsertVar", s.Instance.ID, name, val, s.Instance.UpdateAt); err != nil {
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
