package flowable_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// The seed's response examples are kept verbatim (seed 003, lines ~415-1340), but for
// the plan item list's "..." (an elision) and the stage overview's trailing commas.
// An answer has the example's shape when every object has exactly the example's keys
// and every value the example's JSON type, recursively (an example array's first
// element describes every element of the answer's). A null in the example stands for
// any value (Flowable shows null where a value may be); a string of the example may be
// null in the answer (nullable in Flowable's model).

// shape reports the first difference of answer from the example's shape, or "".
func shape(path string, example, answer any) string {
	switch ex := example.(type) {
	case nil:
		return ""
	case map[string]any:
		an, ok := answer.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %s, want an object", path, kind(answer))
		}
		exKeys, anKeys := slices.Sorted(maps.Keys(ex)), slices.Sorted(maps.Keys(an))
		if !slices.Equal(exKeys, anKeys) {
			return fmt.Sprintf("%s: keys %v, want %v", path, anKeys, exKeys)
		}
		for _, k := range exKeys {
			if d := shape(path+"."+k, ex[k], an[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		an, ok := answer.([]any)
		if !ok {
			return fmt.Sprintf("%s: %s, want an array", path, kind(answer))
		}
		if len(ex) == 0 {
			return ""
		}
		for i, v := range an {
			if d := shape(fmt.Sprintf("%s[%d]", path, i), ex[0], v); d != "" {
				return d
			}
		}
		return ""
	case string:
		if answer == nil {
			return ""
		}
	}
	if kind(example) != kind(answer) {
		return fmt.Sprintf("%s: %s, want %s", path, kind(answer), kind(example))
	}
	return ""
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// seedExample parses a verbatim example.
func seedExample(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("seed example does not parse: %v", err)
	}
	return v
}

// hasShape fails the test when the reply differs from the example's shape.
func hasShape(t *testing.T, what string, example string, r reply) {
	t.Helper()
	if d := shape(what, seedExample(t, example), r.json(t)); d != "" {
		t.Errorf("%s: %s\n%s", what, d, r.Body)
	}
}

// TestShapeMatcher: the matcher itself.
func TestShapeMatcher(t *testing.T) {
	ex := map[string]any{"a": "x", "b": nil, "c": []any{map[string]any{"d": 1.0}}}
	for _, c := range []struct {
		answer string
		ok     bool
	}{
		{`{"a": "y", "b": 3, "c": [{"d": 2}, {"d": 3}]}`, true},
		{`{"a": null, "b": null, "c": []}`, true},
		{`{"a": 1, "b": null, "c": []}`, false},
		{`{"a": "y", "b": null}`, false},
		{`{"a": "y", "b": null, "c": [], "e": 1}`, false},
		{`{"a": "y", "b": null, "c": [{"d": "2"}]}`, false},
	} {
		var an any
		json.Unmarshal([]byte(c.answer), &an)
		if d := shape("$", ex, an); (d == "") != c.ok {
			t.Errorf("%s: %q", c.answer, d)
		}
	}
}

const seedDeploymentList = `{
    "data": [
        {
            "id": "59eca679-3c6b-11ea-8548-38c986587585",
            "name": "test-case",
            "deploymentTime": "2020-01-21T17:30:35.607+01:00",
            "category": null,
            "parentDeploymentId": null,
            "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585",
            "tenantId": ""
        }
    ],
    "total": 1,
    "start": 0,
    "sort": "id",
    "order": "asc",
    "size": 1
}`

const seedDeployment = `{
    "id": "59eca679-3c6b-11ea-8548-38c986587585",
    "name": "test-case",
    "deploymentTime": "2020-01-21T17:30:35.607+01:00",
    "category": null,
    "parentDeploymentId": null,
    "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585",
    "tenantId": ""
}`

const seedResources = `[
    {
        "id": "test-case.cmmn.xml",
        "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.cmmn.xml",
        "contentUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resourcedata/test-case.cmmn.xml",
        "mediaType": "text/xml",
        "type": "caseDefinition"
    },
    {
        "id": "test-case.testCase.png",
        "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.testCase.png",
        "contentUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resourcedata/test-case.testCase.png",
        "mediaType": "image/png",
        "type": "resource"
    }
]`

const seedResource = `{
    "id": "test-case.cmmn.xml",
    "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.cmmn.xml",
    "contentUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resourcedata/test-case.cmmn.xml",
    "mediaType": "text/xml",
    "type": "caseDefinition"
}`

const seedCaseDefinitionList = `{
    "data": [
        {
            "id": "59fd213c-3c6b-11ea-8548-38c986587585",
            "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585",
            "key": "testCase",
            "version": 1,
            "name": "Test Case",
            "description": null,
            "tenantId": "",
            "deploymentId": "59eca679-3c6b-11ea-8548-38c986587585",
            "deploymentUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585",
            "resource": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.cmmn.xml",
            "diagramResource": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.testCase.png",
            "category": "http://flowable.org/cmmn",
            "graphicalNotationDefined": true,
            "startFormDefined": false
        }
    ],
    "total": 1,
    "start": 0,
    "sort": "name",
    "order": "asc",
    "size": 1
}`

const seedCaseDefinition = `{
    "id": "59fd213c-3c6b-11ea-8548-38c986587585",
    "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585",
    "key": "testCase",
    "version": 1,
    "name": "Test Case",
    "description": null,
    "tenantId": "",
    "deploymentId": "59eca679-3c6b-11ea-8548-38c986587585",
    "deploymentUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585",
    "resource": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.cmmn.xml",
    "diagramResource": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/deployments/59eca679-3c6b-11ea-8548-38c986587585/resources/test-case.testCase.png",
    "category": "http://flowable.org/cmmn",
    "graphicalNotationDefined": true,
    "startFormDefined": false
}`

const seedPlanItem = `{
    "id": "09618702-3c78-11ea-8548-38c986587585",
    "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/plan-item-instances/09618702-3c78-11ea-8548-38c986587585",
    "name": null,
    "caseInstanceId": "095fd94e-3c78-11ea-8548-38c986587585",
    "caseInstanceUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/case-instances/095fd94e-3c78-11ea-8548-38c986587585",
    "caseDefinitionId": "59fd213c-3c6b-11ea-8548-38c986587585",
    "caseDefinitionUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585",
    "derivedCaseDefinitionId": null,
    "derivedCaseDefinitionUrl": null,
    "stageInstanceId": null,
    "stageInstanceUrl": null,
    "planItemDefinitionId": "expandedStage1",
    "planItemDefinitionType": "stage",
    "state": "active",
    "stage": true,
    "elementId": "planItem2",
    "createTime": "2020-01-21T19:01:23.934+01:00",
    "lastAvailableTime": "2020-01-21T19:01:23.942+01:00",
    "lastEnabledTime": null,
    "lastDisabledTime": null,
    "lastStartedTime": "2020-01-21T19:01:23.974+01:00",
    "lastSuspendedTime": null,
    "completedTime": null,
    "occurredTime": null,
    "terminatedTime": null,
    "exitTime": null,
    "endedTime": null,
    "startUserId": null,
    "referenceId": null,
    "referenceType": null,
    "completable": false,
    "entryCriterionId": null,
    "exitCriterionId": null,
    "formKey": null,
    "extraValue": null,
    "tenantId": ""
}`

// seedPlanItemList is the list example with its "..." elision removed.
var seedPlanItemList = `{
    "data": [` + seedPlanItem + `],
    "total": 3,
    "start": 0,
    "sort": "createTime",
    "order": "asc",
    "size": 3
}`
