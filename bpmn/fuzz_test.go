package bpmn

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport: Import never panics on any input, stays within its bounds, and what it
// returns is a well-formed result (processes with tasks whose ids are unique, a
// report that marshals).
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "import", "*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(defs(`<bpmn:process id="p"><bpmn:subProcess id="s"><bpmn:endEvent id="e"/></bpmn:subProcess><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="s"/></bpmn:process>`)))
	f.Add([]byte(`<!DOCTYPE x><x/>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		res, err := Import(bytes.NewReader(doc), Options{MaxBytes: 1 << 20, MaxElements: 5000, MaxDepth: 32})
		if err != nil {
			return
		}
		if len(res.Processes) == 0 {
			t.Fatal("a result without processes")
		}
		for _, imp := range res.Processes {
			seen := map[string]bool{}
			for _, tk := range imp.Process.Tasks {
				if tk == nil || seen[tk.InstID] || len(tk.Positions) != 2 {
					t.Fatalf("bad task %+v", tk)
				}
				seen[tk.InstID] = true
			}
			for _, tk := range imp.Process.Tasks {
				for _, c := range tk.Connections {
					if !seen[c.To] {
						t.Fatalf("connection to unknown task %s", c.To)
					}
				}
			}
			if !json.Valid(imp.Process.Metadata) {
				t.Fatalf("metadata %s", imp.Process.Metadata)
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}
