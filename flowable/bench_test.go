package flowable_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"flowcraft/engine"
)

// BenchmarkListCaseDefinitions: a case definition list is one store query (filters,
// sort and paging in SQL over every definition's versions): 200 definitions of 3
// versions each, the first page sorted by name, latest=true, a name filter, a deep
// page, and the deployments' first page.
func BenchmarkListCaseDefinitions(b *testing.B) {
	e := newTestEnv(b)
	ctx := context.Background()
	for i := range 200 {
		var p engine.Process
		if err := json.Unmarshal([]byte(minimal("def")), &p); err != nil {
			b.Fatal(err)
		}
		p.Name = "def " + string(rune('a'+i%26))
		cur, err := e.st.Definitions.Create(ctx, &p, "dora")
		if err != nil {
			b.Fatal(err)
		}
		for range 2 {
			if cur, err = e.st.Definitions.Replace(ctx, cur.ID, cur, "dora"); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, q := range []string{"case-definitions?", "case-definitions?latest=true", "case-definitions?nameLike=def%20q", "case-definitions?start=550&sort=version", "deployments?"} {
		b.Run("q="+q, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", prefix+"/cmmn-repository/"+q, nil)
				req.Header.Set("Authorization", basic("dora"))
				resp, err := e.app.Test(req, -1)
				if err != nil || resp.StatusCode != 200 {
					b.Fatal(err, resp.StatusCode)
				}
				resp.Body.Close()
			}
		})
	}
}
