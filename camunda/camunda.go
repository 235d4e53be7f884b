// Package camunda serves Camunda 7's external task REST API at /engine-rest/external-task
// (DESIGN §10), so that camunda-external-task-client-js and its Java, Python and Go
// cousins work against flowcraft unchanged: thin Fiber handlers over
// engine.ExternalTasks, in Camunda's own shapes.
//
// Conventions of the surface, as Camunda 7.2x's engine-rest answers them: HTTP Basic
// with flowcraft's users or a flowcraft API token (Bearer); the roles worker and admin
// only (least privilege); every error is {"type", "message"} (plus "code" where
// Camunda gives one) with Camunda's status codes; variables are
// {name: {type, value, valueInfo}} with Camunda's type names; dates are
// "yyyy-MM-dd'T'HH:mm:ss.SSSZ" (2026-01-01T10:00:00.000+0000).
//
// Mapping onto flowcraft: an external task is an engine.ExternalJob; its
// processDefinitionId and processDefinitionKey are both the flowcraft process id (the
// definition's stable id: a filter on either is exact), activityId the task's instId,
// executionId the node instance, activityInstanceId "<activityId>:<executionId>".
package camunda

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Prefix is where the API is mounted (Camunda's engine-rest root).
const Prefix = "/engine-rest"

// ExternalTasks is the engine's external job service (engine.ExternalTasks).
type ExternalTasks interface {
	Fetch(ctx context.Context, req engine.FetchRequest) ([]*engine.LockedJob, error)
	Complete(ctx context.Context, id engine.ID, workerID string, vars, local []*engine.Variable) error
	Fail(ctx context.Context, id engine.ID, f engine.Failure) error
	BPMNError(ctx context.Context, id engine.ID, workerID, code, message string, vars []*engine.Variable) error
	ExtendLock(ctx context.Context, id engine.ID, workerID string, d time.Duration) error
	Unlock(ctx context.Context, id engine.ID) error
	SetRetries(ctx context.Context, id engine.ID, retries int) error
	Get(ctx context.Context, id engine.ID) (*engine.ExternalJob, error)
	List(ctx context.Context, f engine.ExternalFilter) ([]*engine.ExternalJob, int, error)
}

// Identity authenticates callers (identity.Service).
type Identity interface {
	CheckPassword(ctx context.Context, userID, password, addr string) (*engine.User, error)
	CheckToken(ctx context.Context, secret string) (*engine.User, error)
}

// Deps are the API's collaborators.
type Deps struct {
	External ExternalTasks
	Identity Identity
	Log      *slog.Logger
}

// Config tunes the API.
type Config struct {
	// MaxTasks bounds maxTasks of one fetchAndLock (default and at most
	// engine.MaxFetchTasks, 1000). Camunda has no
	// bound; a larger maxTasks is not refused but answered with at most this many
	// tasks (maxTasks is a maximum anyway).
	MaxTasks int
	// MaxJSONDepth bounds the nesting of a JSON body (default 32, as web/body.go).
	MaxJSONDepth int
	// MaxResults bounds maxResults of a list (default 1000).
	MaxResults int
	// Location is the zone of the dates answered (Camunda writes the server's zone);
	// default time.Local.
	Location *time.Location
}

// MaxAsyncResponseTimeout is Camunda's bound on asyncResponseTimeout (30 minutes):
// a larger value is a 400, as in Camunda (FetchAndLockHandlerImpl.MAX_REQUEST_TIMEOUT).
const MaxAsyncResponseTimeout = 30 * time.Minute

// roleWorker is the role of external workers' accounts.
const roleWorker = engine.RoleWorker

// API is the mounted surface.
type API struct {
	deps Deps
	cfg  Config
	log  *slog.Logger

	// stop ends the long polls in flight when the server shuts down (Close), so that
	// a graceful shutdown does not wait for them.
	stop     context.Context
	stopFunc context.CancelFunc
}

// New returns the API; Mount serves it, Close ends its long polls.
func New(deps Deps, cfg Config) *API {
	if cfg.MaxTasks <= 0 || cfg.MaxTasks > engine.MaxFetchTasks {
		cfg.MaxTasks = engine.MaxFetchTasks
	}
	if cfg.MaxJSONDepth <= 0 {
		cfg.MaxJSONDepth = 32
	}
	if cfg.MaxResults <= 0 {
		cfg.MaxResults = 1000
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{deps: deps, cfg: cfg, log: log.With("subsystem", "camunda")}
	a.stop, a.stopFunc = context.WithCancel(context.Background())
	return a
}

// Close ends the long polls in flight (each answers Camunda's shutdown error) and
// makes new ones answer at once; call it before shutting the HTTP server down.
func (a *API) Close() { a.stopFunc() }

// route is one served route.
type route struct {
	method, path string // below Prefix, Fiber syntax
	handler      fiber.Handler
}

func (a *API) routes() []route {
	return []route{
		{"POST", "/external-task/fetchAndLock", a.fetchAndLock},
		{"GET", "/external-task", a.listTasks},
		{"POST", "/external-task", a.queryTasks},
		{"GET", "/external-task/count", a.countTasks},
		{"POST", "/external-task/count", a.queryCount},
		{"GET", "/external-task/:id", a.getTask},
		{"GET", "/external-task/:id/errorDetails", a.errorDetails},
		{"POST", "/external-task/:id/complete", a.complete},
		{"POST", "/external-task/:id/failure", a.failure},
		{"POST", "/external-task/:id/bpmnError", a.bpmnError},
		{"POST", "/external-task/:id/extendLock", a.extendLock},
		{"POST", "/external-task/:id/unlock", a.unlock},
		{"PUT", "/external-task/:id/retries", a.setRetries},
	}
}

// Mount serves the API under Prefix on r (the web server's app): every request is
// authenticated and needs the worker or admin role, every error answers in Camunda's
// shape, an unknown route under the prefix too (404, 405 for a known path under
// another method).
func (a *API) Mount(r fiber.Router) {
	g := r.Group(Prefix, a.errors, a.authenticate, a.requireWorker)
	for _, rt := range a.routes() {
		g.Add(rt.method, rt.path, rt.handler)
	}
	g.All("/*", a.noRoute)
	r.All(Prefix, a.errors, a.noRoute)
}

// noRoute answers a request no route took, as JAX-RS does: 405 when the path is served
// under another method, else 404 (Camunda's body: RestException / NotFoundException).
func (a *API) noRoute(c *fiber.Ctx) error {
	path := strings.TrimPrefix(c.Path(), Prefix)
	var allow []string
	for _, rt := range a.routes() {
		if matchPath(rt.path, path) && !containsString(allow, rt.method) {
			allow = append(allow, rt.method)
		}
	}
	if len(allow) > 0 {
		c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
		return &Error{Status: fiber.StatusMethodNotAllowed, Type: "NotAllowedException", Message: "HTTP " + c.Method() + " is not allowed on " + c.Path()}
	}
	return &Error{Status: fiber.StatusNotFound, Type: "NotFoundException", Message: "HTTP 404 Not Found: " + c.Method() + " " + c.Path()}
}

// matchPath reports whether path matches a route pattern (":x" matches one segment).
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], ":") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// caller returns the authenticated user of the request.
func caller(c *fiber.Ctx) *engine.User {
	u, _ := c.Locals(localUser).(*engine.User)
	return u
}

const localUser = "camunda.user"
