package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// envelope is the success shape: {"response": ...}.
type envelope struct {
	Response any `json:"response"`
}

// listResult is the shape of every list: {"list": [...], "total": N}.
type listResult[T any] struct {
	List  []T `json:"list"`
	Total int `json:"total"`
}

func ok(c *fiber.Ctx, v any) error { return c.JSON(envelope{Response: v}) }

// bare answers v without the envelope: the seed's detail reads (GET /api/process/{id},
// /api/process/{id}/{task_id}, /api/processInst/{inst_id} and
// /api/processInst/{inst_id}/{task_id}) answer the object itself.
func bare(c *fiber.Ctx, v any) error { return c.JSON(v) }

func created(c *fiber.Ctx, v any) error {
	return c.Status(fiber.StatusCreated).JSON(envelope{Response: v})
}

func list[T any](c *fiber.Ctx, items []T, total int) error {
	if items == nil {
		items = []T{}
	}
	return ok(c, listResult[T]{List: items, Total: total})
}

func noContent(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNoContent) }

const (
	defaultLimit = 20
	maxLimit     = 1000
)

// pageParams reads limit, offset, sort and order from the query string.
func pageParams(c *fiber.Ctx) (engine.Page, error) {
	p := engine.Page{Limit: defaultLimit}
	var err error
	if v := c.Query("limit"); v != "" {
		if p.Limit, err = strconv.Atoi(v); err != nil || p.Limit < 1 || p.Limit > maxLimit {
			return p, engine.InvalidField("limit", engine.CodeOutOfRange, engine.Params{"min": 1, "max": maxLimit}, "limit must be a whole number from 1 to %d", maxLimit)
		}
	}
	if v := c.Query("offset"); v != "" {
		if p.Offset, err = strconv.Atoi(v); err != nil || p.Offset < 0 {
			return p, engine.InvalidField("offset", engine.CodeTooSmall, engine.Params{"min": 0}, "offset must be a whole number of 0 or more")
		}
	}
	p.Sort = strings.Clone(c.Query("sort"))
	switch strings.ToLower(c.Query("order")) {
	case "", "asc":
	case "desc":
		p.Desc = true
	default:
		return p, engine.InvalidField("order", engine.CodeOneOf, engine.Params{"allowed": "asc, desc"}, "order must be asc or desc")
	}
	return p, nil
}

// boolQuery reads an optional boolean query parameter.
func boolQuery(c *fiber.Ctx, name string) (*bool, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, engine.InvalidField(name, engine.CodeWrongType, engine.Params{"want": "boolean"}, "%s must be true or false, not %q", name, v)
	}
	return &b, nil
}

// param returns a copy of a route parameter (Fiber reuses its buffers).
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// query returns a copy of a query parameter.
func query(c *fiber.Ctx, name string) string { return strings.Clone(c.Query(name)) }
