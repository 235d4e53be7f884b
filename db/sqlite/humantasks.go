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
	create_at, claim_at, end_at, rev, category, form_key, parent_task_id, tenant_id, local_vars`

type candidates struct {
	Users  []string `json:"users"`
	Groups []string `json:"groups"`
}

func scanTask(r rowScanner) (*engine.HumanTask, error) {
	var t engine.HumanTask
	var form, outcomes, result, history, cands, local string
	if err := r.Scan(&t.ID, &t.NodeID, &t.InstanceID, &t.ProcessID, &t.ProcessName, &t.TaskID, &t.Name, &t.Content, &form,
		&outcomes, &t.Assignee, &t.Owner, &t.Delegation, &t.CompletedBy, &t.Status, &t.Priority, &t.DueAt, &t.Outcome,
		&t.Comment, &result, &history, &t.Seq, &cands, &t.CreateAt, &t.ClaimAt, &t.EndAt, &t.Rev,
		&t.Category, &t.FormKey, &t.ParentTaskID, &t.TenantID, &local); err != nil {
		return nil, err
	}
	vars, err := decodeLocalVars(local)
	if err != nil {
		return nil, fmt.Errorf("task %d local variables: %w", t.ID, err)
	}
	t.LocalVars = vars
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

func scanTaskRows(r *sql.Rows) (*engine.HumanTask, error) { return scanTask(r) }

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// GetHumanTask implements engine.HumanTaskStore.
func (d *Store) GetHumanTask(ctx context.Context, id engine.ID) (*engine.HumanTask, error) {
	t, err := scanTask(d.read.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM task_inst WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "task %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get human task %d: %w", id, err)
	}
	return t, nil
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
	return queryAll(ctx, d.read, "list human tasks of runtimes", `SELECT `+taskColumns+` FROM task_inst WHERE node_inst_uid IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(nodes)), ",")+`) ORDER BY id`, args, scanTaskRows)
}

// UpdateHumanTask implements engine.HumanTaskStore (claim, unclaim, delegate, resolve).
func (d *Store) UpdateHumanTask(ctx context.Context, t *engine.HumanTask) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		return updateTask(d.stepTx(ctx, tx), t)
	})
	if err != nil {
		return fmt.Errorf("update human task %d: %w", t.ID, err)
	}
	t.Rev++
	t.CandidatesChanged = false
	return nil
}

var inboxSorts = sorting{
	fields: map[string]string{"createAt": "t.create_at", "priority": "t.priority", "due": "t.due_at", "dueAt": "t.due_at", "endAt": "t.end_at"},
	then:   "t.id DESC",
}

// Inbox implements engine.HumanTaskStore. Open tasks are found through three indexed
// lookups (assigned to the user; the user a candidate; a group of the user a
// candidate), so the cost follows the user's open tasks, not the table's size.
func (d *Store) Inbox(ctx context.Context, f engine.InboxFilter) ([]*engine.HumanTask, int, error) {
	q := listQuery{op: "list inbox", columns: prefixed("t.", taskColumns), order: inboxSorts}
	q.order.defaultDesc = true
	if f.Status == engine.TaskDone {
		q.from = `task_inst t WHERE t.status = 'done' AND t."user" = ?`
		q.args = append(q.args, f.User)
		q.order.byDefault = "endAt"
		if err := doneSearch(&q, f); err != nil {
			return nil, 0, err
		}
	} else {
		groups := "''"
		if len(f.Groups) > 0 {
			groups = strings.TrimSuffix(strings.Repeat("?,", len(f.Groups)), ",")
		}
		// CROSS JOIN makes SQLite drive the join from the user's candidate set; the
		// "<> ''" terms let it use the partial indexes of identity_link.
		q.from = `(
			SELECT id FROM task_inst WHERE status = 'open' AND assignee = ?
			UNION SELECT task_inst_id FROM identity_link WHERE user_id = ? AND user_id <> ''
			UNION SELECT task_inst_id FROM identity_link WHERE group_id IN (` + groups + `) AND group_id <> ''
		) mine CROSS JOIN task_inst t ON t.id = mine.id WHERE t.status = 'open' AND (t.assignee = '' OR t.assignee = ?)`
		q.args = append(q.args, f.User, f.User)
		for _, g := range f.Groups {
			q.args = append(q.args, g)
		}
		q.args = append(q.args, f.User)
		q.order.byDefault = "createAt"
	}
	if f.ProcessID != "" {
		q.from += ` AND t.workflow_id = ?`
		q.args = append(q.args, f.ProcessID)
	}
	return listPage(ctx, d.read, q, f.Page, scanTaskRows)
}

// The human tasks' writer.

var humanTaskSQL = map[string]string{
	"insertTask":  `INSERT INTO task_inst (id, node_inst_uid, workflow_inst_uid, workflow_id, process_name, task_id, name, content, form, outcomes, assignee, owner, delegation, "user", status, priority, due_at, outcome, comment, result, history, seq, candidates, create_at, claim_at, end_at, category, form_key, parent_task_id, tenant_id, local_vars) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"updateTask":  `UPDATE task_inst SET assignee=?, owner=?, delegation=?, "user"=?, status=?, outcome=?, comment=?, result=?, history=?, claim_at=?, end_at=?, name=?, content=?, priority=?, due_at=?, category=?, form_key=?, parent_task_id=?, tenant_id=?, local_vars=?, candidates=?, rev=rev+1 WHERE id=? AND rev=?`,
	"insertLink":  `INSERT OR IGNORE INTO identity_link (task_inst_id, kind, user_id, group_id) VALUES (?, 'candidate', ?, ?)`,
	"deleteLinks": `DELETE FROM identity_link WHERE task_inst_id=?`,
	"closeTasks":  `UPDATE task_inst SET status='canceled', end_at=?, rev=rev+1 WHERE node_inst_uid=? AND status='open'`,
	"closeLinks":  `DELETE FROM identity_link WHERE task_inst_id IN (SELECT id FROM task_inst WHERE node_inst_uid=?)`,
}

// writeHumanTasks inserts the new human tasks of a step (Rev 0) and updates the others.
func writeHumanTasks(tx *stepTx, tasks []*engine.HumanTask) error {
	for _, t := range tasks {
		if t.Rev == 0 {
			if err := insertTask(tx, t); err != nil {
				return err
			}
		} else if err := updateTask(tx, t); err != nil {
			return err
		}
	}
	return nil
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
		t.Outcome, t.Comment, string(result), string(history), t.Seq, string(cands), t.CreateAt, t.ClaimAt, t.EndAt,
		t.Category, t.FormKey, t.ParentTaskID, t.TenantID, encodeLocalVars(t.LocalVars)); err != nil {
		return fmt.Errorf("insert human task: %w", err)
	}
	if t.Status != engine.TaskOpen {
		return nil
	}
	for _, u := range t.CandidateUsers {
		if _, err := tx.exec("insertLink", t.ID, u, ""); err != nil {
			return fmt.Errorf("insert candidate %s of task %d: %w", u, t.ID, err)
		}
	}
	for _, g := range t.CandidateGroups {
		if _, err := tx.exec("insertLink", t.ID, "", g); err != nil {
			return fmt.Errorf("insert candidate group %s of task %d: %w", g, t.ID, err)
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
func updateTask(tx *stepTx, t *engine.HumanTask) error {
	result, _ := json.Marshal(t.FormData)
	history, _ := json.Marshal(t.History)
	cands, _ := json.Marshal(candidates{Users: t.CandidateUsers, Groups: t.CandidateGroups})
	res, err := tx.exec("updateTask", t.Assignee, t.Owner, t.Delegation, t.CompletedBy, t.Status, t.Outcome, t.Comment,
		string(result), string(history), t.ClaimAt, t.EndAt, t.Name, t.Content, t.Priority, t.DueAt, t.Category, t.FormKey,
		t.ParentTaskID, t.TenantID, encodeLocalVars(t.LocalVars), string(cands), t.ID, t.Rev)
	if err != nil {
		return fmt.Errorf("update human task: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return engine.Errorf(engine.ErrConflict, "task %d was changed by someone else at the same moment; reload it", t.ID)
	}
	if t.Status != engine.TaskOpen || t.CandidatesChanged {
		if _, err := tx.exec("deleteLinks", t.ID); err != nil {
			return fmt.Errorf("delete candidates of task %d: %w", t.ID, err)
		}
	}
	if t.Status == engine.TaskOpen && t.CandidatesChanged {
		for _, u := range t.CandidateUsers {
			if _, err := tx.exec("insertLink", t.ID, u, ""); err != nil {
				return fmt.Errorf("insert candidate %s of task %d: %w", u, t.ID, err)
			}
		}
		for _, g := range t.CandidateGroups {
			if _, err := tx.exec("insertLink", t.ID, "", g); err != nil {
				return fmt.Errorf("insert candidate group %s of task %d: %w", g, t.ID, err)
			}
		}
	}
	return nil
}

// closeApprovalTasks cancels the open tasks of an approval runtime that stopped
// waiting and drops their candidate links.
func closeApprovalTasks(tx *stepTx, n *engine.NodeRun) error {
	if _, err := tx.exec("closeTasks", n.UpdateAt, n.ID); err != nil {
		return fmt.Errorf("close the tasks of runtime %d: %w", n.ID, err)
	}
	if _, err := tx.exec("closeLinks", n.ID); err != nil {
		return fmt.Errorf("close the tasks of runtime %d: %w", n.ID, err)
	}
	return nil
}

// storedVar is a task-local variable as local_vars keeps it.
type storedVar struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Value       json.RawMessage `json:"value"`
	ContentType string          `json:"contentType,omitempty"`
	Size        int64           `json:"size,omitempty"`
	Data        []byte          `json:"data,omitempty"` // binary content (base64 in the JSON)
}

// encodeLocalVars is the local_vars text of a task's variables.
func encodeLocalVars(vars []*engine.Variable) string {
	out := make([]storedVar, 0, len(vars))
	for _, v := range vars {
		val, err := v.StoredJSON()
		if err != nil {
			val = []byte("null")
		}
		out = append(out, storedVar{Name: v.Name, Type: v.Type, Value: val, ContentType: v.ContentType, Size: v.Size, Data: v.Data})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// decodeLocalVars reads local_vars.
func decodeLocalVars(text string) ([]*engine.Variable, error) {
	var stored []storedVar
	if err := json.Unmarshal([]byte(text), &stored); err != nil {
		return nil, err
	}
	out := make([]*engine.Variable, 0, len(stored))
	for _, sv := range stored {
		v, err := engine.DecodeVariable(sv.Name, sv.Type, sv.Value, sv.ContentType, sv.Size)
		if err != nil {
			return nil, err
		}
		v.Data = sv.Data
		out = append(out, v)
	}
	return out, nil
}

var taskSorts = sorting{
	fields: map[string]string{"id": "t.id", "name": "t.name", "priority": "t.priority", "assignee": "t.assignee",
		"owner": "t.owner", "createTime": "t.create_at", "dueDate": "t.due_at", "tenantId": "t.tenant_id",
		"caseInstanceId": "t.workflow_inst_uid", "taskDefinitionKey": "t.task_id"},
	then:      "t.id",
	byDefault: "id",
}

// ListHumanTasks implements engine.HumanTaskStore: open tasks by seed 003's filters.
// Candidate filters go through identity_link (open tasks only).
func (d *Store) ListHumanTasks(ctx context.Context, f engine.TaskFilter) ([]*engine.HumanTask, int, error) {
	q := listQuery{op: "list human tasks", columns: prefixed("t.", taskColumns), order: taskSorts}
	var where []string
	add := func(cond string, args ...any) {
		where = append(where, cond)
		q.args = append(q.args, args...)
	}
	in := func(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
	strs := func(l []string) []any {
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	// candidate: the task is unassigned and the user or one of groups a candidate.
	candidate := func(user string, groups []string) {
		cond := `t.assignee = '' AND t.id IN (SELECT task_inst_id FROM identity_link WHERE user_id = ? AND user_id <> ''`
		args := []any{user}
		if len(groups) > 0 {
			cond += ` UNION SELECT task_inst_id FROM identity_link WHERE group_id IN (` + in(len(groups)) + `) AND group_id <> ''`
			args = append(args, strs(groups)...)
		}
		add(cond+`)`, args...)
	}
	add(`t.status = 'open'`)
	if f.ID != 0 {
		add(`t.id = ?`, f.ID)
	}
	if f.Name != "" {
		add(`t.name = ?`, f.Name)
	}
	if f.NameLike != "" {
		add(`t.name LIKE ? ESCAPE '\'`, likeFilter(f.NameLike))
	}
	if f.Description != "" {
		add(`t.content = ?`, f.Description)
	}
	if f.Priority != nil {
		add(`t.priority = ?`, *f.Priority)
	}
	if f.MinPriority != nil {
		add(`t.priority >= ?`, *f.MinPriority)
	}
	if f.MaxPriority != nil {
		add(`t.priority <= ?`, *f.MaxPriority)
	}
	if f.Assignee != "" {
		add(`t.assignee = ?`, f.Assignee)
	}
	if f.AssigneeLike != "" {
		add(`t.assignee LIKE ? ESCAPE '\' AND t.assignee <> ''`, likeFilter(f.AssigneeLike))
	}
	if f.Owner != "" {
		add(`t.owner = ?`, f.Owner)
	}
	if f.OwnerLike != "" {
		add(`t.owner LIKE ? ESCAPE '\' AND t.owner <> ''`, likeFilter(f.OwnerLike))
	}
	if f.Unassigned {
		add(`t.assignee = ''`)
	}
	if f.Delegation != "" {
		add(`t.delegation = ?`, f.Delegation)
	}
	if f.CandidateUser != "" {
		candidate(f.CandidateUser, f.CandidateUserGroups)
	}
	if len(f.CandidateGroups) > 0 {
		add(`t.assignee = '' AND t.id IN (SELECT task_inst_id FROM identity_link WHERE group_id IN (`+in(len(f.CandidateGroups))+`) AND group_id <> '')`,
			strs(f.CandidateGroups)...)
	}
	// involved: the user's open tasks as assignee or owner, or a candidate (directly
	// or through one of groups), each an indexed lookup.
	involved := func(user string, groups []string, owner bool) {
		cond := `t.id IN (SELECT id FROM task_inst WHERE status = 'open' AND assignee = ?`
		args := []any{user}
		if owner {
			cond += ` UNION SELECT id FROM task_inst WHERE status = 'open' AND owner = ? AND owner <> ''`
			args = append(args, user)
		}
		cond += ` UNION SELECT task_inst_id FROM identity_link WHERE user_id = ? AND user_id <> ''`
		args = append(args, user)
		if len(groups) > 0 {
			cond += ` UNION SELECT task_inst_id FROM identity_link WHERE group_id IN (` + in(len(groups)) + `) AND group_id <> ''`
			args = append(args, strs(groups)...)
		}
		add(cond+`)`, args...)
	}
	if f.InvolvedUser != "" {
		involved(f.InvolvedUser, nil, true)
	}
	if f.TaskDefKey != "" {
		add(`t.task_id = ?`, f.TaskDefKey)
	}
	if f.TaskDefKeyLike != "" {
		add(`t.task_id LIKE ? ESCAPE '\'`, likeFilter(f.TaskDefKeyLike))
	}
	if f.InstanceID != 0 {
		add(`t.workflow_inst_uid = ?`, f.InstanceID)
	}
	if f.ProcessID != "" {
		add(`t.workflow_id = ?`, f.ProcessID)
		if f.Version != 0 {
			add(`(SELECT workflow_version FROM workflow_inst WHERE uid = t.workflow_inst_uid) = ?`, f.Version)
		}
	}
	for _, c := range []struct {
		v    int64
		cond string
	}{{f.CreatedOn, `t.create_at = ?`}, {f.CreatedBefore, `t.create_at < ?`}, {f.CreatedAfter, `t.create_at > ?`},
		{f.DueOn, `t.due_at = ?`}, {f.DueBefore, `t.due_at <> 0 AND t.due_at < ?`}, {f.DueAfter, `t.due_at > ?`}} {
		if c.v != 0 {
			add(c.cond, c.v)
		}
	}
	if f.WithoutDueDate {
		add(`t.due_at = 0`)
	}
	if f.Active != nil {
		op := "<>"
		if !*f.Active {
			op = "="
		}
		add(`(SELECT status FROM workflow_inst WHERE uid = t.workflow_inst_uid) `+op+` ?`, engine.StatusSuspended)
	}
	if f.TenantID != "" {
		add(`t.tenant_id = ?`, f.TenantID)
	}
	if f.TenantIDLike != "" {
		add(`t.tenant_id LIKE ? ESCAPE '\'`, likeFilter(f.TenantIDLike))
	}
	if f.WithoutTenantID {
		add(`t.tenant_id = ''`)
	}
	if f.CandidateOrAssigned != "" {
		involved(f.CandidateOrAssigned, f.CandidateOrAssignedGroups, false)
		add(`(t.assignee = ? OR t.assignee = '')`, f.CandidateOrAssigned)
	}
	if f.Category != "" {
		add(`t.category = ?`, f.Category)
	}
	if f.ExcludeSubTasks {
		add(`t.parent_task_id = 0`)
	}
	if f.VisibleTo != "" {
		involved(f.VisibleTo, f.VisibleGroups, true)
	}
	q.from = `task_inst t WHERE ` + strings.Join(where, " AND ")
	return listPage(ctx, d.read, q, f.Page, scanTaskRows)
}
