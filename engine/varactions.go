package engine

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// Reading and writing an instance's process variables. Writes go through the
// instance's actor, like every other change, and are refused once the instance has
// ended (ErrConflict, instance_ended).

// Variables returns an instance's variables as scripts see them (the native API's
// plain JSON object; see Variable.ScriptValue).
func (r *Runtime) Variables(ctx context.Context, id ID) (map[string]any, error) {
	if st, ok := r.unwrittenState(id); ok {
		return maps.Clone(st.vars), nil
	}
	typed, err := r.store.Variables(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(typed))
	for k, v := range typed {
		out[k] = v.ScriptValue()
	}
	return out, nil
}

// ListVariables returns an instance's variables with their types, by name. Binary
// variables come without their content (VariableData reads it).
func (r *Runtime) ListVariables(ctx context.Context, id ID) ([]*Variable, error) {
	var typed map[string]*Variable
	if st, ok := r.unwrittenState(id); ok {
		typed = st.typed
	} else {
		var err error
		if typed, err = r.store.Variables(ctx, id); err != nil {
			return nil, err
		}
	}
	out := make([]*Variable, 0, len(typed))
	for _, v := range typed {
		cp := *v
		cp.Data = nil
		out = append(out, &cp)
	}
	slices.SortFunc(out, func(a, b *Variable) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// GetVariable returns one variable (a binary one without its content); ErrNotFound
// (unknown_variable) when the instance has none of that name.
func (r *Runtime) GetVariable(ctx context.Context, id ID, name string) (*Variable, error) {
	list, err := r.ListVariables(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, v := range list {
		if v.Name == name {
			return v, nil
		}
	}
	return nil, unknownVariable(id, name)
}

// VariableData returns one variable with a binary variable's content in Data (the
// seed's .../variables/{name}/data).
func (r *Runtime) VariableData(ctx context.Context, id ID, name string) (*Variable, error) {
	if st, ok := r.unwrittenState(id); ok {
		if v := st.typed[name]; v != nil && v.Data != nil {
			cp := *v
			return &cp, nil
		}
	}
	v, err := r.GetVariable(ctx, id, name)
	if err != nil || v.Type != VarBinary {
		return v, err
	}
	if v.Data, err = r.store.VariableData(ctx, id, name); err != nil {
		return nil, err
	}
	return v, nil
}

// SetVariables merges plain JSON values into an instance's variables (the native
// PUT): each named variable is created or replaced, the others stay. A replaced
// variable keeps its declared type when the new value fits it (as when a script
// changes it); new ones get the inferred type. Returns the variables afterwards, as
// Variables does.
func (r *Runtime) SetVariables(ctx context.Context, id ID, vars map[string]any) (map[string]any, error) {
	var out map[string]any
	err := r.writeVars(ctx, id, func(st *instState) error {
		typed := make([]*Variable, 0, len(vars))
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			if strings.TrimSpace(k) == "" {
				return InvalidField("name", CodeRequired, Params{"field": "name"}, "a variable needs a name")
			}
			typed = append(typed, refit(k, st.typed[k], vars[k]))
		}
		st.mergeVarsIn(typed)
		return nil
	}, func(st *instState) { out = maps.Clone(st.vars) })
	return out, err
}

// PutVariables creates or replaces typed variables (checked as NewVariable does),
// keeping the others: seed 003's PUT .../variables. Returns what was written.
func (r *Runtime) PutVariables(ctx context.Context, id ID, vars []Variable) ([]*Variable, error) {
	return r.putVariables(ctx, id, vars, putAny)
}

// CreateVariables creates typed variables: seed 003's POST .../variables. When the
// instance has one of them already, nothing is written and the error is ErrConflict
// (variable_exists).
func (r *Runtime) CreateVariables(ctx context.Context, id ID, vars []Variable) ([]*Variable, error) {
	return r.putVariables(ctx, id, vars, putNew)
}

// UpdateVariable replaces one existing variable (seed 003's PUT
// .../variables/{name}); ErrNotFound (unknown_variable) when there is none.
func (r *Runtime) UpdateVariable(ctx context.Context, id ID, v Variable) (*Variable, error) {
	out, err := r.putVariables(ctx, id, []Variable{v}, putExisting)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// DeleteVariable removes one variable; ErrNotFound (unknown_variable) when there is
// none.
func (r *Runtime) DeleteVariable(ctx context.Context, id ID, name string) error {
	return r.writeVars(ctx, id, func(st *instState) error {
		if _, ok := st.typed[name]; !ok {
			return unknownVariable(id, name)
		}
		st.deleteVar(name)
		return nil
	}, nil)
}

type putMode int

const (
	putAny      putMode = iota // create or replace
	putNew                     // create only
	putExisting                // replace only
)

func (r *Runtime) putVariables(ctx context.Context, id ID, vars []Variable, mode putMode) ([]*Variable, error) {
	typed, err := r.checkVariables(vars)
	if err != nil {
		return nil, err
	}
	out := make([]*Variable, len(typed))
	for i, v := range typed {
		cp := *v
		cp.Data = nil
		out[i] = &cp
	}
	err = r.writeVars(ctx, id, func(st *instState) error {
		for _, v := range typed {
			_, exists := st.typed[v.Name]
			switch {
			case mode == putNew && exists:
				return Coded(ErrConflict, CodeVariableExists, Params{"name": v.Name}, "instance %s has a variable %s already", id, v.Name)
			case mode == putExisting && !exists:
				return unknownVariable(id, v.Name)
			}
		}
		st.mergeVarsIn(typed)
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkVariables checks variables a client writes (NewVariable).
func (r *Runtime) checkVariables(vars []Variable) ([]*Variable, error) {
	typed := make([]*Variable, 0, len(vars))
	for _, v := range vars {
		t, err := NewVariable(v, r.opts.MaxBinaryVariable)
		if err != nil {
			return nil, err
		}
		typed = append(typed, t)
	}
	return typed, nil
}

// writeVars changes an instance's variables through its actor and commits; after,
// when not nil, reads the state once the change is written. Binary content is not
// kept in memory after the commit.
func (r *Runtime) writeVars(ctx context.Context, id ID, change func(st *instState) error, after func(st *instState)) error {
	return r.act(ctx, id, func(ctx context.Context, st *instState) error {
		if Ended(st.inst.Status) {
			return Coded(ErrConflict, CodeInstanceEnded, Params{"status": st.inst.Status}, "instance %s has ended (%s); its variables are read-only", id, st.inst.Status)
		}
		if err := change(st); err != nil {
			return err
		}
		s := st.newStep()
		err := r.commit(ctx, s)
		for k, v := range st.typed {
			if v.Data != nil {
				cp := *v
				cp.Data = nil
				st.typed[k] = &cp
			}
		}
		if err != nil {
			return err
		}
		if after != nil {
			after(st)
		}
		return nil
	})
}

func unknownVariable(id ID, name string) error {
	return Coded(ErrNotFound, CodeUnknownVariable, Params{"name": name}, "instance %s has no variable %s", id, name)
}
