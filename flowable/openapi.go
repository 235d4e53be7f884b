package flowable

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

var routeParam = regexp.MustCompile(`:([A-Za-z]+)`)

// openAPIDoc is the OpenAPI 3.1 document of this surface, built from the route table
// (so it lists exactly what is served; flowable's TestOpenAPICoversRoutes checks it
// against the router).
func (a *API) openAPIDoc(server string) map[string]any {
	paths := openAPIPaths(a.routes(), "")
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "flowcraft — Flowable CMMN REST API (seed 003)", "version": a.deps.Version,
			"description": "Flowable's REST API served by flowcraft; see docs/flowable-api.md for the mapping."},
		"servers": []any{map[string]any{"url": server}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"basic": map[string]any{"type": "http", "scheme": "basic"},
				"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "required": []any{"statusCode", "errorMessage"},
				"properties": map[string]any{"statusCode": map[string]any{"type": "integer"}, "errorMessage": map[string]any{"type": "string"}}}},
		},
		"security": []any{map[string]any{"basic": []any{}}, map[string]any{"bearer": []any{}}},
	}
}

// openAPI handles GET /flowable-rest/cmmn-api/openapi.json.
func (a *API) openAPI(c *fiber.Ctx) error {
	return c.JSON(a.openAPIDoc(baseURL(c)))
}

// openAPIPaths is the paths object of routes; roleNote, when not "", describes every
// route that needs a role (else "Needs the <role> role or above.").
func openAPIPaths(routes []route, roleNote string) map[string]any {
	paths := map[string]any{}
	errBody := map[string]any{"$ref": "#/components/schemas/Error"}
	for _, rt := range routes {
		p := routeParam.ReplaceAllString(rt.path, "{$1}")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		var params []any
		for _, m := range routeParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		op := map[string]any{
			"summary": rt.summary,
			"responses": map[string]any{
				"default": map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": errBody}}},
			},
		}
		if rt.role != "" {
			op["description"] = "Needs the " + rt.role + " role or above."
			if roleNote != "" {
				op["description"] = roleNote
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		item[strings.ToLower(rt.method)] = op
	}
	return paths
}
