package ui

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// AppName is the product name shown in the header and in every <title>.
const AppName = "flowcraft"

// DefaultLimit is the page size the processes pager assumes when ProcessesData.Limit is not set.
const DefaultLimit = 20

// Page is what every page needs for its frame.
type Page struct {
	Lang  Lang
	User  *PageUser // nil on the login page
	CSRF  string    // session CSRF token; every form carries it as hidden input _csrf, and <meta name="csrf-token"> holds it for scripts
	Path  string    // current path, to highlight the nav item and to come back to after a language switch
	Title string    // page title (already translated); the <title> is "Title · flowcraft"
	Flash string    // optional notice shown at the top
	Full  bool      // the content fills the window below the header (the designer) instead of a centred column

	// Catalog holds the messages the page is written in (ui.LoadCatalog, once per server).
	Catalog *Catalog
}

// tr is the translator of the page's language.
func (p Page) tr() Translator { return p.Catalog.For(p.Lang) }

// PageUser is the signed-in user as the frame shows it.
type PageUser struct {
	ID, Name, Role string // Role: admin | designer | user
}

// IsAdmin reports whether the page's user is an administrator.
func (p Page) IsAdmin() bool { return p.User != nil && p.User.Role == "admin" }

// DocTitle is the text of the <title> element: "Title · flowcraft", or just "flowcraft" without a title.
func (p Page) DocTitle() string {
	if strings.TrimSpace(p.Title) == "" {
		return AppName
	}
	return p.Title + " · " + AppName
}

// navItem is one entry of the main navigation.
type navItem struct {
	Key    string // message key of the label
	Href   templ.SafeURL
	Active bool
}

// navItems returns the main navigation for p; Admin only for administrators.
func navItems(p Page) []navItem {
	items := []navItem{
		{Key: "nav.processes", Href: "/processes"},
		{Key: "nav.instances", Href: "/instances"},
		{Key: "nav.inbox", Href: "/inbox"},
		{Key: "nav.history", Href: "/history"},
	}
	if p.IsAdmin() {
		items = append(items, navItem{Key: "nav.admin", Href: "/admin"})
	}
	for i := range items {
		items[i].Active = pathUnder(p.Path, string(items[i].Href))
	}
	return items
}

// pathUnder reports whether path is base or below it ("/processes/x/design" is under "/processes").
func pathUnder(path, base string) bool {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return path == base || strings.HasPrefix(path, base+"/")
}

// langURL is the GET form of the language switch: /lang?l=...&next=....
func langURL(l Lang, next string) templ.SafeURL {
	v := url.Values{}
	v.Set("l", string(l))
	if next != "" {
		v.Set("next", next)
	}
	return templ.SafeURL("/lang?" + v.Encode())
}

// loginNext is where a language switch on the login page comes back to: the login page, keeping its next.
func loginNext(d LoginData) string {
	path := d.Page.Path
	if path == "" {
		path = "/login"
	}
	if d.Next == "" {
		return path
	}
	return path + "?" + url.Values{"next": {d.Next}}.Encode()
}

// roleKey returns the message key of a user role's label.
func roleKey(role string) string {
	switch role {
	case "admin":
		return "role.admin"
	case "designer":
		return "role.designer"
	case "worker":
		return "role.worker"
	default:
		return "role.user"
	}
}

// roleClass returns the badge class of a user role.
func roleClass(role string) string {
	switch role {
	case "admin":
		return "badge-role-admin"
	case "designer":
		return "badge-role-designer"
	case "worker":
		return "badge-role-worker"
	default:
		return "badge-role-user"
	}
}

// initial is the avatar letter of a user name.
func initial(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "?"
	}
	r, _ := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r))
}

// locationKey is the render context's key of the server's time zone.
type locationKey struct{}

// WithLocation returns a render context whose pages show times in loc (the
// server's time zone, web.Config.Location); without it they show UTC.
func WithLocation(ctx context.Context, loc *time.Location) context.Context {
	if loc == nil {
		return ctx
	}
	return context.WithValue(ctx, locationKey{}, loc)
}

// location is the render context's time zone, UTC when none is set.
func location(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(locationKey{}).(*time.Location); ok {
		return loc
	}
	return time.UTC
}

// zoneName is the IANA name of the render context's time zone, for the page
// scripts (<meta name="timezone">); "UTC" when the zone has no usable name.
func zoneName(ctx context.Context) string {
	switch n := location(ctx).String(); n {
	case "", "Local":
		return "UTC"
	default:
		return n
	}
}

// formatTime formats a unix-millisecond time as "2006-01-02 15:04" in the render
// context's time zone (WithLocation); zero gives "—".
func formatTime(ctx context.Context, ms int64) string {
	if ms == 0 {
		return "—"
	}
	return time.UnixMilli(ms).In(location(ctx)).Format("2006-01-02 15:04")
}

// isoTime formats a unix-millisecond time for a <time datetime> attribute.
func isoTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// engineLabel is the translated label of a process engine (standard | fast).
func engineLabel(tr Translator, engine string) string {
	switch engine {
	case "standard":
		return tr.T("engine.standard")
	case "fast":
		return tr.T("engine.fast")
	case "":
		return "—"
	}
	return engine
}

// engineClass is the badge class of a process engine.
func engineClass(engine string) string {
	if engine == "fast" {
		return "badge-fast"
	}
	return "badge-standard"
}

// triggerLabel is the translated label of a trigger template (manual | webhook | cron-timer).
func triggerLabel(tr Translator, app string) string {
	switch app {
	case "manual":
		return tr.T("trigger.manual")
	case "webhook":
		return tr.T("trigger.webhook")
	case "cron-timer":
		return tr.T("trigger.cron")
	case "":
		return "—"
	}
	return app
}

// triggerIcon is the icon name of a trigger template.
func triggerIcon(app string) string {
	switch app {
	case "manual":
		return "hand"
	case "webhook":
		return "link"
	case "cron-timer":
		return "clock"
	}
	return ""
}

// designURL links to a process's designer.
func designURL(id string) templ.SafeURL {
	return templ.SafeURL("/processes/" + url.PathEscape(id) + "/design")
}

// limit is the page size of d, DefaultLimit when unset.
func (d ProcessesData) limit() int {
	if d.Limit <= 0 {
		return DefaultLimit
	}
	return d.Limit
}

// showActions reports whether the table has an actions column: designers edit, and
// users start what they may.
func (d ProcessesData) showActions() bool {
	if d.CanEdit {
		return true
	}
	for _, r := range d.Rows {
		if r.Startable {
			return true
		}
	}
	return false
}

// rangeEnd is the 1-based index of the last row shown.
func (d ProcessesData) rangeEnd() int { return d.Offset + len(d.Rows) }

// total is Total, at least as large as the rows shown.
func (d ProcessesData) total() int { return max(d.Total, d.rangeEnd()) }

// hasPrev reports whether there is a page before this one.
func (d ProcessesData) hasPrev() bool { return d.Offset > 0 }

// hasNext reports whether there is a page after this one.
func (d ProcessesData) hasNext() bool { return d.rangeEnd() < d.total() && len(d.Rows) > 0 }

// pageURL is /processes at offset, keeping the query and the page size.
func (d ProcessesData) pageURL(offset int) templ.SafeURL {
	v := url.Values{}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	if d.Limit > 0 && d.Limit != DefaultLimit {
		v.Set("limit", strconv.Itoa(d.Limit))
	}
	if len(v) == 0 {
		return "/processes"
	}
	return templ.SafeURL("/processes?" + v.Encode())
}

// prevURL links to the previous page.
func (d ProcessesData) prevURL() templ.SafeURL { return d.pageURL(max(0, d.Offset-d.limit())) }

// nextURL links to the next page.
func (d ProcessesData) nextURL() templ.SafeURL { return d.pageURL(d.Offset + d.limit()) }

// errorTitleKey is the message key of the heading of an error page for status.
func errorTitleKey(status int) string {
	switch status {
	case 400:
		return "errpage.400"
	case 401:
		return "errpage.401"
	case 403:
		return "errpage.403"
	case 404:
		return "errpage.404"
	case 409:
		return "errpage.409"
	}
	if status >= 500 {
		return "errpage.500"
	}
	return "errpage.generic"
}

// errorHintKey is the message key of the explanation shown when an error page has no message.
func errorHintKey(status int) string {
	switch status {
	case 401:
		return "errpage.401.hint"
	case 403:
		return "errpage.403.hint"
	case 404:
		return "errpage.404.hint"
	}
	if status >= 500 {
		return "errpage.500.hint"
	}
	return "errpage.generic.hint"
}

// langOrDefault is lang when it is a UI language, else En (the language T falls back to).
func langOrDefault(lang Lang) Lang {
	if l, ok := ParseLang(string(lang)); ok {
		return l
	}
	return En
}

// boolAttr renders a boolean as an ARIA attribute value.
func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// errorPageFrame is p with the error heading as its title when it has none.
func errorPageFrame(p Page, status int) Page {
	if p.Title == "" {
		p.Title = p.tr().T(errorTitleKey(status))
	}
	return p
}
