package engine

import (
	"context"
	"errors"
)

// AdminTaskFilter selects open human tasks for an admin (GET /api/admin/taskInsts):
// every open task, narrowed by the fields that are set.
type AdminTaskFilter struct {
	User      string // assigned to this user, or the user a candidate (directly or by a group)
	Group     string // the group a candidate group
	ProcessID string
	Overdue   bool  // a due time before Now
	Orphaned  bool  // assigned to a user who left (disabled or deleted)
	Now       int64 // unix ms; set by Approvals.AdminTasks
	// UserGroups are User's groups, set by Approvals.AdminTasks (none for a user who
	// was deleted).
	UserGroups []string
	Page
}

// Why an assignee no longer acts on a task (AdminTask.Left).
const (
	LeftDisabled = "disabled"
	LeftDeleted  = "deleted"
)

// AdminTask is an open task as the admin's list shows it: Left is set when its
// assignee has left (LeftDisabled, LeftDeleted) — such a task waits for no one
// until an admin reassigns it or returns it to its candidates.
type AdminTask struct {
	*HumanTask
	Left string `json:"left,omitempty"`
}

// AdminTasks lists every open task (admins only), each flagged when its assignee
// has left.
func (a *Approvals) AdminTasks(ctx context.Context, u *User, f AdminTaskFilter) ([]AdminTask, int, error) {
	if !u.HasRole(RoleAdmin) {
		return nil, 0, Coded(ErrForbidden, CodeAdminOnly, nil, "only admins may list every task")
	}
	f.Now, f.UserGroups = nowMs(a.now), nil
	if f.User != "" {
		other, err := a.dir.GetUser(ctx, f.User)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, 0, err
		}
		if other != nil {
			f.UserGroups = other.Groups
		}
	}
	tasks, total, err := a.tasks.AdminTasks(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]AdminTask, len(tasks))
	left := map[string]string{}
	for i, t := range tasks {
		out[i].HumanTask = t
		if t.Assignee == "" {
			continue
		}
		why, seen := left[t.Assignee]
		if !seen {
			if why, err = a.leftReason(ctx, t.Assignee); err != nil {
				return nil, 0, err
			}
			left[t.Assignee] = why
		}
		out[i].Left = why
	}
	return out, total, nil
}

// leftReason tells whether a user has left: LeftDeleted, LeftDisabled or "".
func (a *Approvals) leftReason(ctx context.Context, id string) (string, error) {
	other, err := a.dir.GetUser(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return LeftDeleted, nil
	case err != nil:
		return "", err
	case other.Disabled:
		return LeftDisabled, nil
	}
	return "", nil
}

// Reassign gives an open task to another user (admins only), or, with to empty,
// returns it to its candidates. Any claim or pending delegation ends: the new
// assignee acts on it alone. The user must exist and be enabled. This is how a task
// of someone who left stops blocking its instance.
func (a *Approvals) Reassign(ctx context.Context, u *User, id ID, to, comment string) (*HumanTask, error) {
	if !u.HasRole(RoleAdmin) {
		return nil, Coded(ErrForbidden, CodeAdminOnly, nil, "only admins may reassign a task")
	}
	if len([]rune(comment)) > 4000 {
		return nil, InvalidField("comment", CodeTooLong, Params{"max": 4000}, "comment is longer than 4000 characters")
	}
	if to != "" {
		why, err := a.leftReason(ctx, to)
		if err != nil {
			return nil, err
		}
		switch why {
		case LeftDeleted:
			return nil, InvalidField("assignee", CodeUnknownUser, Params{"user": to}, "unknown user %q", to)
		case LeftDisabled:
			return nil, InvalidField("assignee", CodeUserDisabled, Params{"user": to}, "user %q is disabled and cannot be given a task", to)
		}
	}
	return a.changeTask(ctx, u, id, func(t *HumanTask) error {
		if to == "" {
			if len(t.CandidateUsers) == 0 && len(t.CandidateGroups) == 0 {
				return Coded(ErrConflict, CodeNoCandidates, nil, "task %s was assigned directly and has no candidates to go back to; reassign it to a user instead", id)
			}
			if t.Assignee == "" && t.Delegation == "" {
				return Coded(ErrConflict, CodeNotClaimed, nil, "task %s is with its candidates already", id)
			}
		} else if t.Assignee == to && t.Delegation == "" {
			return Coded(ErrConflict, CodeAlreadyAssigned, Params{"assignee": to}, "task %s is assigned to %s already", id, to)
		}
		at := nowMs(a.now)
		t.Assignee, t.Owner, t.Delegation, t.ClaimAt = to, "", "", 0
		if to != "" {
			t.ClaimAt = at
		}
		t.History = append(t.History, TaskEvent{User: u.ID, Action: "reassign", To: to, Comment: comment, At: at})
		return nil
	})
}
