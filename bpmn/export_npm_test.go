package bpmn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flowcraft/internal/npmtest"
)

// checkReport is what testdata/npm/bpmn-check.mjs prints.
type checkReport struct {
	Files []struct {
		File     string                       `json:"file"`
		Warnings []string                     `json:"warnings"`
		Error    string                       `json:"error"`
		Lint     map[string][]lintReport      `json:"lint"`
		Elements []map[string]json.RawMessage `json:"elements"`
	} `json:"files"`
	XSD struct {
		Valid  bool `json:"valid"`
		Errors []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"xsd"`
}

type lintReport struct {
	ID       string `json:"id"`
	Message  string `json:"message"`
	Category string `json:"category"`
}

// TestExportThirdParty: the exports of every example, of the test definitions, of
// one definition per template and of the import tests' models are read by bpmn.io's parser (bpmn-moddle, with
// Camunda's descriptor) without a warning, pass bpmnlint's recommended rules without
// an error (warnings are logged) and are valid against the OMG BPMN 2.0 XSD
// (xmllint). All files go through one node process.
func TestExportThirdParty(t *testing.T) {
	modules := npmtest.Modules(t, "bpmn-moddle", "camunda-bpmn-moddle", "bpmnlint", "xmllint-wasm")
	dir := t.TempDir()
	var files []string
	lintable := map[string]bool{} // whole models: bpmnlint judges them (the per-template ones are fragments)
	for _, c := range append(exportDefinitions(t), templateDefinitions()...) {
		out, err := Export(c.p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		f := filepath.Join(dir, strings.TrimSuffix(c.name, ".json")+".bpmn")
		if err := os.WriteFile(f, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		lintable[f] = strings.HasSuffix(c.name, ".json")
	}
	// And the models of the import tests, imported and exported again: other shapes
	// (pools, generated ids, imported metadata), read and validated alike; bpmnlint
	// only logs there (those definitions are not normalised: unnamed tasks).
	imported, _ := filepath.Glob(filepath.Join("testdata", "import", "*"))
	for _, src := range imported {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Import(bytes.NewReader(b), Options{})
		if err != nil {
			continue // the import tests judge these
		}
		for i, imp := range res.Processes {
			out, err := Export(imp.Process)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			f := filepath.Join(dir, fmt.Sprintf("reexport-%s-%d.bpmn", filepath.Base(src), i))
			if err := os.WriteFile(f, out, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	cmd := npmtest.Script(modules, "bpmn-check.mjs", files...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bpmn-check.mjs: %v\n%s", err, stderr.String())
	}
	var rep checkReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("bpmn-check.mjs printed %v: %s", err, out)
	}
	if len(rep.Files) != len(files) {
		t.Fatalf("checked %d files, want %d", len(rep.Files), len(files))
	}
	for _, f := range rep.Files {
		name := filepath.Base(f.File)
		if f.Error != "" {
			t.Errorf("%s: bpmn-moddle failed: %s", name, f.Error)
		}
		if len(f.Warnings) > 0 {
			t.Errorf("%s: bpmn-moddle warns: %v", name, f.Warnings)
		}
		rules := slices.Sorted(func(yield func(string) bool) {
			for r := range f.Lint {
				if !yield(r) {
					return
				}
			}
		})
		for _, rule := range rules {
			for _, r := range f.Lint[rule] {
				if r.Category == "error" && lintable[f.File] {
					t.Errorf("%s: bpmnlint %s: %s: %s", name, rule, r.ID, r.Message)
				} else {
					t.Logf("%s: bpmnlint %s (%s): %s: %s", name, rule, r.Category, r.ID, r.Message)
				}
			}
		}
		// Every flow node carries its flowcraft settings, read by moddle as an
		// extension element of the flowcraft namespace.
		for _, el := range f.Elements {
			var typ string
			json.Unmarshal(el["type"], &typ)
			if typ == "bpmn:SequenceFlow" || typ == "bpmn:BoundaryEvent" { // made from error routes: no settings of their own
				continue
			}
			var exts []struct {
				Type string `json:"type"`
				Body string `json:"body"`
			}
			json.Unmarshal(el["extensions"], &exts)
			if len(exts) != 1 || !strings.HasPrefix(exts[0].Type, "flowcraft:") || !json.Valid([]byte(exts[0].Body)) {
				t.Errorf("%s: %s %s: extensions as moddle reads them: %+v", name, typ, el["id"], exts)
			}
		}
	}
	if !rep.XSD.Valid {
		for _, e := range rep.XSD.Errors {
			t.Errorf("XSD: %s:%d: %s", filepath.Base(e.File), e.Line, e.Message)
		}
		if len(rep.XSD.Errors) == 0 {
			t.Error("XSD: not valid (no error listed)")
		}
	}
}
