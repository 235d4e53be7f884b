package flowable_test

import (
	"strconv"
	"testing"

	"flowcraft/engine"
	"flowcraft/internal/apitest"
)

// TestExternalJobListBeyondOnePage: every filter of the jobs list is the store's, so
// the total and the pages are exact with more jobs than a page and than the 10,000 an
// earlier version read to filter in the handler (its totals stopped there).
func TestExternalJobListBeyondOnePage(t *testing.T) {
	e := newTestEnv(t)
	key := e.define(t, externalDef("Bulk", "bulk"))
	// Tenant beta's 4,100 jobs come first by id, then Acme-EU's 6,000 on two
	// executions (odd i on the second), every 10th with an exception.
	apitest.ExternalJobs(t, e.st.Store, key, 800_001, 500_000, 4_100, "beta", nil)
	const first = 600_000
	jobs := apitest.ExternalJobs(t, e.st.Store, key, 800_002, first, 6_000, "Acme-EU", func(i int, j *engine.ExternalJob) {
		if i%2 == 1 {
			j.NodeID++
		}
		if i%10 == 0 {
			j.ErrorMessage = "stock down"
		}
	})
	execB := jobs[1].NodeID.String()
	list := func(q string) (float64, []string) {
		t.Helper()
		r := e.call(t, "GET", ext+"/jobs"+q, "admin", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", q, r.Status, r.Body)
		}
		return r.obj(t)["total"].(float64), ids(t, r)
	}
	for q, want := range map[string]float64{
		"": 10_100, "?tenantIdLike=acme": 6_000, "?tenantIdLike=%25-eu": 6_000, "?tenantIdLike=_cme%25": 0, "?tenantIdLike=BET%25": 4_100,
		"?executionId=" + execB: 3_000, "?executionId=" + execB + "&tenantIdLike=beta": 0,
		"?withException=true": 600, "?exceptionMessage=stock%20down&tenantIdLike=eu": 600, "?exceptionMessage=stock": 0,
		"?processDefinitionId=" + key + ":1&tenantIdLike=beta": 4_100, "?processDefinitionId=" + key + ":2": 0,
	} {
		if got, _ := list(q); got != want {
			t.Errorf("%s: total %v, want %v", q, got, want)
		}
	}
	id := func(i int) string { return strconv.Itoa(first + i) }
	total, got := list("?executionId=" + execB + "&sort=id&start=2900&size=500")
	if total != 3_000 || len(got) != 100 || got[0] != id(2*2900+1) || got[99] != id(2*2999+1) {
		t.Errorf("last page of execution B: total %v, %d jobs %v", total, len(got), got)
	}
	total, got = list("?tenantIdLike=acme&withException=true&sort=id&order=desc&start=10&size=20")
	if total != 600 || len(got) != 20 || got[0] != id(5990-10*10) || got[19] != id(5990-29*10) {
		t.Errorf("page of Acme's exceptions: total %v, %d jobs %v", total, len(got), got)
	}
}
