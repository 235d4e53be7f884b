package web

import (
	"context"
	"errors"

	"flowcraft/engine"
)

// Secrets of definitions (webhook secret and token, http-request headers) reach only
// the roles that may read definitions; everyone else sees them redacted in every
// answer that shows an instance: the API, the pages and the websockets. The rule and
// the copies live in engine.Redactor; these helpers find the definition version.

// redactionFor is what u may see of the instances of processID at version: nil
// (everything) for designers and admins.
func (s *Server) redactionFor(ctx context.Context, u *engine.User, processID string, version int) (*engine.Redaction, error) {
	if engine.MayReadSecrets(u) {
		return nil, nil
	}
	def, err := s.definitionOf(ctx, processID, version)
	if err != nil {
		return nil, err
	}
	return s.redactor.For(u, def), nil
}

// redactInstances replaces the instances of a list with what u may see of them.
func (s *Server) redactInstances(ctx context.Context, u *engine.User, list []*engine.Instance) error {
	if engine.MayReadSecrets(u) {
		return nil
	}
	type key struct {
		pid     string
		version int
	}
	seen := map[key]*engine.Redaction{}
	for i, in := range list {
		k := key{in.ProcessID, in.Version}
		x, ok := seen[k]
		if !ok {
			var err error
			if x, err = s.redactionFor(ctx, u, in.ProcessID, in.Version); err != nil {
				return err
			}
			seen[k] = x
		}
		list[i] = x.Instance(in)
	}
	return nil
}

// definitionOf returns the version of a definition an instance runs, nil when the
// process (or that version) is gone.
func (s *Server) definitionOf(ctx context.Context, processID string, version int) (*engine.Process, error) {
	proc, err := s.deps.Definitions.Get(ctx, processID)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if proc.Version == version || version == 0 {
		return proc, nil
	}
	for offset := 0; ; offset += 100 {
		vs, total, err := s.deps.Definitions.Versions(ctx, processID, engine.Page{Limit: 100, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.Version == version && v.Definition != nil {
				return v.Definition, nil
			}
		}
		if len(vs) == 0 || offset+len(vs) >= total {
			return nil, nil
		}
	}
}
