// Package deploy stores what a BPMN import produced (bpmn.Result) as definitions, for
// the native API (POST /api/process/import) and Flowable's deployments alike: every
// process is checked before any is stored, call activities that name a process of
// the same file are pointed at the definition made from it, and a failure takes back
// what the request created, so an import stores all of its processes or none.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"flowcraft/bpmn"
	"flowcraft/engine"
)

// Definitions is what storing needs (engine.Definitions).
type Definitions interface {
	// Check normalizes and validates a definition as Create would, storing nothing.
	Check(p *engine.Process) error
	Create(ctx context.Context, p *engine.Process, creator string) (*engine.Process, error)
	Get(ctx context.Context, id string) (*engine.Process, error)
	Replace(ctx context.Context, id string, p *engine.Process, by string) (*engine.Process, error)
	Delete(ctx context.Context, id string, cascade bool, by string) error
	AddStarter(ctx context.Context, id string, s engine.Starter, by string) (engine.Starter, error)
}

// Options steer Save.
type Options struct {
	// By is the caller: the creator of new definitions.
	By string
	// TenantID, when not "", is the tenant of every new definition.
	TenantID string
	// Upsert makes a process whose id names an existing definition that definition's
	// next version (Flowable's deployments: the same key deploys a new version);
	// without it every process becomes a new definition.
	Upsert bool
}

// Saved is one stored definition.
type Saved struct {
	BPMNID   string          // the BPMN process element's id
	Process  *engine.Process // as stored
	Replaced bool            // a new version of an existing definition (Upsert)
}

// subprocessTemplate is the template call activities map to; its processId
// parameter names the process to start.
const subprocessTemplate = "subprocess"

// Save stores the processes of res in the order of res.Processes and answers them in
// that order. Nothing is stored when one of them is invalid (the problems of every
// process, each naming its BPMN id); when storing fails half way, the definitions
// this call created are deleted again (new versions of existing ones stay, as they
// would for any other deployment).
func Save(ctx context.Context, defs Definitions, res *bpmn.Result, opts Options) ([]Saved, error) {
	if res == nil || len(res.Processes) == 0 {
		return nil, engine.Coded(engine.ErrInvalid, engine.CodeBPMNNothing, nil, "the document holds no executable process")
	}
	n := len(res.Processes)
	byBPMN := make(map[string]int, n)
	for i, imp := range res.Processes {
		if imp.Process == nil {
			return nil, engine.Coded(engine.ErrInvalid, engine.CodeBPMNNothing, nil, "process %s: nothing was mapped", imp.BPMNID)
		}
		if imp.BPMNID != "" {
			byBPMN[imp.BPMNID] = i
		}
	}

	// Which existing definitions are replaced (Upsert), and the tenant of the others.
	current := make([]*engine.Process, n)
	for i, imp := range res.Processes {
		p := imp.Process
		if opts.Upsert && p.ID != "" {
			cur, err := defs.Get(ctx, p.ID)
			switch {
			case err == nil:
				if opts.TenantID != "" && opts.TenantID != cur.TenantID {
					return nil, engine.Coded(engine.ErrInvalid, engine.CodeBPMNOtherTenant,
						engine.Params{"process": imp.BPMNID, "definition": cur.ID, "tenant": cur.TenantID, "want": opts.TenantID},
						"process %s: definition %s belongs to tenant %q; it cannot be deployed to tenant %q", imp.BPMNID, cur.ID, cur.TenantID, opts.TenantID)
				}
				current[i] = cur
				p.TenantID = cur.TenantID
				p.Version = cur.Version
			case !errors.Is(err, engine.ErrNotFound):
				return nil, err
			}
		}
		if current[i] == nil {
			p.ID = ""
			if opts.TenantID != "" {
				p.TenantID = opts.TenantID
			}
		}
	}

	// Calls between the processes of the file: task -> the index of the called process.
	calls := make([]map[*engine.Task]int, n)
	for i, imp := range res.Processes {
		calls[i] = map[*engine.Task]int{}
		for _, t := range imp.Process.Tasks {
			if t == nil || t.Template != subprocessTemplate {
				continue
			}
			called, ok := imp.CalledElements[t.InstID]
			if !ok {
				called = calledElement(t)
			}
			if j, ok := byBPMN[called]; ok {
				calls[i][t] = j
			}
		}
	}
	order, err := calleesFirst(res, calls)
	if err != nil {
		return nil, err
	}

	// Check every process before storing any.
	var problems []engine.FieldError
	for _, imp := range res.Processes {
		err := defs.Check(imp.Process)
		if err == nil {
			continue
		}
		var ve *engine.ValidationError
		if !errors.As(err, &ve) {
			var ce *engine.Error
			if errors.As(err, &ce) {
				return nil, &engine.Error{Kind: ce.Kind, Code: ce.Code, Params: withProcess(ce.Params, imp.BPMNID),
					Message: fmt.Sprintf("process %s: %s", imp.BPMNID, ce.Message)}
			}
			return nil, fmt.Errorf("process %s: %w", imp.BPMNID, err)
		}
		for _, p := range ve.Problems {
			p.Params = withProcess(p.Params, imp.BPMNID)
			p.Message = fmt.Sprintf("process %s: %s", imp.BPMNID, p.Message)
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, &engine.ValidationError{Problems: problems}
	}

	out := make([]Saved, n)
	var made []string // ids of the definitions created so far
	undo := func() {
		bg := context.WithoutCancel(ctx)
		for _, id := range made {
			_ = defs.Delete(bg, id, true, opts.By)
		}
	}
	for _, i := range order {
		imp := res.Processes[i]
		p := imp.Process
		for t, j := range calls[i] {
			t.Parameters["processId"].Value = out[j].Process.ID
		}
		var stored *engine.Process
		if cur := current[i]; cur != nil {
			stored, err = defs.Replace(ctx, cur.ID, p, opts.By)
		} else {
			stored, err = defs.Create(ctx, p, opts.By)
		}
		if err != nil {
			undo()
			return nil, err
		}
		if current[i] == nil {
			made = append(made, stored.ID)
		}
		out[i] = Saved{BPMNID: imp.BPMNID, Process: stored, Replaced: current[i] != nil}
	}
	for i, imp := range res.Processes {
		for _, s := range starters(imp) {
			if _, err := defs.AddStarter(ctx, out[i].Process.ID, s, opts.By); err != nil {
				undo()
				return nil, err
			}
		}
	}
	return out, nil
}

// calledPrefix marks a subprocess task's processId that names a BPMN process of
// the document ("bpmn:<id>") rather than a definition.
const calledPrefix = "bpmn:"

// calledElement is the BPMN process a subprocess task calls when Imported's
// CalledElements does not say: its processId without the "bpmn:" prefix.
func calledElement(t *engine.Task) string {
	p := t.Parameters["processId"]
	if p == nil {
		return ""
	}
	s, _ := p.Value.(string)
	return strings.TrimPrefix(s, calledPrefix)
}

// calleesFirst orders the processes so that each comes after those it calls, keeping
// the document's order otherwise; a cycle (which Import refuses) is an error.
func calleesFirst(res *bpmn.Result, calls []map[*engine.Task]int) ([]int, error) {
	n := len(calls)
	state := make([]int, n) // 0 new, 1 visiting, 2 done
	order := make([]int, 0, n)
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 1:
			id := res.Processes[i].BPMNID
			return engine.Coded(engine.ErrInvalid, engine.CodeBPMNCallCycle, engine.Params{"cycle": id + " → … → " + id},
				"process %s calls itself through its call activities", id)
		case 2:
			return nil
		}
		state[i] = 1
		callees := make([]int, 0, len(calls[i]))
		for _, j := range calls[i] {
			callees = append(callees, j)
		}
		sort.Ints(callees)
		for _, j := range callees {
			if err := visit(j); err != nil {
				return err
			}
		}
		state[i] = 2
		order = append(order, i)
		return nil
	}
	for i := range n {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// withProcess adds the BPMN process id to the params of a message.
func withProcess(p engine.Params, bpmnID string) engine.Params {
	out := engine.Params{"process": bpmnID}
	for k, v := range p {
		if k != "process" {
			out[k] = v
		}
	}
	return out
}

// starters are the candidate starters of an imported process (users, then groups).
func starters(imp bpmn.Imported) []engine.Starter {
	var meta map[string]json.RawMessage
	if len(imp.Process.Metadata) == 0 || json.Unmarshal(imp.Process.Metadata, &meta) != nil {
		return nil
	}
	var cs struct {
		Users  []string `json:"users"`
		Groups []string `json:"groups"`
	}
	if raw, ok := meta[bpmn.MetaCandidateStarters]; !ok || json.Unmarshal(raw, &cs) != nil {
		return nil
	}
	var out []engine.Starter
	for _, u := range cs.Users {
		if u != "" {
			out = append(out, engine.Starter{UserID: u})
		}
	}
	for _, g := range cs.Groups {
		if g != "" {
			out = append(out, engine.Starter{GroupID: g})
		}
	}
	return out
}
