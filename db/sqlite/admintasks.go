package sqlite

import (
	"context"
	"fmt"
	"strings"

	"flowcraft/engine"
)

// AdminTasks implements engine.HumanTaskStore: every open task, narrowed by the
// filter's fields.
func (d *Store) AdminTasks(ctx context.Context, f engine.AdminTaskFilter) ([]*engine.HumanTask, int, error) {
	q := listQuery{op: "list open tasks", columns: prefixed("t.", taskColumns), order: inboxSorts}
	q.order.defaultDesc = true
	q.order.byDefault = "createAt"
	q.from = `task_inst t WHERE t.status = 'open'`
	if f.User != "" {
		q.from += ` AND (t.assignee = ? OR EXISTS (SELECT 1 FROM identity_link l WHERE l.task_inst_id = t.id AND l.user_id = ? AND l.user_id <> '')`
		q.args = append(q.args, f.User, f.User)
		if len(f.UserGroups) > 0 {
			q.from += ` OR EXISTS (SELECT 1 FROM identity_link l WHERE l.task_inst_id = t.id AND l.group_id IN (` +
				strings.TrimSuffix(strings.Repeat("?,", len(f.UserGroups)), ",") + `) AND l.group_id <> '')`
			for _, g := range f.UserGroups {
				q.args = append(q.args, g)
			}
		}
		q.from += `)`
	}
	if f.Group != "" {
		q.from += ` AND EXISTS (SELECT 1 FROM identity_link l WHERE l.task_inst_id = t.id AND l.group_id = ? AND l.group_id <> '')`
		q.args = append(q.args, f.Group)
	}
	if f.ProcessID != "" {
		q.from += ` AND t.workflow_id = ?`
		q.args = append(q.args, f.ProcessID)
	}
	if f.Overdue {
		q.from += ` AND t.due_at > 0 AND t.due_at < ?`
		q.args = append(q.args, f.Now)
	}
	if f.Orphaned {
		q.from += ` AND t.assignee <> '' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.assignee AND u.disabled = 0)`
	}
	return listPage(ctx, d.read, q, f.Page, scanTaskRows)
}

// doneSearch adds the done list's search (business key, variable conditions, end
// time range, outcome) to a query over task_inst t.
func doneSearch(q *listQuery, f engine.InboxFilter) error {
	if f.BusinessKey != "" {
		q.from += ` AND EXISTS (SELECT 1 FROM workflow_inst w WHERE w.uid = t.workflow_inst_uid AND w.business_key = ? AND w.business_key <> '')`
		q.args = append(q.args, f.BusinessKey)
	}
	vc, err := engine.CheckVarConditions(f.Variables)
	if err != nil {
		return fmt.Errorf("%s: %w", q.op, err)
	}
	for _, c := range vc {
		part, args := varCondSQL(c, "v")
		q.from += ` AND EXISTS (SELECT 1 FROM variable v WHERE v.workflow_inst_uid = t.workflow_inst_uid AND ` + part + `)`
		q.args = append(q.args, args...)
	}
	if f.EndedAfter > 0 {
		q.from += ` AND t.end_at >= ?`
		q.args = append(q.args, f.EndedAfter)
	}
	if f.EndedBefore > 0 {
		q.from += ` AND t.end_at <= ?`
		q.args = append(q.args, f.EndedBefore)
	}
	if f.Outcome != "" {
		q.from += ` AND t.outcome = ?`
		q.args = append(q.args, f.Outcome)
	}
	return nil
}
