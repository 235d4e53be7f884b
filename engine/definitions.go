package engine

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DefinitionStore persists process definitions. The db package implements it.
type DefinitionStore interface {
	// InsertProcess stores a new definition; ErrConflict if the id is taken.
	InsertProcess(ctx context.Context, p *Process) error
	// GetProcess returns a definition; ErrNotFound if there is none.
	GetProcess(ctx context.Context, id string) (*Process, error)
	// ListProcesses returns a page of definitions (without tasks) and the total count.
	ListProcesses(ctx context.Context, f ProcessFilter) ([]*Process, int, error)
	// ReplaceProcess stores p as the next version if the stored version is still
	// p.Version-1, keeping the replaced one in the version history; ErrConflict otherwise.
	ReplaceProcess(ctx context.Context, p *Process, replacedBy string) error
	// DeleteProcess removes a definition; ErrConflict while it has unfinished instances
	// unless cascade, which deletes its instances too.
	DeleteProcess(ctx context.Context, id string, cascade bool, by string) error
	// ListProcessVersions returns earlier versions, newest first, and their count.
	ListProcessVersions(ctx context.Context, id string, page Page) ([]ProcessVersion, int, error)
	// ProcessByTriggerToken returns the definition addressed by a webhook token;
	// ErrNotFound if none.
	ProcessByTriggerToken(ctx context.Context, token string) (*Process, error)
	// SetTriggerToken replaces the token of a webhook process (no new version);
	// ErrNotFound if there is no such webhook process.
	SetTriggerToken(ctx context.Context, id, token, by string) error

	// ListStarters returns the candidate starters of a definition, users first, each
	// sorted; ErrNotFound if there is no such definition.
	ListStarters(ctx context.Context, id string) ([]Starter, error)
	// AddStarter adds a candidate starter (nothing changes when it is listed already);
	// ErrNotFound if there is no such definition.
	AddStarter(ctx context.Context, id string, s Starter, by string) error
	// RemoveStarter removes a candidate starter; ErrNotFound if the definition does not
	// exist or does not list it.
	RemoveStarter(ctx context.Context, id string, s Starter, by string) error
	// SetProcessCategory sets the category of a version (the current one or an earlier
	// one) in place; ErrNotFound if there is no such version.
	SetProcessCategory(ctx context.Context, id string, version int, category, by string) error
	// ListDefinitionVersions returns a page of definition versions (without tasks): the
	// current one of every process and the earlier ones, and their total count.
	ListDefinitionVersions(ctx context.Context, f VersionFilter) ([]*Process, int, error)
}

// Definitions is the use-case layer for process definitions: it normalizes, validates,
// assigns ids and versions, and stores.
type Definitions struct {
	store     DefinitionStore
	validator *Validator
	now       func() time.Time
	log       *slog.Logger

	mu        sync.RWMutex
	observers []func(id string)
	hooks     sync.Map // webhook token -> hookEntry (hooks.go)
}

// OnChange registers fn to be called (synchronously, after the change committed) with
// the id of every definition created, replaced, patched or deleted. The cron scheduler
// uses it so that enabling, disabling or editing a process takes effect at once.
func (d *Definitions) OnChange(fn func(id string)) {
	d.mu.Lock()
	d.observers = append(d.observers, fn)
	d.mu.Unlock()
}

func (d *Definitions) changed(id string) {
	d.hooks.Clear()
	d.mu.RLock()
	obs := d.observers
	d.mu.RUnlock()
	for _, fn := range obs {
		fn(id)
	}
}

// NewDefinitions returns the definitions service.
func NewDefinitions(store DefinitionStore, v *Validator, now func() time.Time, log *slog.Logger) *Definitions {
	if now == nil {
		now = time.Now
	}
	return &Definitions{store: store, validator: v, now: now, log: log.With("subsystem", "definitions")}
}

// Create validates p and stores it as version 1 with a fresh id. The creator is the caller.
func (d *Definitions) Create(ctx context.Context, p *Process, creator string) (*Process, error) {
	d.validator.Normalize(p)
	if err := d.validator.Validate(p); err != nil {
		return nil, err
	}
	if err := checkDefinitionLabels(p); err != nil {
		return nil, err
	}
	now := nowMillis(d.now)
	p.Creator, p.Version, p.Status, p.Error = creator, 1, "", ""
	p.CreateAt, p.UpdateAt = now, now
	p.TriggerToken = ""
	if p.TriggerApp == "webhook" {
		p.TriggerToken = NewSecret()
	}
	// A random 8-char id collides with negligible probability; retry a few times anyway.
	for attempt := 0; ; attempt++ {
		p.ID = NewProcessID()
		err := d.store.InsertProcess(ctx, p)
		if err == nil {
			d.log.Info("process created", "id", p.ID, "name", p.Name, "creator", creator)
			d.changed(p.ID)
			return p, nil
		}
		if !errors.Is(err, ErrConflict) || attempt == 4 {
			return nil, err
		}
	}
}

// Check normalizes and validates p as Create does, without storing it: callers that
// create several definitions at once (a BPMN file's processes) check them all first.
func (d *Definitions) Check(p *Process) error {
	d.validator.Normalize(p)
	if err := d.validator.Validate(p); err != nil {
		return err
	}
	return checkDefinitionLabels(p)
}

// Get returns one definition.
func (d *Definitions) Get(ctx context.Context, id string) (*Process, error) {
	return d.store.GetProcess(ctx, id)
}

// List returns a page of definitions without their tasks.
func (d *Definitions) List(ctx context.Context, f ProcessFilter) ([]*Process, int, error) {
	return d.store.ListProcesses(ctx, f)
}

// Replace stores p as the next version of definition id. p.Version must be the stored
// version (else ErrConflict). Read-only fields keep their stored values.
func (d *Definitions) Replace(ctx context.Context, id string, p *Process, by string) (*Process, error) {
	cur, err := d.store.GetProcess(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != cur.Version {
		return nil, Coded(ErrConflict, CodeStaleVersion, Params{"version": p.Version, "current": cur.Version},
			"process %s was changed by someone else: you sent version %d, the current version is %d; reload and apply your changes again", id, p.Version, cur.Version)
	}
	d.validator.Normalize(p)
	if err := d.validator.Validate(p); err != nil {
		return nil, err
	}
	if err := checkDefinitionLabels(p); err != nil {
		return nil, err
	}
	return d.commitNext(ctx, cur, p, by)
}

// Patch changes name, description and enabled of a definition; nil means unchanged.
func (d *Definitions) Patch(ctx context.Context, id string, name, description *string, enabled *bool, by string) (*Process, error) {
	cur, err := d.store.GetProcess(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	if name != nil {
		next.Name = *name
		if strings.TrimSpace(next.Name) == "" {
			return nil, InvalidField("name", CodeRequired, Params{"field": "name"}, "name is required")
		}
		if len([]rune(next.Name)) > maxNameLen {
			return nil, InvalidField("name", CodeTooLong, Params{"max": maxNameLen}, "name is longer than %d characters", maxNameLen)
		}
	}
	if description != nil {
		next.Description = *description
	}
	if enabled != nil {
		next.Enabled = *enabled
	}
	return d.commitNext(ctx, cur, &next, by)
}

// store2 writes next as the version after cur, keeping the server-owned fields of cur.
func (d *Definitions) commitNext(ctx context.Context, cur, next *Process, by string) (*Process, error) {
	next.ID = cur.ID
	next.Creator = cur.Creator
	next.TenantID = cur.TenantID // a definition stays in the tenant it was created in
	next.CreateAt = cur.CreateAt
	next.Status = cur.Status
	next.Error = cur.Error
	next.Version = cur.Version + 1
	next.UpdateAt = nowMillis(d.now)
	switch {
	case next.TriggerApp != "webhook":
		next.TriggerToken = ""
	case cur.TriggerToken != "":
		next.TriggerToken = cur.TriggerToken
	default:
		next.TriggerToken = NewSecret()
	}
	if err := d.store.ReplaceProcess(ctx, next, by); err != nil {
		return nil, err
	}
	d.log.Info("process updated", "id", next.ID, "version", next.Version, "by", by)
	d.changed(next.ID)
	return next, nil
}

// Delete removes a definition. With cascade its instances go too; without, a definition
// with unfinished instances is kept (ErrConflict).
func (d *Definitions) Delete(ctx context.Context, id string, cascade bool, by string) error {
	if err := d.store.DeleteProcess(ctx, id, cascade, by); err != nil {
		return err
	}
	d.log.Info("process deleted", "id", id, "cascade", cascade)
	d.changed(id)
	return nil
}

// checkDefinitionLabels checks the tenant and category of a definition.
func checkDefinitionLabels(p *Process) error {
	if err := checkLabel("tenantId", p.TenantID); err != nil {
		return err
	}
	if err := checkHistoryTTL(p.HistoryTTLDays); err != nil {
		return err
	}
	return checkLabel("category", p.Category)
}

// Versions lists earlier versions of a definition, newest first.
func (d *Definitions) Versions(ctx context.Context, id string, page Page) ([]ProcessVersion, int, error) {
	if _, err := d.store.GetProcess(ctx, id); err != nil {
		return nil, 0, err
	}
	return d.store.ListProcessVersions(ctx, id, page)
}
