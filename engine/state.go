package engine

import (
	"maps"
	"reflect"

	"flowcraft/scripting"
)

// instState is an instance held in memory by its actor while it runs.
type instState struct {
	inst  *Instance
	def   *compiled
	nodes []*NodeRun     // every runtime, in creation order
	vars  map[string]any // what scripts see: typed's ScriptValues
	// typed holds each variable with its type (and, until the next commit, the
	// content of a binary one just written).
	typed map[string]*Variable
	// outputs is the latest output of every finished task, by task id.
	outputs map[string]any
	// nodesView is outputs as scripts see it (`nodes["id"].output`), and instanceView
	// the `instance` object; both kept up to date instead of rebuilt for every call.
	nodesView    map[string]any
	instanceView map[string]any
	// execs counts executions of each task, to group loop iterations.
	execs map[string]int
	// lastDone is the task that finished last, whose output becomes the instance's output
	// when no end task sets one.
	lastDone string
	// varsDirty names the variables set or deleted since the last commit.
	varsDirty map[string]bool
	// fast instances run in memory and are written once, when they end.
	fast bool
	idem *IdemKey
	// yield, set by the actor, reports commands waiting for it; drive returns then.
	yield func() bool
	// afterCommit, when set, is called once after the next successful commit.
	afterCommit func()
	// broken: a step or command changed the state and did not commit; it must be
	// read again from the store before it is used or kept (idlestates.go).
	broken bool
}

// setVars replaces the variables with next (as a script returned them), marking what
// changed for the next commit. A changed variable keeps its declared type when the
// new value fits it, else its type is inferred again (refit).
func (st *instState) setVars(next map[string]any) {
	if st.varsDirty == nil {
		st.varsDirty = map[string]bool{}
	}
	changed := map[string]*Variable{}
	for k, v := range next {
		if old, ok := st.vars[k]; !ok || !reflect.DeepEqual(old, v) {
			st.varsDirty[k] = true
			changed[k] = refit(k, st.typed[k], v)
		}
	}
	for k := range st.vars {
		if _, ok := next[k]; !ok {
			st.varsDirty[k] = true
			delete(st.typed, k)
		}
	}
	st.vars = maps.Clone(next)
	for k, v := range changed {
		st.typed[k] = v
		st.vars[k] = v.ScriptValue()
	}
}

// mergeVarsIn sets (creates or replaces) typed variables, keeping the others.
func (st *instState) mergeVarsIn(vars []*Variable) {
	if st.varsDirty == nil {
		st.varsDirty = map[string]bool{}
	}
	if len(vars) > 0 {
		st.vars = maps.Clone(st.vars) // a script's Result may share the map
	}
	for _, v := range vars {
		st.typed[v.Name] = v
		st.vars[v.Name] = v.ScriptValue()
		st.varsDirty[v.Name] = true
	}
}

// deleteVar removes a variable.
func (st *instState) deleteVar(name string) {
	if st.varsDirty == nil {
		st.varsDirty = map[string]bool{}
	}
	st.vars = maps.Clone(st.vars)
	delete(st.vars, name)
	delete(st.typed, name)
	st.varsDirty[name] = true
}

// mergeVars applies the changes another state (a parallel loop iteration) made.
func (st *instState) mergeVars(from *instState) {
	if st.varsDirty == nil {
		st.varsDirty = map[string]bool{}
	}
	for k := range from.varsDirty {
		if v, ok := from.vars[k]; ok {
			st.vars[k] = v
			st.typed[k] = from.typed[k]
		} else {
			delete(st.vars, k)
			delete(st.typed, k)
		}
		st.varsDirty[k] = true
	}
}

func newState(in *Instance, def *compiled, nodes []*NodeRun, vars map[string]*Variable) *instState {
	st := &instState{inst: in, def: def, nodes: nodes, vars: make(map[string]any, len(vars)), typed: vars,
		outputs: map[string]any{}, nodesView: map[string]any{}, execs: map[string]int{}}
	if st.typed == nil {
		st.typed = map[string]*Variable{}
	}
	for k, v := range st.typed {
		st.vars[k] = v.ScriptValue()
	}
	// Rebuild outputs: a loop's output is the array of its iterations of the latest execution.
	type loopKey struct {
		task string
		exec int
	}
	loops := map[loopKey][]*NodeRun{}
	for _, n := range nodes {
		exec := 0
		if n.Detail != nil {
			exec = n.Detail.Exec
		}
		if exec > st.execs[n.TaskID] {
			st.execs[n.TaskID] = exec
		}
		if n.Status != StatusDone && n.Status != StatusSkipped && n.Status != StatusFailed {
			continue
		}
		if n.Detail != nil && n.Detail.LoopSize > 0 {
			k := loopKey{n.TaskID, exec}
			loops[k] = append(loops[k], n)
			if len(loops[k]) == n.Detail.LoopSize {
				out := make([]any, n.Detail.LoopSize)
				for _, it := range loops[k] {
					if it.Index < len(out) {
						out[it.Index] = it.Output
					}
				}
				st.setOutput(n.TaskID, out)
			}
			continue
		}
		st.setOutput(n.TaskID, n.Output)
	}
	return st
}

// setOutput records the latest output of a task (and that it finished last).
func (st *instState) setOutput(taskID string, out any) {
	st.outputs[taskID] = out
	st.nodesView[taskID] = map[string]any{"output": out}
	st.lastDone = taskID
}

// nextPending returns the oldest runnable runtime and the number of live tokens
// (pending, running or waiting runtimes).
func (st *instState) nextPending() (*NodeRun, int) {
	var next *NodeRun
	live := 0
	for _, n := range st.nodes {
		switch n.Status {
		case StatusPending:
			if next == nil {
				next = n
			}
			live++
		case StatusRunning, StatusWaiting:
			live++
		}
	}
	return next, live
}

// hasPendingOrJoin reports a runnable runtime or a join that waits for arrivals
// (which settleJoins may still fire).
func (st *instState) hasPendingOrJoin() bool {
	for _, n := range st.nodes {
		if n.Status == StatusPending {
			return true
		}
		if n.Status == StatusWaiting && n.Detail != nil && n.Detail.Arrived != nil {
			return true
		}
	}
	return false
}

// finalOutput is the output of an instance that ends done: its end task's, else the
// last task's to finish.
func (st *instState) finalOutput() any {
	if st.inst.Output == nil && st.lastDone != "" {
		return st.outputs[st.lastDone]
	}
	return st.inst.Output
}

// live returns the runtimes that still hold a token: pending, running or waiting.
func (st *instState) live() []*NodeRun {
	var out []*NodeRun
	for _, n := range st.nodes {
		switch n.Status {
		case StatusPending, StatusRunning, StatusWaiting:
			out = append(out, n)
		}
	}
	return out
}

// node finds a runtime by id.
func (st *instState) node(id ID) *NodeRun {
	for i := len(st.nodes) - 1; i >= 0; i-- {
		if st.nodes[i].ID == id {
			return st.nodes[i]
		}
	}
	return nil
}

// scope builds what scripts and expressions see.
func (st *instState) scope(input any, item any, index int, inLoop bool) scripting.Scope {
	if st.instanceView == nil {
		st.instanceView = map[string]any{
			"id": st.inst.ID.String(), "processId": st.inst.ProcessID,
			"startedBy": st.inst.Executor, "startedAt": st.inst.StartAt,
		}
	}
	return scripting.Scope{
		Input: input, Trigger: st.inst.Trigger, Vars: st.vars, Nodes: st.nodesView, Instance: st.instanceView,
		Item: item, Index: index, InLoop: inLoop,
	}
}

// step collects what one execution step writes.
type step struct {
	st      *instState
	touched []*NodeRun
	seen    map[*NodeRun]bool
	vars    map[string]*Variable
	deleted []string
	jobs    []*Job
	tasks   []*HumanTask
	// external are the external jobs the step inserts (Rev 0) or updates.
	external []*ExternalJob
	done     []ID
	drop     bool
	idem     *IdemKey
	isNew    bool
	// statusBefore lets commit publish a process event only on change.
	statusBefore string
}

func (st *instState) newStep() *step {
	return &step{st: st, seen: map[*NodeRun]bool{}, statusBefore: st.inst.Status}
}

// touch marks a runtime as written by this step (adding it to the state when new).
func (s *step) touch(n *NodeRun) {
	if s.seen[n] {
		return
	}
	s.seen[n] = true
	s.touched = append(s.touched, n)
	if n.Rev == 0 && !s.st.has(n) {
		s.st.nodes = append(s.st.nodes, n)
	}
}

func (st *instState) has(n *NodeRun) bool {
	for i := len(st.nodes) - 1; i >= 0; i-- {
		if st.nodes[i] == n {
			return true
		}
	}
	return false
}

func (s *step) toStore() *Step {
	nodes := make([]*NodeRun, len(s.touched))
	copy(nodes, s.touched)
	for k := range s.st.varsDirty {
		if v, ok := s.st.typed[k]; ok {
			if s.vars == nil {
				s.vars = map[string]*Variable{}
			}
			s.vars[k] = v
		} else {
			s.deleted = append(s.deleted, k)
		}
	}
	s.st.varsDirty = nil
	return &Step{Instance: s.st.inst, New: s.isNew, Nodes: nodes, Vars: s.vars, DeletedVars: s.deleted,
		Jobs: s.jobs, DoneJobs: s.done, DropJobs: s.drop, Idempotency: s.idem, HumanTasks: s.tasks,
		ExternalJobs: s.external}
}
