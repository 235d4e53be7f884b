// Package stack assembles the engine stack — the SQLite store, the identity service,
// the definitions, the runtime (with its job executor and approval service) and the
// cron scheduler — from one Config, and starts and stops it as one service. `serve`,
// `bench` and the test harnesses build it here, so they run the same wiring.
package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"flowcraft/datasource"
	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/engine/cron"
	"flowcraft/engine/templates"
	"flowcraft/httpclient"
	"flowcraft/identity"
	"flowcraft/scripting"
)

// Config configures the stack; the zero value of every field is its default.
type Config struct {
	DataDir string         // the data directory; the SQLite file lives here (required)
	Store   sqlite.Options // store tuning
	Log     *slog.Logger   // default: discard
	Now     func() time.Time
	NodeID  int64 // snowflake node number, unique per flowcraft process on one database

	Runtime  engine.RuntimeOptions
	Cron     cron.Options // Owner defaults to "node-<NodeID>"
	Identity identity.Options
	Scripts  scripting.Options
	// Templates is the template registry; default templates.Builtin().
	Templates *templates.Registry
	// HTTPAllow lists the non-public targets http-request may reach (httpclient.Options.Allow).
	HTTPAllow []string
	// NoHTTP leaves http-request without a client: it fails at once (tests that must
	// not reach the network).
	NoHTTP bool
	// DataSources are the named databases of database-handler.
	DataSources map[string]datasource.Spec
	// NoScheduler leaves the cron scheduler out (Scheduler is nil).
	NoScheduler bool
	// Retention tunes the history cleanup (ended instances past their definition's
	// history time-to-live).
	Retention engine.RetentionOptions
}

// Stack is the assembled engine. Open builds it; Start starts the runtime and the
// scheduler; Close stops everything, the store last.
type Stack struct {
	Store       *sqlite.Store
	Identity    *identity.Service
	Scripts     *scripting.Engine
	Templates   *templates.Registry
	Definitions *engine.Definitions
	Runtime     *engine.Runtime
	Tasks       HumanTasks      // the inbox and task actions (web.HumanTasks)
	Scheduler   *cron.Scheduler // nil with Config.NoScheduler
	Data        *datasource.Sources

	// Jobs manages the job table (the native API, the admin page, Flowable's).
	Jobs *engine.JobAdmin
	// External is the external task service (Camunda's and Flowable's external worker
	// APIs): Runtime.ExternalTasks().
	External *engine.ExternalTasks
	// Retention is the history cleanup, a background service started with the stack.
	Retention *engine.Retention

	log *slog.Logger
}

// HumanTasks is the approval service plus Describe of the instance a task belongs to:
// what the inbox handlers need (web.HumanTasks).
type HumanTasks struct {
	*engine.Approvals
	rt *engine.Runtime
}

// Describe returns the view of an instance (Runtime.Describe).
func (h HumanTasks) Describe(ctx context.Context, id engine.ID) (*engine.InstanceView, error) {
	return h.rt.Describe(ctx, id)
}

// Open opens the store and assembles the stack. Only the store's writer runs (the
// store is usable at once); the runtime and the scheduler wait for Start. ctx bounds
// the opening.
func Open(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("stack: DataDir is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Templates == nil {
		cfg.Templates = templates.Builtin()
	}
	if cfg.Cron.Owner == "" {
		cfg.Cron.Owner = fmt.Sprintf("node-%d", cfg.NodeID)
	}
	ids, err := engine.NewIDGen(cfg.NodeID)
	if err != nil {
		return nil, err
	}
	store, err := sqlite.Open(ctx, cfg.DataDir, cfg.Store, cfg.Log)
	if err != nil {
		return nil, err
	}
	data, err := datasource.New(cfg.DataSources, []string{store.Path()})
	if err != nil {
		store.Close(ctx)
		return nil, fmt.Errorf("data sources: %w", err)
	}
	s := &Stack{Store: store, Data: data, Templates: cfg.Templates, Scripts: scripting.New(cfg.Scripts), log: cfg.Log}
	s.Identity = identity.New(store, cfg.Identity, cfg.Now, cfg.Log)
	s.Definitions = engine.NewDefinitions(store, engine.NewValidator(s.Templates, s.Scripts), cfg.Now, cfg.Log)
	services := &templates.Services{Scripts: s.Scripts, Data: data}
	if !cfg.NoHTTP {
		services.HTTP = httpclient.New(httpclient.Options{Allow: cfg.HTTPAllow})
	}
	s.Runtime = engine.NewRuntime(engine.RuntimeDeps{Store: store, Processes: store, Tasks: store, External: store, Directory: store,
		Templates: s.Templates, Services: services, IDs: ids, Events: engine.NewEvents(), Now: cfg.Now, Log: cfg.Log}, cfg.Runtime)
	s.Definitions.OnChange(s.Runtime.ProcessChanged)
	s.Tasks = HumanTasks{Approvals: s.Runtime.Approvals(), rt: s.Runtime}
	s.External = s.Runtime.ExternalTasks()
	s.Jobs = engine.NewJobAdmin(store, s.Runtime.WakeJobs, cfg.Now, cfg.Log)
	s.Retention = engine.NewRetention(store, cfg.Retention, cfg.Now, cfg.Log)
	if !cfg.NoScheduler {
		s.Scheduler = cron.New(store, s.Runtime, nil, cfg.Cron, cfg.Log)
		s.Definitions.OnChange(s.Scheduler.Reload)
	}
	return s, nil
}

// Start starts the runtime (it resumes unfinished instances and runs jobs), then the
// scheduler, in ctx: when ctx ends they stop without waiting, so pass a context that
// outlives the work (main passes context.WithoutCancel of its signal context) and
// stop with Close.
func (s *Stack) Start(ctx context.Context) error {
	if err := s.Runtime.Start(ctx); err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	if s.Scheduler != nil {
		if err := s.Scheduler.Start(ctx); err != nil {
			return fmt.Errorf("start cron scheduler: %w", err)
		}
	}
	if err := s.Retention.Start(ctx); err != nil {
		return fmt.Errorf("start history cleanup: %w", err)
	}
	return nil
}

// Close stops the stack within one deadline, ctx's: the scheduler (no new starts),
// the runtime (its job executor, its actors, fast instances in flight), then the store
// (the steps still queued are written) and the data sources. Every part is closed
// even when an earlier one ran out of time; the error joins what each part reports
// did not finish (each names its service and how many items).
func (s *Stack) Close(ctx context.Context) error {
	var errs []error
	if s.Scheduler != nil {
		errs = append(errs, s.Scheduler.Close(ctx))
	}
	errs = append(errs, s.Retention.Close(ctx))
	errs = append(errs, s.Runtime.Close(ctx))
	if err := s.Store.Close(ctx); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	if err := s.Data.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close data sources: %w", err))
	}
	return errors.Join(errs...)
}
