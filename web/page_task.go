package web

import (
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// The task page: one human task with its form, its history, its process
// context and what the caller may do with it.

// task handles GET /inbox/{task_inst_id}: the task with its form and process context.
func (p *pages) task(c *fiber.Ctx) error {
	u := caller(c)
	t, err := p.humanTask(c)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	d := ui.TaskData{Page: p.frame(c, t.Name), Task: taskRow(t, u, now), Outcomes: t.Outcomes}
	if d.Outcomes == nil {
		d.Outcomes = []string{}
	}
	form := t.Form
	if form == nil {
		form = []engine.FormField{}
	}
	if d.Form, err = json.Marshal(form); err != nil {
		return err
	}
	d.FormData = ui.KVs(anyMap(t.FormData))
	for _, h := range t.History {
		d.History = append(d.History, ui.TaskEntry{User: h.User, Action: h.Action, Outcome: h.Outcome, Comment: h.Comment, To: h.To, At: h.At})
	}
	if v, err := p.s.deps.Tasks.Describe(c.UserContext(), t.InstanceID); err == nil {
		x, err := p.s.redactionFor(c.UserContext(), u, v.ProcessID, v.Version)
		if err != nil {
			return err
		}
		in := x.Instance(v.Instance)
		d.Instance = ui.TaskInstance{ID: in.ID.String(), Status: in.Status, Executor: in.Executor, StartAt: in.StartAt,
			CanOpen: mayWatch(u, in) == nil}
		d.Trigger = ui.KVs(in.Trigger)
	} else if !errors.Is(err, engine.ErrNotFound) {
		return err
	}
	open := t.Status == engine.TaskOpen
	candidate := isCandidate(t, u)
	delegatedToMe := t.Delegation == engine.DelegationPending && t.Assignee == u.ID && t.Owner != u.ID
	d.CanResolve = open && delegatedToMe
	d.CanAct = open && t.MayAct(u) && !delegatedToMe
	d.CanClaim = open && t.Assignee == "" && candidate
	d.CanUnclaim = open && t.Assignee == u.ID && t.Delegation != engine.DelegationPending && (len(t.CandidateUsers) > 0 || len(t.CandidateGroups) > 0)
	d.CanDelegate = open && (t.Assignee == u.ID || (t.Assignee == "" && candidate)) && !delegatedToMe
	if d.CanDelegate {
		users, _, err := p.s.deps.Identity.ListUsers(c.UserContext(), "", engine.Page{Limit: maxPickList, Sort: "id"})
		if err == nil {
			for _, x := range users {
				if x.ID == u.ID || x.Disabled {
					continue
				}
				label := x.ID
				if x.Name != "" && x.Name != x.ID {
					label = x.Name + " (" + x.ID + ")"
				}
				d.Users = append(d.Users, ui.Option{Value: x.ID, Label: label})
			}
		}
	}
	return p.render(c, fiber.StatusOK, ui.TaskPage(d))
}

// isCandidate reports whether u is a candidate of t, directly or through a group.
func isCandidate(t *engine.HumanTask, u *engine.User) bool {
	if slices.Contains(t.CandidateUsers, u.ID) {
		return true
	}
	for _, g := range t.CandidateGroups {
		if slices.Contains(u.Groups, g) {
			return true
		}
	}
	return false
}

// anyMap turns a form's answers into a generic value for ui.KVs (nil stays nil).
func anyMap(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}
