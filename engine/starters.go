package engine

import (
	"context"
	"slices"
	"strings"
)

// MaxKeyLen is the longest business key, tenant id or category, in characters
// (Flowable's columns hold 255).
const MaxKeyLen = 255

// checkLabel checks a business key, tenant id or category named field.
func checkLabel(field, v string) error {
	if len([]rune(v)) > MaxKeyLen {
		return InvalidField(field, CodeTooLong, Params{"max": MaxKeyLen}, "%s is longer than %d characters", field, MaxKeyLen)
	}
	return nil
}

// checkStartLabels checks the business key and tenant of a start and gives the
// instance the definition's tenant when the start names none.
func checkStartLabels(p *Process, opts *StartOptions) error {
	if err := checkLabel("businessKey", opts.BusinessKey); err != nil {
		return err
	}
	if err := checkLabel("tenantId", opts.TenantID); err != nil {
		return err
	}
	switch {
	case opts.TenantID == "":
		opts.TenantID = p.TenantID
	case opts.TenantID != p.TenantID:
		return InvalidField("tenantId", CodeMismatch, Params{"expected": p.TenantID},
			"process %s belongs to tenant %q; it cannot start an instance of tenant %q", p.ID, p.TenantID, opts.TenantID)
	}
	return nil
}

// MayStart reports whether u may start a process whose candidate starters are
// starters: every user when there are none, else the users listed and the members of
// the groups listed (DESIGN §6). Roles do not matter: an admin or designer who is not
// listed adds themselves first.
func MayStart(starters []Starter, u *User) bool {
	if len(starters) == 0 {
		return true
	}
	if u == nil {
		return false
	}
	for _, s := range starters {
		if s.UserID != "" && s.UserID == u.ID || s.GroupID != "" && slices.Contains(u.Groups, s.GroupID) {
			return true
		}
	}
	return false
}

// errNotStarter is the answer to a start by someone the process does not list.
func errNotStarter(id string) error {
	return Coded(ErrForbidden, CodeNotStarter, Params{"process": id},
		"process %s may be started only by its candidate starters (users and groups); you are none of them", id)
}

// mayStart checks a start by hand against the process's candidate starters.
func (r *Runtime) mayStart(ctx context.Context, id string, u *User) error {
	starters, err := r.procs.ListStarters(ctx, id)
	if err != nil {
		return err
	}
	if !MayStart(starters, u) {
		return errNotStarter(id)
	}
	return nil
}

// checkStarter validates a candidate starter: exactly one of user and group, each a
// valid id.
func checkStarter(s Starter) (Starter, error) {
	s.UserID, s.GroupID = strings.TrimSpace(s.UserID), strings.TrimSpace(s.GroupID)
	switch {
	case s.UserID == "" && s.GroupID == "":
		return s, InvalidField("", CodeOneOfRequired, Params{"fields": "userId, groupId"}, "a candidate starter is a user (userId) or a group (groupId)")
	case s.UserID != "" && s.GroupID != "":
		return s, InvalidField("", CodeOnlyOne, Params{"fields": "userId, groupId"}, "a candidate starter is a user or a group, not both")
	}
	if err := checkLabel("userId", s.UserID); err != nil {
		return s, err
	}
	return s, checkLabel("groupId", s.GroupID)
}

// Starters lists the candidate starters of a definition (none: everyone may start it).
func (d *Definitions) Starters(ctx context.Context, id string) ([]Starter, error) {
	return d.store.ListStarters(ctx, id)
}

// AddStarter makes a user or a group a candidate starter of a definition. Adding one
// that is already listed changes nothing. The user or group need not exist (yet).
func (d *Definitions) AddStarter(ctx context.Context, id string, s Starter, by string) (Starter, error) {
	s, err := checkStarter(s)
	if err != nil {
		return s, err
	}
	if err := d.store.AddStarter(ctx, id, s, by); err != nil {
		return s, err
	}
	d.log.Info("candidate starter added", "process", id, "user", s.UserID, "group", s.GroupID, "by", by)
	return s, nil
}

// RemoveStarter removes a candidate starter; ErrNotFound when the definition does not
// list it.
func (d *Definitions) RemoveStarter(ctx context.Context, id string, s Starter, by string) error {
	s, err := checkStarter(s)
	if err != nil {
		return err
	}
	if err := d.store.RemoveStarter(ctx, id, s, by); err != nil {
		return err
	}
	d.log.Info("candidate starter removed", "process", id, "user", s.UserID, "group", s.GroupID, "by", by)
	return nil
}

// MayStart reports whether u may start definition id by hand: it lists u among its
// candidate starters (or lists none), and a webhook process only for designers and
// admins, as the engine checks at every start by hand. Enabled or not.
func (d *Definitions) MayStart(ctx context.Context, id string, u *User) (bool, error) {
	p, err := d.store.GetProcess(ctx, id)
	if err != nil {
		return false, err
	}
	if mayStartByHand(p, u) != nil {
		return false, nil
	}
	starters, err := d.store.ListStarters(ctx, id)
	if err != nil {
		return false, err
	}
	return MayStart(starters, u), nil
}

// SetCategory sets the category of one version of a definition (the current one or
// an earlier one) without making a new version; ErrNotFound for an unknown version.
func (d *Definitions) SetCategory(ctx context.Context, id string, version int, category, by string) error {
	if err := checkLabel("category", category); err != nil {
		return err
	}
	if err := d.store.SetProcessCategory(ctx, id, version, category, by); err != nil {
		return err
	}
	d.log.Info("process category set", "id", id, "version", version, "category", category, "by", by)
	d.changed(id)
	return nil
}

// ListVersions lists definition versions, the current and the earlier ones of every
// process, without their tasks (seed 003's case definitions).
func (d *Definitions) ListVersions(ctx context.Context, f VersionFilter) ([]*Process, int, error) {
	return d.store.ListDefinitionVersions(ctx, f)
}
