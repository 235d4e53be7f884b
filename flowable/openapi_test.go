package flowable_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPICoversRoutes: the API's OpenAPI document lists exactly the routes served
// under the prefix (but the catch-all of unknown routes).
func TestOpenAPICoversRoutes(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "GET", "/openapi.json", "lisi", nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	doc := r.obj(t)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	if s := doc["servers"].([]any)[0].(map[string]any)["url"]; s != "http://flow.example:8080"+prefix {
		t.Errorf("server url %v", s)
	}
	param := regexp.MustCompile(`\{[^}]+\}|:[A-Za-z]+`)
	norm := func(method, path string) string {
		return strings.ToUpper(method) + " " + param.ReplaceAllString(path, "*")
	}
	documented := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented[norm(method, prefix+path)] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range e.app.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, prefix+"/") || rt.Method == "HEAD" || rt.Method == "USE" || strings.HasSuffix(rt.Path, "/*") {
			continue
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
	if !served["PUT "+prefix+"/cmmn-runtime/plan-item-instances/*"] {
		t.Error("the plan item action is not served")
	}
	errorShape(t, e.call(t, "GET", "/openapi.json", "", nil), 401)
}
