// Package flowable serves seed 003's REST API — Flowable's CMMN REST API — at
// /flowable-rest/cmmn-api/, mapped onto flowcraft's one engine (DESIGN §8): thin Fiber
// handlers over the same calls the native API (package web) makes. One file per
// resource, its scenario tests beside it.
//
// Conventions of the whole surface (seed 003 "Flowable REST 基本原则"): HTTP Basic
// with flowcraft's users or a flowcraft API token (Bearer), with flowcraft's roles;
// every error is {"statusCode", "errorMessage"}; unknown JSON properties and values
// of the wrong type answer 415; query parameters are typed strictly (params.go);
// lists are {data, total, start, sort, order, size}; url fields resolve to this
// server (scheme and host of the request).
package flowable

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/engine/templates"
)

// Prefix is where the API is mounted.
const Prefix = "/flowable-rest/cmmn-api"

// Definitions is what the repository resources need (engine.Definitions).
type Definitions interface {
	Check(p *engine.Process) error // validates as Create does, storing nothing (BPMN deployments)
	Create(ctx context.Context, p *engine.Process, creator string) (*engine.Process, error)
	Get(ctx context.Context, id string) (*engine.Process, error)
	List(ctx context.Context, f engine.ProcessFilter) ([]*engine.Process, int, error)
	Replace(ctx context.Context, id string, p *engine.Process, by string) (*engine.Process, error)
	Delete(ctx context.Context, id string, cascade bool, by string) error
	Versions(ctx context.Context, id string, page engine.Page) ([]engine.ProcessVersion, int, error)
	// ListVersions, SetCategory and the candidate starters: A2's core (issue 15).
	ListVersions(ctx context.Context, f engine.VersionFilter) ([]*engine.Process, int, error)
	SetCategory(ctx context.Context, id string, version int, category, by string) error
	Starters(ctx context.Context, id string) ([]engine.Starter, error)
	AddStarter(ctx context.Context, id string, s engine.Starter, by string) (engine.Starter, error)
	RemoveStarter(ctx context.Context, id string, s engine.Starter, by string) error
}

// Runtime is what the runtime resources need (engine.Runtime).
type Runtime interface {
	ListInstances(ctx context.Context, f engine.InstanceFilter) ([]*engine.Instance, int, error)
	Describe(ctx context.Context, id engine.ID) (*engine.InstanceView, error)
	caseRuntime    // case_instances.go
	historyRuntime // history.go
}

// Identity authenticates callers (identity.Service: it throttles password checks and
// caches verified Basic credentials briefly, keyed by a hash, dropped on every
// identity change, so bcrypt does not run on every request).
type Identity interface {
	CheckPassword(ctx context.Context, userID, password, addr string) (*engine.User, error)
	CheckToken(ctx context.Context, secret string) (*engine.User, error)
	GetUser(ctx context.Context, id string) (*engine.User, error)
}

// Templates is the node template catalogue (kinds for diagrams, plan item types).
type Templates interface {
	Specs() []templates.Spec
}

// Deps are the API's collaborators.
type Deps struct {
	Definitions Definitions
	Runtime     Runtime
	Tasks       HumanTasks
	Identity    Identity
	Templates   Templates
	Log         *slog.Logger
	Version     string

	// InstanceLinks keeps the identity links added to case instances (the store).
	InstanceLinks engine.InstanceLinkStore
	// History queries the human tasks and variables kept, ended or not (the store).
	History engine.HistoryStore
	// Jobs manages the job table (engine.JobAdmin): cmmn-management's jobs.
	Jobs Jobs
	// External is the external jobs' service (engine.ExternalTasks): the external
	// worker API at ExternalPrefix (external_job.go); not served when nil.
	External ExternalJobs
}

// Config tunes the API.
type Config struct {
	// MaxJSONDepth bounds the nesting of a JSON body (default 32, as web/body.go).
	MaxJSONDepth int
	// MaxArchiveFiles bounds the entries of a deployed .zip/.bar (default 100).
	MaxArchiveFiles int
	// Location is the zone of the times answered (ISO-8601 with its offset); default
	// time.Local.
	Location *time.Location
}

// API is the mounted surface.
type API struct {
	deps  Deps
	cfg   Config
	log   *slog.Logger
	kinds map[string]templates.Kind
	table []compiledRoute
	// extTable is the external worker API's routes (for its 405s).
	extTable []compiledRoute
}

// New returns the API; Mount serves it.
func New(deps Deps, cfg Config) *API {
	if cfg.MaxJSONDepth <= 0 {
		cfg.MaxJSONDepth = 32
	}
	if cfg.MaxArchiveFiles <= 0 {
		cfg.MaxArchiveFiles = 100
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{deps: deps, cfg: cfg, log: log.With("subsystem", "flowable"), kinds: map[string]templates.Kind{}}
	a.table = compileRoutes(a.routes())
	a.extTable = compileRoutes(a.externalRoutes())
	if deps.Templates != nil {
		for _, s := range deps.Templates.Specs() {
			a.kinds[s.ID] = s.Kind
		}
	}
	return a
}

// route is one served route; the OpenAPI document is built from the same table.
type route struct {
	method, path string // path below Prefix, Fiber syntax
	role         string // least role; "" = any signed-in user
	summary      string
	handler      fiber.Handler
}

func (a *API) routes() []route {
	designer := engine.RoleDesigner
	return append([]route{
		{"GET", "/openapi.json", "", "OpenAPI 3.1 document of this API", a.openAPI},

		{"GET", "/cmmn-repository/deployments", designer, "List deployments", a.listDeployments},
		{"POST", "/cmmn-repository/deployments", designer, "Create a deployment (multipart file: flowcraft JSON, BPMN 2.0 .bpmn/.bpmn20.xml, or a .zip/.bar of them)", a.createDeployment},
		{"GET", "/cmmn-repository/deployments/:deploymentId", designer, "Get a deployment", a.getDeployment},
		{"DELETE", "/cmmn-repository/deployments/:deploymentId", designer, "Delete a deployment", a.deleteDeployment},
		{"DELETE", "/repository/deployments/:deploymentId", designer, "Delete a deployment (the seed's literal path)", a.deleteDeployment},
		{"GET", "/cmmn-repository/deployments/:deploymentId/resources", designer, "List a deployment's resources", a.listResources},
		{"GET", "/cmmn-repository/deployments/:deploymentId/resources/:resourceId", designer, "Get a deployment resource", a.getResource},
		{"GET", "/cmmn-repository/deployments/:deploymentId/resourcedata/:resourceId", designer, "Get a deployment resource's content", a.getResourceData},

		{"GET", "/cmmn-repository/case-definitions", designer, "List case definitions", a.listCaseDefinitions},
		{"GET", "/cmmn-repository/case-definitions/:caseDefinitionId", designer, "Get a case definition", a.getCaseDefinition},
		{"PUT", "/cmmn-repository/case-definitions/:caseDefinitionId", designer, "Update a case definition's category", a.putCaseDefinition},
		{"GET", "/cmmn-repository/case-definitions/:caseDefinitionId/resourcedata", designer, "Get a case definition's resource content", a.getCaseDefinitionResource},
		{"GET", "/cmmn-repository/case-definitions/:caseDefinitionId/model", designer, "Get a case definition's model", a.getCaseDefinitionModel},
		{"GET", "/repository/case-definitions/:caseDefinitionId/identitylinks", designer, "List a case definition's candidate starters (the seed's literal path)", a.listStarterLinks},
		{"GET", "/cmmn-repository/case-definitions/:caseDefinitionId/identitylinks", designer, "List a case definition's candidate starters", a.listStarterLinks},
		{"POST", "/cmmn-repository/case-definitions/:caseDefinitionId/identitylinks", designer, "Add a candidate starter to a case definition", a.addStarterLink},
		{"GET", "/cmmn-repository/case-definitions/:caseDefinitionId/identitylinks/:family/:identityId", designer, "Get a candidate starter of a case definition", a.getStarterLink},
		{"DELETE", "/cmmn-repository/case-definitions/:caseDefinitionId/identitylinks/:family/:identityId", designer, "Remove a candidate starter from a case definition", a.removeStarterLink},

		{"GET", "/cmmn-runtime/plan-item-instances", "", "List plan item instances", a.listPlanItems},
		{"GET", "/cmmn-runtime/plan-item-instances/:planItemInstanceId", "", "Get a plan item instance", a.getPlanItem},
		{"PUT", "/cmmn-runtime/plan-item-instances/:planItemInstanceId", "", "Act on a plan item instance", a.actOnPlanItem},
	}, slices.Concat(a.caseRoutes(), a.taskRoutes(), a.historyRoutes(), a.jobRoutes())...)
}

// Mount serves the API under Prefix on r (the web server's app), and the external
// worker API under ExternalPrefix (external_job.go): every request is
// authenticated, every error answers in the API's shape, and an unknown route under
// the prefix is a 404 in that shape too.
func (a *API) Mount(r fiber.Router) {
	g := r.Group(Prefix, a.errors, a.authenticate)
	for _, rt := range a.routes() {
		h := rt.handler
		if rt.role != "" {
			g.Add(rt.method, rt.path, requireRole(rt.role), h)
		} else {
			g.Add(rt.method, rt.path, h)
		}
	}
	g.All("/*", a.noRoute)
	r.All(Prefix, a.errors, a.noRoute)
	a.mountExternal(r)
}

// noRoute answers a request no route took: 405 (with Allow) when the path is a
// resource of the API under another method (the seed: "尝试更新(PUT)部署资源将导致
// 405"), else 404.
func (a *API) noRoute(c *fiber.Ctx) error {
	path := strings.TrimPrefix(c.Path(), Prefix)
	var allow []string
	for _, rt := range a.table {
		if rt.pattern.MatchString(path) && !slices.Contains(allow, rt.method) {
			allow = append(allow, rt.method)
		}
	}
	if len(allow) > 0 {
		c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
		return errStatus(fiber.StatusMethodNotAllowed, "method %s is not allowed on %s; use %s", c.Method(), c.Path(), strings.Join(allow, ", "))
	}
	return errStatus(fiber.StatusNotFound, "no such resource: %s %s", c.Method(), c.Path())
}

// compiledRoute is a route with its path as a regular expression (for 405s).
type compiledRoute struct {
	method  string
	pattern *regexp.Regexp
}

func compileRoutes(rs []route) []compiledRoute {
	out := make([]compiledRoute, 0, len(rs))
	for _, rt := range rs {
		expr := "^" + regexp.MustCompile(`:[A-Za-z]+`).ReplaceAllString(regexp.QuoteMeta(rt.path), `[^/]+`) + "$"
		out = append(out, compiledRoute{rt.method, regexp.MustCompile(expr)})
	}
	return out
}

// caller returns the authenticated user of the request.
func caller(c *fiber.Ctx) *engine.User {
	u, _ := c.Locals(localUser).(*engine.User)
	return u
}

const localUser = "flowable.user"

// param reads a route parameter, percent-decoded (a resource id may hold an encoded
// slash, as the seed says), copied (Fiber reuses its buffers).
func param(c *fiber.Ctx, name string) string {
	v := c.Params(name)
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return strings.Clone(v)
}
