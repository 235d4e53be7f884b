package bpmn

import (
	"os"
	"testing"
)

// TestImportTestdataValidates imports every file of testdata/import and checks that
// every definition made passes the engine's validation, and that the report counts
// something for the file.
func TestImportTestdataValidates(t *testing.T) {
	entries, err := os.ReadDir("testdata/import")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			res := importFile(t, e.Name(), Options{})
			if len(res.Processes) == 0 || res.Report.Mapped == 0 {
				t.Fatalf("nothing imported: %+v", res)
			}
			for _, imp := range res.Processes {
				validate(t, imp.Process)
				if testing.Verbose() {
					t.Logf("%s: %s", imp.BPMNID, asJSON(imp.Process.Tasks))
				}
			}
			if testing.Verbose() {
				t.Logf("report: %s", asJSON(res.Report))
			}
		})
	}
}
