package flowable

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// query holds a request's query string and reads typed parameters strictly (seed 003
// "REST URL 查询参数"): a malformed value is a 400 naming the parameter.
type query struct{ v url.Values }

func newQuery(c *fiber.Ctx) query {
	v, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		v = url.Values{}
		c.Request().URI().QueryArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	}
	return query{v}
}

// str is a String parameter ("" when absent).
func (q query) str(name string) string { return q.v.Get(name) }

// has reports whether the parameter was sent.
func (q query) has(name string) bool { return q.v.Has(name) }

// integer is an Integer parameter (32-bit); nil when absent.
func (q query) integer(name string) (*int64, error) {
	return q.number(name, math.MinInt32, math.MaxInt32, "Integer")
}

func (q query) number(name string, lo, hi int64, typ string) (*int64, error) {
	if !q.has(name) {
		return nil, nil
	}
	s := q.v.Get(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return nil, badRequest("query parameter %s must be an %s (a whole number from %d to %d), not %q", name, typ, lo, hi, s)
	}
	return &n, nil
}

// boolean is a Boolean parameter: exactly true or false; nil when absent.
func (q query) boolean(name string) (*bool, error) {
	if !q.has(name) {
		return nil, nil
	}
	switch s := q.v.Get(name); s {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	default:
		return nil, badRequest("query parameter %s must be true or false, not %q", name, s)
	}
}

// date is a Date parameter (ISO-8601 with date and time); nil when absent.
func (q query) date(name string) (*time.Time, error) {
	if !q.has(name) {
		return nil, nil
	}
	s := q.v.Get(name)
	t, ok := parseISO(s)
	if !ok && strings.Count(s, " ") == 1 {
		// An offset's "+" sent unencoded arrives as a space (2020-01-01T10:00 08:00).
		t, ok = parseISO(strings.Replace(s, " ", "+", 1))
	}
	if !ok {
		return nil, badRequest("query parameter %s must be an ISO-8601 date and time like 2013-04-03T23:45Z or 2013-04-03T23:45:10.123+01:00, not %q", name, s)
	}
	return &t, nil
}

// isoLayouts are the ISO-8601 forms accepted: minutes or seconds (with a fraction),
// Z or an offset with or without its colon.
var isoLayouts = []string{
	"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04-0700", "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.999999999-0700",
}

func parseISO(s string) (time.Time, bool) {
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isoTime formats unix milliseconds as the seed does (2020-01-21T17:30:35.607+01:00);
// nil for 0 (never).
func isoTime(ms int64, loc *time.Location) any {
	if ms == 0 {
		return nil
	}
	return time.UnixMilli(ms).In(loc).Format("2006-01-02T15:04:05.000Z07:00")
}

// paging is start, size, sort and order of a list (seed 003 "分页和排序").
type paging struct {
	Start, Size int
	Sort, Order string
}

// pageParams reads start (default 0), size (default 10), sort (one of sorts; default
// the first) and order (asc|desc, default asc).
func pageParams(q query, sorts ...string) (paging, error) {
	p := paging{Size: 10, Sort: sorts[0], Order: "asc"}
	if n, err := q.integer("start"); err != nil {
		return p, err
	} else if n != nil {
		if *n < 0 {
			return p, badRequest("query parameter start must not be negative")
		}
		p.Start = int(*n)
	}
	if n, err := q.integer("size"); err != nil {
		return p, err
	} else if n != nil {
		if *n < 0 {
			return p, badRequest("query parameter size must not be negative")
		}
		p.Size = int(*n)
	}
	if q.has("sort") {
		s := q.str("sort")
		if !slices.Contains(sorts, s) {
			return p, badRequest("query parameter sort must be one of %s, not %q", strings.Join(sorts, ", "), s)
		}
		p.Sort = s
	}
	if q.has("order") {
		switch o := q.str("order"); o {
		case "asc", "desc":
			p.Order = o
		default:
			return p, badRequest("query parameter order must be asc or desc, not %q", o)
		}
	}
	return p, nil
}

// listResponse is a list of the API: {data, total, start, sort, order, size}, size
// being the number of items answered.
type listResponse[T any] struct {
	Data  []T    `json:"data"`
	Total int    `json:"total"`
	Start int    `json:"start"`
	Sort  string `json:"sort"`
	Order string `json:"order"`
	Size  int    `json:"size"`
}

// page sorts items by key (then by id, stable) and cuts the requested page.
func page[T any](items []T, p paging, key func(T) string, id func(T) string, numeric bool) listResponse[T] {
	slices.SortStableFunc(items, func(a, b T) int {
		var c int
		if numeric {
			x, _ := strconv.ParseFloat(key(a), 64)
			y, _ := strconv.ParseFloat(key(b), 64)
			c = cmp.Compare(x, y)
		} else {
			c = strings.Compare(key(a), key(b))
		}
		if c == 0 {
			c = strings.Compare(id(a), id(b))
		}
		if p.Order == "desc" {
			c = -c
		}
		return c
	})
	out := listResponse[T]{Total: len(items), Start: p.Start, Sort: p.Sort, Order: p.Order, Data: []T{}}
	if p.Start < len(items) {
		end := len(items)
		if p.Size < end-p.Start {
			end = p.Start + p.Size
		}
		out.Data = items[p.Start:end]
	}
	out.Size = len(out.Data)
	return out
}

// baseURL is the scheme and host of the request with the API's prefix, so that url
// fields resolve to this server.
func baseURL(c *fiber.Ctx) string {
	return c.Protocol() + "://" + c.Hostname() + Prefix
}
