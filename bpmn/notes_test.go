package bpmn

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoteCodesDeclared checks that every code the importer passes to nt has an
// English template, and that every template is used: the locale files hold
// "bpmn.note.<code>" for exactly these (ui.TestBPMNNoteCodesHaveMessages).
func TestNoteCodesDeclared(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	use := regexp.MustCompile(`\bnt\("([a-z_0-9]+)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
			if _, ok := noteTexts[m[1]]; !ok {
				t.Errorf("%s: note code %q has no English template in noteTexts", f, m[1])
			}
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d note codes; is the scan broken?", len(used))
	}
	for _, c := range NoteCodes() {
		if !used[c] {
			t.Errorf("note code %q is declared but never used", c)
		}
	}
}

// TestNoteText fills placeholders and leaves other braces alone.
func TestNoteText(t *testing.T) {
	n := nt("condition_untranslated", "text", "${a > 1}", "reason", "bad")
	if got, want := n.text(), `condition "${a > 1}" cannot be translated (bad); the flow is never taken`; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got := nt("connector_output").text(); !strings.Contains(got, "{status, headers, body}") {
		t.Errorf("text = %q", got)
	}
}

// TestImportCorpusNotesHaveCodes imports every file of testdata/import and checks
// that each note carries a known code and that its English text is the template's.
func TestImportCorpusNotesHaveCodes(t *testing.T) {
	entries, err := os.ReadDir("testdata/import")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, e := range entries {
		res := importFile(t, e.Name(), Options{})
		for _, list := range [][]Note{res.Report.Approximated, res.Report.Dropped} {
			for _, n := range list {
				count++
				if _, ok := noteTexts[n.Code]; !ok {
					t.Errorf("%s: note %+v has no known code", e.Name(), n)
					continue
				}
				if got := n.How + n.Why; got != noteText(n.Code, n.Params) {
					t.Errorf("%s: note %+v: text %q is not its code's", e.Name(), n, got)
				}
			}
		}
	}
	if count < 10 {
		t.Errorf("the corpus made only %d notes", count)
	}
}
