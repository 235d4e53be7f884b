package ui

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// testCat is the real catalogue, loaded once for the package's tests.
var testCat = MustLoadCatalog()

func TestT(t *testing.T) {
	if got := testCat.T(ZhCN, "nav.inbox"); got != "待办" {
		t.Errorf("zh nav.inbox = %q", got)
	}
	if got := testCat.T(En, "nav.inbox"); got != "Inbox" {
		t.Errorf("en nav.inbox = %q", got)
	}
	if got := testCat.T("fr", "nav.inbox"); got != "Inbox" {
		t.Errorf("unknown language should fall back to English, got %q", got)
	}
	if got := testCat.T("ZH-cn", "nav.inbox"); got != "待办" {
		t.Errorf("a language in other case should be found, got %q", got)
	}
	if got := testCat.T(ZhCN, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key should give the key, got %q", got)
	}
	if got := testCat.For(En).Tf("pager.range", "from", 1, "to", 20, "total", 57); got != "1–20 of 57" {
		t.Errorf("Tf = %q", got)
	}
	if got := testCat.For(ZhCN).Format("pager.range", map[string]any{"from": 1, "to": 20.0, "total": json.Number("57")}); got != "第 1–20 条，共 57 条" {
		t.Errorf("Format = %q", got)
	}
	// A value that is not given leaves its placeholder; other braces are text.
	if got := fill("{a} and {b} {{ x }} {\"k\"}", func(n string) (any, bool) { return "A", n == "a" }); got != "A and {b} {{ x }} {\"k\"}" {
		t.Errorf("fill = %q", got)
	}
	if got := (Translator{}).T("nav.inbox"); got != "nav.inbox" {
		t.Errorf("zero translator = %q", got)
	}
	if got := FormatTime(1717171200000); got != "2024-05-31 16:00" {
		t.Errorf("FormatTime = %q", got)
	}
}

// TestLocaleFilesCheck feeds loadCatalog broken locale files: a key in one
// language only, a placeholder that differs, an empty message, bad JSON.
func TestLocaleFilesCheck(t *testing.T) {
	cases := []struct {
		name, en, zh, want string
	}{
		{"ok", `{"a.b": "Hi {name}"}`, `{"a.b": "你好 {name}"}`, ""},
		{"only in en", `{"a.b": "x", "a.c": "y"}`, `{"a.b": "x"}`, `"a.c" is in en but not in zh-CN`},
		{"only in zh", `{"a.b": "x"}`, `{"a.b": "x", "a.d": "y"}`, `"a.d" is in zh-CN but not in en`},
		{"placeholders", `{"a.b": "{n} of {total}"}`, `{"a.b": "共 {count} 条"}`, `"a.b" has placeholders [n total] in en but [count] in zh-CN`},
		{"empty", `{"a.b": " "}`, `{"a.b": "x"}`, `en: "a.b" is empty`},
		{"bad json", `{"a.b": 1}`, `{"a.b": "x"}`, "cannot unmarshal"},
	}
	for _, c := range cases {
		fsys := fstest.MapFS{
			"l/en.json":    {Data: []byte(c.en)},
			"l/zh-CN.json": {Data: []byte(c.zh)},
		}
		_, err := loadCatalog(fsys, "l")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
	if _, err := loadCatalog(fstest.MapFS{"l/en.json": {Data: []byte(`{}`)}}, "l"); err == nil {
		t.Error("a missing language file should fail")
	}
}

// TestLocaleFilesFormat checks that the locale files are what a person edits
// comfortably and diffs cleanly: one flat object, keys sorted, two-space
// indentation, UTF-8 (no \u escapes), "area.item" keys.
func TestLocaleFilesFormat(t *testing.T) {
	keyRE := regexp.MustCompile(`^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$`)
	for _, l := range Langs() {
		name := filepath.Join("locales", string(l)+".json")
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(raw, &msgs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(msgs) // maps encode with sorted keys
		if !bytes.Equal(raw, want.Bytes()) {
			t.Errorf("%s is not sorted, pretty-printed JSON (two-space indent, no escapes, final newline)", name)
		}
		for k := range msgs {
			if !keyRE.MatchString(k) {
				t.Errorf("%s: key %q is not a dotted area.item name", name, k)
			}
		}
	}
	if n := len(testCat.Keys()); n < 500 {
		t.Errorf("only %d keys", n)
	}
}

// TestGoKeysExist checks that every message key written in the templates and
// Go helpers of ui (any quoted dotted lower-case name) and every key web's
// handlers pass to T or Tf is in both locales.
func TestGoKeysExist(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil {
		t.Fatal(err)
	}
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if !strings.HasSuffix(f, "_test.go") && !strings.HasSuffix(f, "_templ.go") {
			files = append(files, f)
		}
	}
	keyRE := regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-zA-Z0-9_-]+)+)"`)
	seen := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			if !strings.HasSuffix(m[1], ".json") {
				seen[m[1]] = true
			}
		}
	}
	if len(seen) < 50 {
		t.Fatalf("found only %d keys in ui; is the scan broken?", len(seen))
	}
	web, _ := filepath.Glob(filepath.Join("..", "web", "*.go"))
	callRE := regexp.MustCompile(`\.Tf?\(\s*(?:[a-zA-Z_.()]+,\s*)?"([a-z][a-z0-9_]*(?:\.[a-zA-Z0-9_-]+)+)"`)
	webKeys := 0
	for _, f := range web {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range callRE.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
			webKeys++
		}
	}
	if webKeys < 5 {
		t.Fatalf("found only %d keys in web; is the scan broken?", webKeys)
	}
	checkKeys(t, "Go", seen)
}

// checkKeys reports every key of seen that a locale lacks.
func checkKeys(t *testing.T, where string, seen map[string]bool) {
	t.Helper()
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, l := range Langs() {
		tr := testCat.For(l)
		for _, k := range keys {
			if !tr.Has(k) {
				t.Errorf("%s uses %q, which %s lacks", where, k, l)
			}
		}
	}
}

func TestPlaceholders(t *testing.T) {
	if got := Placeholders("{b} {a} {b} {{ x }} {1}"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Placeholders = %v", got)
	}
}

// BenchmarkT measures one message lookup: it must allocate nothing (before the
// catalogue moved to locale files, every lookup rebuilt both Go maps: about
// 22 µs and 41 KB in 4 allocations per call).
func BenchmarkT(b *testing.B) {
	b.ReportAllocs()
	b.Run("catalog", func(b *testing.B) {
		for b.Loop() {
			_ = testCat.T(ZhCN, "processes.title")
		}
	})
	b.Run("translator", func(b *testing.B) {
		tr := testCat.For(ZhCN)
		for b.Loop() {
			_ = tr.T("processes.title")
		}
	})
	b.Run("missing", func(b *testing.B) {
		tr := testCat.For(En)
		for b.Loop() {
			_ = tr.T("no.such.key")
		}
	})
}

// TestTAllocatesNothing is BenchmarkT's promise as a test.
func TestTAllocatesNothing(t *testing.T) {
	tr := testCat.For(ZhCN)
	if n := testing.AllocsPerRun(100, func() {
		_ = testCat.T(ZhCN, "processes.title")
		_ = tr.T("nav.inbox")
		_ = tr.T("no.such.key")
		_ = testCat.T("zh-cn", "nav.inbox")
	}); n != 0 {
		t.Errorf("T allocates %v times per call", n)
	}
}
