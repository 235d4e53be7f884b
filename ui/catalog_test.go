package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/a-h/templ"

	"flowcraft/bpmn"
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
	if got := formatTime(context.Background(), 1717171200000); got != "2024-05-31 16:00" {
		t.Errorf("formatTime without a zone = %q, want UTC", got)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithLocation(context.Background(), shanghai)
	if got := formatTime(ctx, 1717171200000); got != "2024-06-01 00:00" {
		t.Errorf("formatTime in Asia/Shanghai = %q", got)
	}
	if got, want := zoneName(ctx), "Asia/Shanghai"; got != want {
		t.Errorf("zoneName = %q, want %q", got, want)
	}
	if got := zoneName(WithLocation(context.Background(), time.Local)); got == "Local" || got == "" {
		t.Errorf("zoneName(time.Local) = %q, want a name the page scripts can use", got)
	}
	if got := formatTime(ctx, 0); got != "—" {
		t.Errorf("formatTime(0) = %q", got)
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

// pageMessages returns the messages a page rendered for its scripts
// (<script id="i18n">).
func pageMessages(t *testing.T, html string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script id="i18n" type="application/json">(.*?)</script>`).FindStringSubmatch(html)
	if m == nil {
		return nil
	}
	var msgs map[string]string
	if err := json.Unmarshal([]byte(m[1]), &msgs); err != nil {
		t.Fatal(err)
	}
	return msgs
}

// scriptKeys returns the keys a script asks for, t("key") (also this.t and
// any translator named t), and the prefixes of keys it builds, t(`prefix${x}`).
func scriptKeys(src string) (keys, prefixes []string) {
	call := regexp.MustCompile(`\bt\(\s*"([a-zA-Z0-9_.-]+)"`)
	tmpl := regexp.MustCompile("\\bt\\(\\s*`([a-zA-Z0-9_.-]+)\\$\\{")
	for _, m := range call.FindAllStringSubmatch(src, -1) {
		keys = append(keys, m[1])
	}
	for _, m := range tmpl.FindAllStringSubmatch(src, -1) {
		prefixes = append(prefixes, m[1])
	}
	return keys, prefixes
}

// pageModules reads boot.js's list of page modules: data-page name -> path
// under static/js.
func pageModules(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "static", "js", "boot.js"))
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)export const pages = \{(.*?)\};`).FindSubmatch(src)
	if list == nil {
		t.Fatal("boot.js: no `export const pages = {...};`")
	}
	modules := map[string]string{}
	for _, m := range regexp.MustCompile(`(\w+): "\./([^"]+)"`).FindAllSubmatch(list[1], -1) {
		modules[string(m[1])] = string(m[2])
	}
	if len(modules) < 7 {
		t.Fatalf("boot.js lists %d page modules; is the scan broken?", len(modules))
	}
	return modules
}

// moduleGraph returns the script files reachable from entry through relative
// imports (entry itself included).
func moduleGraph(t *testing.T, entry string) []string {
	t.Helper()
	importRE := regexp.MustCompile(`(?m)^\s*import\s+(?:[^"']*\s+from\s+)?["'](\.[^"']+)["']`)
	seen := map[string]bool{}
	var walk func(string)
	walk = func(f string) {
		if seen[f] {
			return
		}
		seen[f] = true
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range importRE.FindAllStringSubmatch(string(src), -1) {
			walk(filepath.Join(filepath.Dir(f), m[1]))
		}
	}
	walk(entry)
	return slices.Sorted(maps.Keys(seen))
}

// TestScriptKeysExist checks, for every page with scripts, that each message
// key its scripts (and the modules they import) ask for is among the messages
// the page renders for them, and that keys built from a prefix have messages
// with that prefix. The page's messages come from the catalogue, so they are
// in both locales.
func TestScriptKeysExist(t *testing.T) {
	zh := func(role, path string) Page { return opsPage(ZhCN, role, path) }
	pages := map[string]templ.Component{
		"processes": ProcessesPage(ProcessesData{Page: zh("admin", "/processes"), CanEdit: true}),
		"designer":  DesignerPage(designerData(ZhCN)),
		"instance": InstancePage(InstanceData{Page: zh("designer", "/instances/1"), ID: "1", View: json.RawMessage(`{}`),
			Definition: json.RawMessage(`{}`), Templates: json.RawMessage(`[]`)}),
		"inbox": InboxPage(InboxData{Page: zh("user", "/inbox"), Tab: "todo"}),
		"task":  TaskPage(TaskData{Page: zh("user", "/inbox/7"), Task: TaskRow{ID: "7", Status: "open"}, Form: json.RawMessage(`[]`), CanAct: true}),
		"admin": AdminPage(AdminData{Page: zh("admin", "/admin"), Tab: "users"}),
	}
	// A page names its script in data-page; boot.js lists the module of each name.
	modules := pageModules(t)
	pageRE := regexp.MustCompile(`data-page="([^"]+)"`)
	all := map[string]bool{}
	for name, comp := range pages {
		html := render(t, comp)
		msgs := pageMessages(t, html)
		if msgs == nil {
			t.Errorf("%s: no <script id=\"i18n\">", name)
			continue
		}
		used := 0
		for _, m := range pageRE.FindAllStringSubmatch(html, -1) {
			module, ok := modules[m[1]]
			if !ok {
				t.Errorf("%s page: data-page=%q is not in boot.js's list", name, m[1])
				continue
			}
			for _, f := range moduleGraph(t, filepath.Join("..", "static", "js", filepath.FromSlash(module))) {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				keys, prefixes := scriptKeys(string(src))
				used += len(keys)
				for _, k := range keys {
					all[k] = true
					if _, ok := msgs[k]; !ok {
						t.Errorf("%s page: %s uses %q, which the page does not render", name, filepath.Base(f), k)
					}
				}
				for _, p := range prefixes {
					found := false
					for k := range msgs {
						found = found || strings.HasPrefix(k, p)
					}
					if !found {
						t.Errorf("%s page: %s builds keys from %q, but the page has no such message", name, filepath.Base(f), p)
					}
				}
			}
		}
		if used < 3 {
			t.Errorf("%s page: its scripts use only %d keys; is the scan broken?", name, used)
		}
	}
	// Scripts no page above loads are checked against the locales.
	files, _ := filepath.Glob(filepath.Join("..", "static", "js", "*.js"))
	more, _ := filepath.Glob(filepath.Join("..", "static", "js", "designer", "*.js"))
	seen := map[string]bool{}
	for _, f := range append(files, more...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := scriptKeys(string(src))
		for _, k := range keys {
			seen[k] = true
		}
	}
	if len(seen) < 150 {
		t.Fatalf("found only %d keys in the scripts; is the scan broken?", len(seen))
	}
	checkKeys(t, "a script", seen)
}

// TestErrorCodesHaveMessages checks that every stable error code the server
// can send (engine.Code constants, the web edge's own, the node templates'
// problem codes) has an "error.<code>" message in both locales, and that no
// code is passed as a bare string where a constant belongs.
func TestErrorCodesHaveMessages(t *testing.T) {
	var files []string
	for _, dir := range []string{"engine", "engine/templates", "web", "identity", "db", "db/sqlite"} {
		fs, _ := filepath.Glob(filepath.Join("..", filepath.FromSlash(dir), "*.go"))
		for _, f := range fs {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	declRE := regexp.MustCompile(`\b(?:engine\.)?Code\s*=\s*"([a-z_]+)"`)
	litRE := regexp.MustCompile(`\bCode:\s*"([a-z_]+)"`)
	bareRE := regexp.MustCompile(`\b(?:Coded|InvalidField|Problem)\([^()]*?,\s*"[a-z_]+"\s*,`)
	codes := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{declRE, litRE} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				codes["error."+m[1]] = true
			}
		}
		if m := bareRE.FindString(string(src)); m != "" {
			t.Errorf("%s: a code as a bare string (%s); declare it as an engine.Code constant", f, m)
		}
	}
	if len(codes) < 100 {
		t.Fatalf("found only %d codes; is the scan broken?", len(codes))
	}
	checkKeys(t, "the server's errors", codes)
}

// TestBPMNNoteCodesHaveMessages checks that every code of the BPMN import report's
// notes has a "bpmn.note.<code>" message in both locales.
func TestBPMNNoteCodesHaveMessages(t *testing.T) {
	codes := map[string]bool{}
	for _, c := range bpmn.NoteCodes() {
		codes["bpmn.note."+c] = true
	}
	if len(codes) < 100 {
		t.Fatalf("found only %d note codes", len(codes))
	}
	checkKeys(t, "the BPMN import report", codes)
}
