package web_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPICoversRoutes: the document lists exactly the /api routes the app serves.
func TestOpenAPICoversRoutes(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "GET", "/api/openapi.json", "lisi", nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	doc := r.json(t)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	param := regexp.MustCompile(`\{[^}]+\}|:[A-Za-z]+`)
	norm := func(method, path string) string {
		return strings.ToUpper(method) + " " + param.ReplaceAllString(path, "*")
	}
	documented := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented[norm(method, path)] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range e.app.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/") || rt.Method == "HEAD" || rt.Method == "USE" {
			continue
		}
		if strings.HasPrefix(rt.Path, "/api/hooks/") {
			continue // webhooks are described in the document's description
		}
		served[norm(rt.Method, rt.Path)] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("undocumented routes %v; documented but not served %v", missing, extra)
	}
	if r := e.call(t, "GET", "/api/openapi.json", "", nil); r.Status != 401 {
		t.Errorf("openapi without credentials: %d", r.Status)
	}
}
