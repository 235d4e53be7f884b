// Package web is flowcraft's HTTP edge: the Fiber app, REST handlers, auth and pages.
// Handlers parse, authorize, call the core and map errors; they hold no business logic.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/identity"
)

// Definitions is what the process definition handlers need.
type Definitions interface {
	Check(p *engine.Process) error // validates as Create does, storing nothing
	Create(ctx context.Context, p *engine.Process, creator string) (*engine.Process, error)
	Get(ctx context.Context, id string) (*engine.Process, error)
	List(ctx context.Context, f engine.ProcessFilter) ([]*engine.Process, int, error)
	Replace(ctx context.Context, id string, p *engine.Process, by string) (*engine.Process, error)
	Patch(ctx context.Context, id string, name, description *string, enabled *bool, by string) (*engine.Process, error)
	Delete(ctx context.Context, id string, cascade bool, by string) error
	Versions(ctx context.Context, id string, page engine.Page) ([]engine.ProcessVersion, int, error)
	Webhook(ctx context.Context, token string) (*engine.Process, engine.WebhookSettings, error)
	RotateToken(ctx context.Context, id, by string) (string, error)
	SetCategory(ctx context.Context, id string, version int, category, by string) error
	Starters(ctx context.Context, id string) ([]engine.Starter, error)
	AddStarter(ctx context.Context, id string, s engine.Starter, by string) (engine.Starter, error)
	RemoveStarter(ctx context.Context, id string, s engine.Starter, by string) error
}

// Identity is what auth, session and identity handlers need.
type Identity interface {
	CheckPassword(ctx context.Context, userID, password, addr string) (*engine.User, error)
	CheckToken(ctx context.Context, secret string) (*engine.User, error)
	Login(ctx context.Context, userID, password, addr string) (string, *identity.Session, *engine.User, error)
	SessionUser(ctx context.Context, secret string) (*identity.Session, *engine.User, error)
	Logout(ctx context.Context, secret string) error
	OnChange(f func(identity.Change)) // closes websockets of changed users and ended sessions

	CreateUser(ctx context.Context, u *engine.User, password string) (*engine.User, error)
	GetUser(ctx context.Context, id string) (*engine.User, error)
	ListUsers(ctx context.Context, q string, page engine.Page) ([]*engine.User, int, error)
	UpdateUser(ctx context.Context, id string, in identity.UserInput) (*engine.User, error)
	DeleteUser(ctx context.Context, id, by string) error
	Unlock(ctx context.Context, id, by string) error

	CreateGroup(ctx context.Context, g *engine.Group) (*engine.Group, error)
	GetGroup(ctx context.Context, id string) (*engine.Group, error)
	ListGroups(ctx context.Context, page engine.Page) ([]*engine.Group, int, error)
	RenameGroup(ctx context.Context, id, name string) (*engine.Group, error)
	DeleteGroup(ctx context.Context, id string) error
	AddMember(ctx context.Context, groupID, userID string) error
	RemoveMember(ctx context.Context, groupID, userID string) error
	ListMembers(ctx context.Context, groupID string) ([]*engine.User, error)

	CreateToken(ctx context.Context, userID, name string, ttl time.Duration) (string, *identity.APIToken, error)
	ListTokens(ctx context.Context, userID string) ([]*identity.APIToken, error)
	DeleteToken(ctx context.Context, id, owner string) error
}

// Templates is the node template catalogue.
type Templates interface {
	Specs() []templates.Spec
}

// ScriptChecker compiles scripts for POST /api/scripts/check.
type ScriptChecker interface {
	engine.ScriptChecker
}

// Pinger reports whether the database answers (for /readyz).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config is the HTTP configuration.
type Config struct {
	BodyLimit    int           // bytes; default 4 MiB
	ReadTimeout  time.Duration // default 30s
	WriteTimeout time.Duration // default 60s
	IdleTimeout  time.Duration // default 120s
	SecureCookie bool          // set Secure on cookies (behind TLS)
	Streams      StreamConfig  // websockets
	// Location is the server's time zone: the inbox's createAt ("YYYY-MM-DD HH:MM:SS",
	// seed 000) is written in it. Default: the machine's local zone (time.Local).
	Location *time.Location
	// PrefixErrors answer the errors of requests under a path prefix in another API's
	// own shape (the Flowable API's), also errors raised before routing (a body that
	// does not parse, one too large).
	PrefixErrors map[string]fiber.ErrorHandler
}

// Deps are the server's collaborators.
type Deps struct {
	Definitions Definitions
	Identity    Identity
	Templates   Templates
	Scripts     ScriptChecker
	DB          Pinger
	Runtime     Runtime
	Tasks       HumanTasks
	Events      EventSource
	Metrics     MetricsSource
	Jobs        Jobs
	Static      fs.FS // the static/ tree, served at /static
	Log         *slog.Logger
	Version     string

	// Retention is the history cleanup, run on demand (engine.Retention).
	Retention Retention

	// External is the external task service (engine.ExternalTasks), for the admin's
	// view and retry of worker jobs; nil answers 503 there.
	External ExternalTasks
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	pages   *pages
	streams *streams
	http    httpMetrics

	// redactor hides definition secrets from roles that may not read them (web/redact.go).
	redactor *engine.Redactor
}

// New builds the Fiber app with every route.
func New(cfg Config, deps Deps) *fiber.App {
	app, _ := NewServer(cfg, deps)
	return app
}

// NewServer builds the Fiber app and returns the Server too, whose CloseStreams ends
// the websockets on shutdown.
func NewServer(cfg Config, deps Deps) (*fiber.App, *Server) {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 4 << 20
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 120 * time.Second
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Log.With("subsystem", "web"), streams: newStreams(cfg.Streams)}
	s.pages = newPages(s)
	if deps.Templates != nil {
		s.redactor = engine.NewRedactor(deps.Templates.Specs())
	} else {
		s.redactor = engine.NewRedactor(nil)
	}
	if deps.Identity != nil {
		deps.Identity.OnChange(s.identityChanged)
	}
	app := fiber.New(fiber.Config{
		AppName:               "flowcraft",
		CaseSensitive:         true, // /API/... is not /api/...: one path, one set of rules
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10, // room for large cookies and tokens
		// Multipart bodies are parsed when a handler asks, after the body decoder: a
		// malformed one is then that handler's 400 in its API's shape (pre-parsed, its
		// error reached the error handler with the request, and so its path, reset).
		DisablePreParseMultipartForm: true,
	})
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	app.Use(s.requestIDMiddleware)
	app.Use(securityHeaders)
	app.Use(s.countRequests)
	// Before anything reads a body: undo Content-Encodings within the body limit.
	app.Use(newBodyDecoder(cfg.BodyLimit).middleware)
	s.routes(app)
	return app, s
}

// requestIDMiddleware gives every request an id (kept from X-Request-Id when sane),
// echoed in the response and used in logs and 500 messages.
func (s *Server) requestIDMiddleware(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if id == "" || len(id) > 64 {
		id = engine.NewTaskID()[5:] + strconv.FormatInt(time.Now().UnixMilli()%100000, 36)
	} else {
		id = string([]byte(id)) // Fiber reuses the request buffer
	}
	c.Locals(localRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("handler panicked", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "panic", e)
}

func (s *Server) routes(app *fiber.App) {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics)
	app.Get("/ws/processInst/:instId", s.wsInstance)
	app.Get("/ws/process/:id", s.wsProcess)
	app.Get("/ws/inbox", s.wsInbox)

	api := app.Group("/api")
	api.Post("/login", s.login)
	api.Post("/hooks/:token", s.hook)                 // no session auth: the token (and signature) admit
	api.Add(fiber.MethodGet, "/hooks/:token", s.hook) // not Get: a HEAD must not start a flow
	api.Use(s.authenticate)
	api.Post("/logout", s.logout)
	api.Get("/me", s.me)

	api.Get("/openapi.json", s.openAPI)
	api.Get("/templates", s.listTemplates)
	api.Post("/scripts/check", s.requireRole(engine.RoleDesigner), s.checkScript)

	api.Post("/process", s.requireRole(engine.RoleDesigner), s.createProcess)
	// BPMN 2.0 in and out (DESIGN §9); before POST /process/:id and GET /process/:id/:taskId.
	api.Post("/process/import", s.requireRole(engine.RoleDesigner), s.importProcess)
	api.Get("/process/:id/bpmn", s.requireRole(engine.RoleDesigner), s.exportProcessBPMN)
	api.Get("/process", s.listProcesses) // users: the processes they may start (?startable=true)
	api.Get("/process/:id", s.requireRole(engine.RoleDesigner), s.getProcess)
	api.Put("/process/:id", s.requireRole(engine.RoleDesigner), s.replaceProcess)
	api.Patch("/process/:id", s.requireRole(engine.RoleDesigner), s.patchProcess)
	api.Delete("/process/:id", s.requireRole(engine.RoleDesigner), s.deleteProcess)
	api.Get("/process/:id/versions", s.requireRole(engine.RoleDesigner), s.listProcessVersions)
	api.Get("/process/:id/starters", s.requireRole(engine.RoleDesigner), s.listStarters)
	api.Post("/process/:id/starters", s.requireRole(engine.RoleDesigner), s.addStarter)
	api.Delete("/process/:id/starters/:family/:starterId", s.requireRole(engine.RoleDesigner), s.removeStarter)
	api.Get("/process/:id/:taskId", s.requireRole(engine.RoleDesigner), s.getProcessTask)
	api.Post("/process/:id/token", s.requireRole(engine.RoleDesigner), s.rotateToken)
	api.Post("/process/:id", s.startProcess)

	api.Get("/processInst", s.listInstances)
	api.Get("/processInst/:instId", s.getInstance)
	api.Put("/processInst/:instId", s.actOnInstance)
	api.Delete("/processInst/:instId", s.requireRole(engine.RoleDesigner), s.deleteInstance)
	api.Get("/processInst/:instId/variables", s.getVariables)
	api.Put("/processInst/:instId/variables", s.requireRole(engine.RoleDesigner), s.putVariables)
	api.Delete("/processInst/:instId/variables/:name", s.requireRole(engine.RoleDesigner), s.deleteVariable)
	api.Get("/processInst/:instId/:taskId", s.getInstanceTask)

	admin := s.requireRole(engine.RoleAdmin)
	api.Get("/users", admin, s.listUsers)
	api.Post("/users", admin, s.createUser)
	api.Get("/users/:id", admin, s.getUser)
	api.Put("/users/:id", admin, s.updateUser)
	api.Patch("/users/:id", admin, s.updateUser)
	api.Delete("/users/:id", admin, s.deleteUser)
	api.Post("/users/:id/unlock", admin, s.unlockUser)
	api.Get("/groups", admin, s.listGroups)
	api.Post("/groups", admin, s.createGroup)
	api.Get("/groups/:id", admin, s.getGroup)
	api.Put("/groups/:id", admin, s.renameGroup)
	api.Delete("/groups/:id", admin, s.deleteGroup)
	api.Get("/groups/:id/members", admin, s.listMembers)
	api.Post("/groups/:id/members", admin, s.addMember)
	api.Delete("/groups/:id/members/:userId", admin, s.removeMember)

	api.Get("/taskInsts", s.listTaskInsts)
	api.Get("/taskInst/:id", s.getTaskInst)
	api.Post("/taskInst/:id", s.completeTaskInst)
	for _, action := range []string{"claim", "unclaim", "delegate", "resolve"} {
		api.Post("/taskInst/:id/"+action, s.taskAction(action))
	}
	api.Get("/admin/taskInsts", admin, s.adminTaskInsts)
	api.Post("/taskInst/:id/reassign", admin, s.reassignTaskInst)

	api.Get("/jobs", admin, s.listJobs)
	api.Post("/jobs/:id/retry", admin, s.retryJob)
	api.Get("/jobs/:id", admin, s.getJob)
	api.Post("/jobs/:id/execute", admin, s.executeJob)
	api.Delete("/jobs/:id", admin, s.deleteJob)
	api.Post("/history/cleanup", admin, s.historyCleanup)

	api.Get("/externalTasks", s.listExternalTasks)
	api.Post("/externalTasks/:id/retries", admin, s.setExternalTaskRetries)

	api.Get("/tokens", s.listTokens)
	api.Post("/tokens", s.createToken)
	api.Delete("/tokens/:id", s.deleteToken)

	s.pages.routes(app)
}
