package web

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"flowcraft/engine"
	"flowcraft/identity"
	"flowcraft/ui"
)

// loginCSRFCookie holds the CSRF token of the sign-in form (there is no session yet).
const loginCSRFCookie = "flowcraft_login_csrf"

// pages serves the server-rendered browser UI.
type pages struct {
	s   *Server
	cat *ui.Catalog // the messages, parsed once from the embedded locale files
}

func newPages(s *Server) *pages { return &pages{s: s, cat: ui.MustLoadCatalog()} }

func (p *pages) routes(app *fiber.App) {
	if p.s.deps.Static != nil {
		app.Use("/static", filesystem.New(filesystem.Config{
			Root:   http.FS(p.s.deps.Static),
			MaxAge: 3600,
		}))
	}
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/processes", fiber.StatusFound) })
	app.Get("/login", p.loginForm)
	app.Post("/login", p.loginSubmit)
	app.Post("/logout", p.logoutSubmit)
	app.Get("/lang", p.setLang)
	app.Post("/lang", p.setLang)
	app.Get("/processes", p.requireSession, p.processes)
	app.Get("/processes/new", p.requireSession, p.s.requireRole(engine.RoleDesigner), p.designNew)
	app.Get("/processes/:id/design", p.requireSession, p.s.requireRole(engine.RoleDesigner), p.design)
	p.opsRoutes(app)
}

// lang picks the UI language of a request.
func lang(c *fiber.Ctx) ui.Lang {
	return ui.PickLang(c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
}

// tr is the translator of a request's UI language.
func (p *pages) tr(c *fiber.Ctx) ui.Translator { return p.cat.For(lang(c)) }

// frame builds the common page data.
func (p *pages) frame(c *fiber.Ctx, title string) ui.Page {
	pg := ui.Page{Lang: lang(c), Path: strings.Clone(c.Path()), Title: title, Catalog: p.cat}
	if u := caller(c); u != nil {
		pg.User = &ui.PageUser{ID: u.ID, Name: u.Name, Role: u.Role}
	}
	if s := callerSession(c); s != nil {
		pg.CSRF = s.CSRF
	}
	return pg
}

// render writes a page; its times show in the server's time zone (Config.Location).
func (p *pages) render(c *fiber.Ctx, status int, comp templ.Component) error {
	c.Status(status)
	c.Type("html", "utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return comp.Render(ui.WithLocation(c.UserContext(), p.s.cfg.Location), c.Response().BodyWriter())
}

// requireSession lets signed-in browsers through and sends others to the sign-in page.
func (p *pages) requireSession(c *fiber.Ctx) error {
	u, sess, err := p.s.identify(c)
	if err != nil {
		if errors.Is(err, engine.ErrUnauthorized) {
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusFound)
		}
		return err
	}
	c.Locals(localUser, u)
	if sess != nil {
		c.Locals(localSession, sess)
	}
	return c.Next()
}

// loginForm handles GET /login.
func (p *pages) loginForm(c *fiber.Ctx) error {
	return p.renderLogin(c, fiber.StatusOK, "", "", c.Query("next"))
}

func (p *pages) renderLogin(c *fiber.Ctx, status int, msg, username, next string) error {
	token := engine.NewSecret()
	c.Cookie(&fiber.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, Secure: p.s.secure(c), Expires: time.Now().Add(time.Hour)})
	pg := p.frame(c, p.tr(c).T("login.title"))
	pg.CSRF = token
	return p.render(c, status, ui.LoginPage(ui.LoginData{Page: pg, Error: msg, Next: safeNext(next), Username: username}))
}

// loginSubmit handles POST /login (an HTML form).
func (p *pages) loginSubmit(c *fiber.Ctx) error {
	tr := p.tr(c)
	want, got := c.Cookies(loginCSRFCookie), c.FormValue(csrfFormField)
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return p.renderLogin(c, fiber.StatusForbidden, tr.Error(string(engine.CodeCSRF), nil, "missing or wrong CSRF token"), "", c.FormValue("next"))
	}
	user := strings.Clone(strings.TrimSpace(c.FormValue("username")))
	secret, sess, _, err := p.s.deps.Identity.Login(c.UserContext(), user, c.FormValue("password"), c.IP())
	if errors.Is(err, engine.ErrUnauthorized) || errors.Is(err, engine.ErrTooMany) || errors.Is(err, engine.ErrUnavailable) ||
		errors.Is(err, engine.ErrForbidden) {
		// Wrong credentials, throttled, busy, or a worker account (no UI): the form again, with the error's
		// message in the page's language (toAPIError also sets Retry-After).
		e := p.s.toAPIError(c, err)
		return p.renderLogin(c, e.StatusCode, tr.Error(string(e.Code), e.Params, e.ErrorMessage), user, c.FormValue("next"))
	}
	if err != nil {
		return err
	}
	p.s.setSessionCookie(c, secret, time.UnixMilli(sess.ExpiresAt))
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// logoutSubmit handles POST /logout.
func (p *pages) logoutSubmit(c *fiber.Ctx) error {
	secret := c.Cookies(sessionCookie)
	if secret != "" {
		sess, _, err := p.s.deps.Identity.SessionUser(c.UserContext(), secret)
		if err == nil && !identity.CSRFMatches(sess, c.FormValue(csrfFormField)) {
			return codedErr(fiber.StatusForbidden, engine.CodeCSRF, nil, "missing or wrong CSRF token")
		}
		if err := p.s.deps.Identity.Logout(c.UserContext(), secret); err != nil {
			return err
		}
	}
	p.s.clearSessionCookie(c)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// setLang handles GET|POST /lang?l=en&next=/processes: remembers the UI language.
func (p *pages) setLang(c *fiber.Ctx) error {
	l := c.FormValue("l")
	if l == "" {
		l = c.Query("l")
	}
	if l != string(ui.ZhCN) && l != string(ui.En) {
		return codedErr(fiber.StatusBadRequest, codeBadLanguage, engine.Params{"allowed": "zh-CN, en"}, "l must be zh-CN or en")
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: l, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
		SameSite: fiber.CookieSameSiteLaxMode, Secure: p.s.secure(c)})
	next := c.FormValue("next")
	if next == "" {
		next = c.Query("next")
	}
	return c.Redirect(safeNext(next), fiber.StatusSeeOther)
}

// processes handles GET /processes.
func (p *pages) processes(c *fiber.Ctx) error {
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	designer := u.HasRole(engine.RoleDesigner)
	d := ui.ProcessesData{Page: p.frame(c, p.tr(c).T("processes.title")), Query: query(c, "q"),
		Offset: page.Offset, Limit: page.Limit, CanEdit: designer}
	// Designers see every process (and may start those their candidate starters
	// admit); everyone else the processes they may start.
	f := engine.ProcessFilter{Search: d.Query, Page: engine.Page{Limit: page.Limit, Offset: page.Offset, Sort: "updateAt", Desc: true}}
	if !designer {
		on := true
		f.StartableBy, f.Enabled = u, &on
	}
	ps, total, err := p.s.deps.Definitions.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	d.Total = total
	// Which of the page's enabled processes a designer may start (designers pass the
	// webhook rule: the candidate starters decide), in one query.
	startable := map[string]bool{}
	if designer {
		var ids []string
		for _, pr := range ps {
			if pr.Enabled {
				ids = append(ids, pr.ID)
			}
		}
		if len(ids) > 0 {
			ok, _, err := p.s.deps.Definitions.List(c.UserContext(), engine.ProcessFilter{StartableBy: u, IDs: ids,
				Page: engine.Page{Limit: len(ids)}})
			if err != nil {
				return err
			}
			for _, pr := range ok {
				startable[pr.ID] = true
			}
		}
	}
	for _, pr := range ps {
		row := ui.ProcessRow{ID: pr.ID, Name: pr.Name, Description: pr.Description, Engine: pr.Engine,
			TriggerApp: pr.TriggerApp, Enabled: pr.Enabled, Version: pr.Version, Creator: pr.Creator, UpdateAt: pr.UpdateAt,
			Category: pr.Category, Startable: !designer || startable[pr.ID]}
		if !designer && len(pr.InputDataSchema) > 0 {
			row.InputSchema = string(pr.InputDataSchema)
		}
		d.Rows = append(d.Rows, row)
	}
	return p.render(c, fiber.StatusOK, ui.ProcessesPage(d))
}

// designNew handles GET /processes/new: the designer with an empty canvas.
func (p *pages) designNew(c *fiber.Ctx) error {
	return p.renderDesigner(c, p.tr(c).T("designer.title_new"), nil)
}

// design handles GET /processes/:id/design: the designer with a saved definition.
func (p *pages) design(c *fiber.Ctx) error {
	proc, err := p.s.deps.Definitions.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return p.renderDesigner(c, proc.Name, proc)
}

// renderDesigner renders the designer page for proc (nil: a new process).
func (p *pages) renderDesigner(c *fiber.Ctx, title string, proc *engine.Process) error {
	specs, err := json.Marshal(p.s.deps.Templates.Specs())
	if err != nil {
		return err
	}
	d := ui.DesignerData{Page: p.frame(c, title), Templates: specs}
	d.Page.Full = true
	if proc != nil {
		if d.Definition, err = json.Marshal(proc); err != nil {
			return err
		}
		d.ProcessID, d.Name = proc.ID, proc.Name
	}
	return p.render(c, fiber.StatusOK, ui.DesignerPage(d))
}

// renderError renders an error page for a browser request.
func (p *pages) renderError(c *fiber.Ctx, e *APIError) error {
	if caller(c) == nil {
		// Routes without auth (404s, for one) still show who is signed in.
		if u, sess, err := p.s.identify(c); err == nil {
			c.Locals(localUser, u)
			if sess != nil {
				c.Locals(localSession, sess)
			}
		}
	}
	// The error in the page's language, from its code; the English message only
	// for a code without one.
	msg := p.tr(c).Error(string(e.Code), e.Params, e.ErrorMessage)
	if e.StatusCode == fiber.StatusNotFound {
		msg = "" // the page explains a 404 itself; Fiber's "Cannot GET ..." is no help
	}
	return p.render(c, e.StatusCode, ui.ErrorPage(p.frame(c, ""), e.StatusCode, msg))
}

// safeNext keeps redirects on this site: only absolute paths, never "//host".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/processes"
	}
	return strings.Clone(next)
}
