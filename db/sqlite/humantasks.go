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

const taskColumns = `id, node_inst_uid, workflow_inst_uid, workflow_id, process_name, task_id, name, content, form, outcomes,
	assignee, owner, delegation, "user", status, priority, due_at, outcome, comment, result, history, seq, candidates,
	create_at, claim_at, end_at, rev`

type candidates struct {
	Users  []string `json:"users"`
	Groups []string `json:"groups"`
}

func scanTask(r rowScanner) (*engine.HumanTask, error) {
	var t engine.HumanTask
	var form, outcomes, result, history, cands string
	if err := r.Scan(&t.ID, &t.NodeID, &t.InstanceID, &t.ProcessID, &t.ProcessName, &t.TaskID, &t.Name, &t.Content, &form,
		&outcomes, &t.Assignee, &t.Owner, &t.Delegation, &t.CompletedBy, &t.Status, &t.Priority, &t.DueAt, &t.Outcome,
		&t.Comment, &result, &history, &t.Seq, &cands, &t.CreateAt, &t.ClaimAt, &t.EndAt, &t.Rev); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		text string
		into any
	}{{form, &t.Form}, {outcomes, &t.Outcomes}, {result, &t.FormData}, {history, &t.History}} {
		if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
			return nil, fmt.Errorf("task %d: %w", t.ID, err)
		}
	}
	var c candidates
	if err := json.Unmarshal([]byte(cands), &c); err != nil {
		return nil, fmt.Errorf("task %d candidates: %w", t.ID, err)
	}
	t.CandidateUsers, t.CandidateGroups = orEmpty(c.Users), orEmpty(c.Groups)
	if t.Form == nil {
		t.Form = []engine.FormField{}
	}
	if t.History == nil {
		t.History = []engine.TaskEvent{}
	}
	return &t, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// insertTask writes a new human task and, while it is open, its candidate links.
func insertTask(tx *stepTx, t *engine.HumanTask) error {
	form, _ := json.Marshal(orNil(t.Form))
	outcomes, _ := json.Marshal(t.Outcomes)
	result, _ := json.Marshal(t.FormData)
	history, _ := json.Marshal(t.History)
	cands, _ := json.Marshal(candidates{Users: t.CandidateUsers, Groups: t.CandidateGroups})
	if _, err := tx.exec("insertTask", t.ID, t.NodeID, t.InstanceID, t.ProcessID, t.ProcessName, t.TaskID, t.Name, t.Content,
		string(form), string(outcomes), t.Assignee, t.Owner, t.Delegation, t.CompletedBy, t.Status, t.Priority, t.DueAt,
		t.Outcome, t.Comment, string(result), string(history), t.Seq, string(cands), t.CreateAt, t.ClaimAt, t.EndAt); err != nil {
		return fmt.Errorf("insert human task: %w", err)
	}
	if t.Status != engine.TaskOpen {
		return nil
	}
	for _, u := range t.CandidateUsers {
		if _, err := tx.exec("insertLink", t.ID, u, ""); err != nil {
			return err
		}
	}
	for _, g := range t.CandidateGroups {
		if _, err := tx.exec("insertLink", t.ID, "", g); err != nil {
			return err
		}
	}
	return nil
}

func orNil(f []engine.FormField) any {
	if f == nil {
		return []engine.FormField{}
	}
	return f
}

// updateTask writes a human task with a rev check; closing it drops its links.
func updateTask(ctx context.Context, exec func(name string, args ...any) (sql.Result, error), t *engine.HumanTask) error {
	result, _ := json.Marshal(t.FormData)
	history, _ := json.Marshal(t.History)
	res, err := exec("updateTask", t.Assignee, t.Owner, t.Delegation, t.CompletedBy, t.Status, t.Outcome, t.Comment,
		string(result), string(history), t.ClaimAt, t.EndAt, t.ID, t.Rev)
	if err != nil {
		return fmt.Errorf("update human task: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return engine.Errorf(engine.ErrConflict, "task %d was changed by someone else at the same moment; reload it", t.ID)
	}
	if t.Status != engine.TaskOpen {
		if _, err := exec("deleteLinks", t.ID); err != nil {
			return err
		}
	}
	return nil
}

// GetHumanTask implements engine.HumanTaskStore.
func (d *Store) GetHumanTask(ctx context.Context, id engine.ID) (*engine.HumanTask, error) {
	t, err := scanTask(d.read.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM task_inst WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ErrNotFound, "task %d not found", id)
	}
	return t, err
}

// HumanTasksOfNodes implements engine.HumanTaskStore.
func (d *Store) HumanTasksOfNodes(ctx context.Context, nodes []engine.ID) ([]*engine.HumanTask, error) {
	if len(nodes) == 0 {
		return nil, nil
	}
	args := make([]any, len(nodes))
	for i, n := range nodes {
		args[i] = n
	}
	rows, err := d.read.QueryContext(ctx, `SELECT `+taskColumns+` FROM task_inst WHERE node_inst_uid IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(nodes)), ",")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*engine.HumanTask
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateHumanTask implements engine.HumanTaskStore (claim, unclaim, delegate, resolve).
func (d *Store) UpdateHumanTask(ctx context.Context, t *engine.HumanTask) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		st := &stepTx{ctx: ctx, tx: tx, stmts: d.stmts, bound: map[string]*sql.Stmt{}}
		return updateTask(ctx, st.exec, t)
	})
	if err == nil {
		t.Rev++
	}
	return err
}

var inboxSorts = map[string]string{"createAt": "t.create_at", "priority": "t.priority", "due": "t.due_at", "dueAt": "t.due_at", "endAt": "t.end_at"}

// Inbox implements engine.HumanTaskStore. Open tasks are found through three indexed
// lookups (assigned to the user; the user a candidate; a group of the user a
// candidate), so the cost follows the user's open tasks, not the table's size.
func (d *Store) Inbox(ctx context.Context, f engine.InboxFilter) ([]*engine.HumanTask, int, error) {
	var from string
	var args []any
	if f.Status == engine.TaskDone {
		from = `task_inst t WHERE t.status = 'done' AND t."user" = ?`
		args = append(args, f.User)
		if f.Sort == "" {
			f.Sort, f.Desc = "endAt", true
		}
	} else {
		groups := "''"
		if len(f.Groups) > 0 {
			groups = strings.TrimSuffix(strings.Repeat("?,", len(f.Groups)), ",")
		}
		// CROSS JOIN makes SQLite drive the join from the user's candidate set; the
		// "<> ''" terms let it use the partial indexes of identity_link.
		from = `(
			SELECT id FROM task_inst WHERE status = 'open' AND assignee = ?
			UNION SELECT task_inst_id FROM identity_link WHERE user_id = ? AND user_id <> ''
			UNION SELECT task_inst_id FROM identity_link WHERE group_id IN (` + groups + `) AND group_id <> ''
		) mine CROSS JOIN task_inst t ON t.id = mine.id WHERE t.status = 'open' AND (t.assignee = '' OR t.assignee = ?)`
		args = append(args, f.User, f.User)
		for _, g := range f.Groups {
			args = append(args, g)
		}
		args = append(args, f.User)
		if f.Sort == "" {
			f.Sort, f.Desc = "createAt", true
		}
	}
	if f.ProcessID != "" {
		from += ` AND t.workflow_id = ?`
		args = append(args, f.ProcessID)
	}
	order, err := orderBy(f.Page, inboxSorts, "t.create_at")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := d.read.QueryContext(ctx, `SELECT `+prefixed("t.", taskColumns)+` FROM `+from+order+`, t.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*engine.HumanTask{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, t)
	}
	return list, total, rows.Err()
}
