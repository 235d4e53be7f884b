package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"flowcraft/engine/templates"
)

// Approval modes (DESIGN §3): 或签, 会签, 依次.
const (
	ModeAny        = "any"
	ModeAll        = "all"
	ModeSequential = "sequential"
)

// ApprovalState is what an approval runtime remembers between decisions.
type ApprovalState struct {
	Mode       string   `json:"mode"`
	RejectRule string   `json:"rejectRule,omitempty"` // all: veto (default) or majority
	People     []string `json:"people,omitempty"`     // all/sequential: who decides, in order
	Outcomes   []string `json:"outcomes"`
}

// Approvals is the approval service: it creates the human tasks of approval runtimes
// and serves the people who work them (inbox, claim, unclaim, delegate, resolve,
// complete). A decision that meets the approval's rule finishes the runtime through
// the flow (the Runtime), in the same step.
type Approvals struct {
	tasks  HumanTaskStore
	dir    Directory
	ids    *IDGen
	events *Events
	now    func() time.Time
	log    *slog.Logger
	flow   approvalFlow
}

// approvalFlow is what the approval service needs from the runtime: work on an
// instance's actor, and the step operations of an approval runtime.
type approvalFlow interface {
	act(ctx context.Context, id ID, fn func(ctx context.Context, st *instState) error) error
	commit(ctx context.Context, s *step) error
	complete(ctx context.Context, s *step, t *ctask, n *NodeRun, status string, out any) error
	fail(ctx context.Context, s *step, t *ctask, n *NodeRun, runs []*NodeRun, cause error) error
	taskTimeout(s *step, t *ctask, n *NodeRun)
}

// approvalDeps are the collaborators of the approval service.
type approvalDeps struct {
	Tasks     HumanTaskStore
	Directory Directory
	IDs       *IDGen
	Events    *Events
	Now       func() time.Time // default time.Now
	Log       *slog.Logger
	Flow      approvalFlow
}

// newApprovals returns the approval service; NewRuntime makes one (Runtime.Approvals).
func newApprovals(d approvalDeps) *Approvals {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Approvals{tasks: d.Tasks, dir: d.Directory, ids: d.IDs, events: d.Events, now: d.Now,
		log: d.Log.With("subsystem", "approvals"), flow: d.Flow}
}

// publish announces a changed task.
func (a *Approvals) publish(t *HumanTask) {
	cp := *t
	a.events.Publish(Event{Type: EventTask, ProcessID: t.ProcessID, InstanceID: t.InstanceID, Task: &cp})
}

// begin creates the human tasks of an approval runtime, which waits for them.
func (a *Approvals) begin(ctx context.Context, s *step, t *ctask, n *NodeRun, params map[string]any) error {
	st := s.st
	mode := stringParam(params, "mode", ModeAny)
	outcomes := stringsParam(params["outcomes"])
	if len(outcomes) == 0 {
		outcomes = []string{"approve", "reject"}
	}
	users, candUsers, candGroups := stringsParam(params["assignees"]), stringsParam(params["candidateUsers"]), stringsParam(params["candidateGroups"])
	var form []FormField
	if raw, ok := params["form"]; ok && raw != nil {
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &form); err != nil {
			return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("form: %w", err))
		}
		// A form computed at run time may name a field after a reserved key of the
		// submit body, which validation refuses in a static form.
		for _, f := range form {
			if ReservedFormKey(f.Key) {
				return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("form: a field may not be named %q (a reserved key of the submit body)", f.Key))
			}
		}
	}
	now := nowMs(a.now)
	base := HumanTask{
		NodeID: n.ID, InstanceID: st.inst.ID, ProcessID: st.inst.ProcessID, ProcessName: st.inst.Name, TaskID: t.InstID,
		Name: t.Name, Content: stringParam(params, "content", ""), Form: form, Outcomes: outcomes, Status: TaskOpen,
		Priority: 50, CreateAt: now, History: []TaskEvent{}, CandidateUsers: []string{}, CandidateGroups: []string{},
		TenantID: st.inst.TenantID,
	}
	if p, ok := params["priority"].(float64); ok {
		base.Priority = int(min(max(p, 0), 100))
	}
	if d, ok := params["dueIn"]; ok && !templates.IsUnset(d) {
		due, err := templates.ParseDuration(d)
		if err != nil {
			return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("dueIn: %w", err))
		}
		base.DueAt = now + due.Milliseconds()
	}
	state := &ApprovalState{Mode: mode, Outcomes: outcomes}
	var tasks []*HumanTask
	switch mode {
	case ModeAny:
		task := base
		if len(users) == 1 && len(candUsers) == 0 && len(candGroups) == 0 {
			task.Assignee = users[0]
		} else {
			task.CandidateUsers = dedupe(append(append([]string{}, users...), candUsers...))
			task.CandidateGroups = dedupe(candGroups)
		}
		if task.Assignee == "" && len(task.CandidateUsers) == 0 && len(task.CandidateGroups) == 0 {
			return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("the approval has nobody to decide: set assignees, candidateUsers or candidateGroups"))
		}
		tasks = append(tasks, &task)
	case ModeAll, ModeSequential:
		people := append(append([]string{}, users...), candUsers...)
		for _, g := range candGroups {
			members, err := a.dir.ListMembers(ctx, g)
			if err != nil {
				return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("candidate group %s: %w", g, err))
			}
			for _, m := range members {
				people = append(people, m.ID)
			}
		}
		people = dedupe(people)
		if len(people) == 0 {
			return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("the approval has nobody to decide: its users and groups are empty"))
		}
		state.People = people
		state.RejectRule = stringParam(params, "rejectRule", "veto")
		count := len(people)
		if mode == ModeSequential {
			count = 1
		}
		for i := range count {
			task := base
			task.Assignee, task.Seq = people[i], i
			tasks = append(tasks, &task)
		}
	default:
		return a.flow.fail(ctx, s, t, n, nil, fmt.Errorf("unknown approval mode %q", mode))
	}
	for _, task := range tasks {
		task.ID = ID(a.ids.Next())
		s.tasks = append(s.tasks, task)
	}
	n.Status, n.UpdateAt = StatusWaiting, now
	n.Detail.Approval = state
	s.touch(n)
	a.flow.taskTimeout(s, t, n)
	return a.flow.commit(ctx, s)
}

// decide records a decision on task (done by u) and, when the mode's rule is met,
// finishes the approval with its output and routes on — all in one step.
func (a *Approvals) decide(ctx context.Context, st *instState, task *HumanTask, u *User, in TaskInput) (*HumanTask, error) {
	n := st.node(task.NodeID)
	if n == nil || n.Status != StatusWaiting || n.Detail == nil || n.Detail.Approval == nil {
		return nil, Coded(ErrConflict, CodeApprovalClosed, nil, "the approval of task %s no longer waits for decisions", task.ID)
	}
	t := st.def.tasks[n.TaskID]
	now := nowMs(a.now)
	task.Status, task.Outcome, task.Comment, task.FormData = TaskDone, in.Outcome, in.Comment, in.Form
	task.CompletedBy, task.EndAt = u.ID, now
	if task.Assignee == "" {
		task.Assignee, task.ClaimAt = u.ID, now
	}
	task.History = append(task.History, TaskEvent{User: u.ID, Action: "complete", Outcome: in.Outcome, Comment: in.Comment, At: now})
	s := st.newStep()
	s.tasks = append(s.tasks, task)

	all, err := a.tasks.HumanTasksOfNodes(ctx, []ID{n.ID})
	if err != nil {
		return nil, err
	}
	for i, x := range all {
		if x.ID == task.ID {
			all[i] = task
		}
	}
	state := n.Detail.Approval
	pass := state.Outcomes[0]
	finished, outcome := false, in.Outcome
	switch state.Mode {
	case ModeAny:
		finished = true
	case ModeAll:
		open := 0
		for _, x := range all {
			if x.Status == TaskOpen {
				open++
			}
		}
		switch {
		case state.RejectRule != "majority" && in.Outcome != pass:
			finished = true // veto
		case open == 0:
			finished, outcome = true, tally(all, state.Outcomes)
		}
	case ModeSequential:
		next := task.Seq + 1
		if in.Outcome != pass || next >= len(state.People) {
			finished = true
			break
		}
		nt := *task
		nt.ID, nt.Assignee, nt.Seq, nt.Status = ID(a.ids.Next()), state.People[next], next, TaskOpen
		nt.Outcome, nt.Comment, nt.FormData, nt.CompletedBy, nt.EndAt, nt.ClaimAt = "", "", nil, "", 0, 0
		nt.History, nt.CreateAt, nt.Rev = []TaskEvent{}, now, 0
		s.tasks = append(s.tasks, &nt)
	}
	if !finished {
		if err := a.flow.commit(ctx, s); err != nil {
			return nil, err
		}
		return task, nil
	}
	var decisions []Decision
	for _, x := range all {
		if x.Status == TaskDone {
			decisions = append(decisions, Decision{User: x.CompletedBy, Outcome: x.Outcome, Comment: x.Comment, At: x.EndAt})
		}
	}
	sort.SliceStable(decisions, func(i, j int) bool { return decisions[i].At < decisions[j].At })
	form := in.Form
	if form == nil {
		form = map[string]any{}
	}
	output := map[string]any{"outcome": outcome, "comment": in.Comment, "form": form, "decisions": decisions}
	// payloadAsVariables (BPMN imports set it): the form's values become process
	// variables too, as completing a Camunda or Flowable user task sets them.
	if st.def.p.PayloadAsVariables && len(form) > 0 {
		vars := maps.Clone(st.vars)
		if vars == nil {
			vars = map[string]any{}
		}
		maps.Copy(vars, form)
		st.setVars(vars)
	}
	// Open tasks of the approval are canceled by the store when the runtime stops waiting.
	if err := a.flow.complete(ctx, s, t, n, StatusDone, output); err != nil {
		return nil, err
	}
	return task, nil
}

// tally picks the outcome most decisions chose; a tie goes against the first (passing)
// outcome.
func tally(tasks []*HumanTask, outcomes []string) string {
	votes := map[string]int{}
	for _, x := range tasks {
		if x.Status == TaskDone {
			votes[x.Outcome]++
		}
	}
	best, bestVotes := outcomes[0], -1
	for i, o := range outcomes {
		v := votes[o]
		if v > bestVotes || (v == bestVotes && i > 0 && best == outcomes[0]) {
			best, bestVotes = o, v
		}
	}
	return best
}

func stringParam(params map[string]any, key, def string) string {
	if s, ok := params[key].(string); ok && s != "" {
		return s
	}
	return def
}

// stringsParam reads a list of strings (or one comma-separated string).
func stringsParam(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, x...)
	case string:
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func dedupe(list []string) []string {
	out := []string{}
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
