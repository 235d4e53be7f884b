package engine_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// adapterImports are the packages the domain must not depend on, even indirectly:
// the HTTP stack, SQL and its drivers, password hashing, and flowcraft's own adapters.
// A prefix ending in "/" covers the packages under it.
var adapterImports = []string{
	"net/http", "net/http/",
	"database/sql", "database/sql/",
	"golang.org/x/crypto/bcrypt",
	"modernc.org/sqlite", "modernc.org/sqlite/", "modernc.org/libc", "modernc.org/libc/",
	"github.com/jackc/pgx/", "github.com/lib/pq", "github.com/mattn/go-sqlite3", "github.com/go-sql-driver/mysql",
	"flowcraft/db", "flowcraft/db/", "flowcraft/identity", "flowcraft/httpclient", "flowcraft/datasource", "flowcraft/web",
}

func isAdapter(pkg string) bool {
	for _, a := range adapterImports {
		if pkg == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(pkg, a)) {
			return true
		}
	}
	return false
}

// TestEngineImportsNoAdapters: engine and its subpackages (templates, cron) import
// no adapter, directly or through another package (tests aside). On failure it
// names the chain of imports that drags the adapter in.
func TestEngineImportsNoAdapters(t *testing.T) {
	goBin, err := exec.LookPath("go") // go test puts GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("the go command is needed to list imports: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "flowcraft/engine/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{} // package -> its direct imports
	var roots []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		imports[f[0]] = f[1:]
		if f[0] == "flowcraft/engine" || strings.HasPrefix(f[0], "flowcraft/engine/") {
			roots = append(roots, f[0])
		}
	}
	if len(roots) < 3 {
		t.Fatalf("go list found only %v under flowcraft/engine", roots)
	}
	slices.Sort(roots)
	// Breadth first from the engine packages: the first path to each package.
	via := map[string]string{}
	queue := slices.Clone(roots)
	for _, r := range roots {
		via[r] = ""
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, dep := range imports[p] {
			if _, seen := via[dep]; !seen {
				via[dep] = p
				queue = append(queue, dep)
			}
		}
	}
	var bad []string
	for pkg := range via {
		if isAdapter(pkg) {
			bad = append(bad, pkg)
		}
	}
	slices.Sort(bad)
	for _, pkg := range bad {
		chain := []string{pkg}
		for p := via[pkg]; p != ""; p = via[p] {
			chain = append(chain, p)
		}
		if slices.ContainsFunc(chain[1:], isAdapter) {
			continue // reported with the adapter that brings it
		}
		slices.Reverse(chain)
		t.Errorf("the domain imports %s: %s", pkg, strings.Join(chain, " -> "))
	}
}

// TestIsAdapter pins the matching of adapterImports.
func TestIsAdapter(t *testing.T) {
	for pkg, want := range map[string]bool{
		"net/http": true, "net/http/httptrace": true, "net/url": false, "net/netip": false,
		"database/sql": true, "database/sql/driver": true,
		"golang.org/x/crypto/bcrypt": true, "golang.org/x/crypto/sha3": false,
		"modernc.org/sqlite/lib": true, "github.com/jackc/pgx/v5": true,
		"flowcraft/db": true, "flowcraft/db/sqlite": true, "flowcraft/dbx": false, "flowcraft/identity": true,
		"flowcraft/engine/templates": false, "flowcraft/scripting": false,
	} {
		if got := isAdapter(pkg); got != want {
			t.Errorf("isAdapter(%q) = %v, want %v", pkg, got, want)
		}
	}
}
