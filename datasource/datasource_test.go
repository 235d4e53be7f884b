package datasource

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"flowcraft/engine/templates"
)

// The tests of this file run the database-handler template (engine/templates)
// with Sources: the template's behaviour end to end, and the data sources' guards.

// maxQueryRows is the template's row cap.
const maxQueryRows = 10000

// testData returns data sources with one sqlite file "main" in a temporary
// directory, and the file's path.
func testData(t *testing.T, forbidden ...string) (*Sources, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.db")
	d, err := New(map[string]Spec{
		"main": {Driver: "sqlite", DSN: "file:" + path},
	}, forbidden)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d, path
}

// runDB runs the database-handler template on d.
func runDB(ctx context.Context, t *testing.T, d *Sources, params map[string]any) (map[string]any, error) {
	t.Helper()
	if _, ok := params["datasource"]; !ok {
		params["datasource"] = "main"
	}
	out, err := templates.DatabaseHandler{}.Run(ctx, &templates.Call{Params: params, Services: &templates.Services{Data: d}})
	if err != nil {
		return nil, err
	}
	return out.Output.(map[string]any), nil
}

// mustDB is runDB that fails the test on an error.
func mustDB(t *testing.T, d *Sources, params map[string]any) map[string]any {
	t.Helper()
	out, err := runDB(context.Background(), t, d, params)
	if err != nil {
		t.Fatalf("%v: %v", params["sql"], err)
	}
	return out
}

func TestDatabaseHandlerExecAndQuery(t *testing.T) {
	d, _ := testData(t)
	mustDB(t, d, map[string]any{"mode": "exec", "sql": `CREATE TABLE items (
		id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB, note TEXT, big INTEGER, made DATETIME)`})

	out := mustDB(t, d, map[string]any{
		"mode":   "exec",
		"sql":    "INSERT INTO items (name, price, data, note, big) VALUES (?, ?, ?, ?, ?)",
		"params": []any{"apple", 1.5, []byte{0xff, 0xfe, 0x00}, nil, float64(7)},
	})
	if out["rowsAffected"] != float64(1) || out["lastInsertId"] != float64(1) {
		t.Errorf("exec output = %#v", out)
	}
	for _, named := range []string{":name", "@name", "$name"} {
		p := strings.Replace(named, "name", "", 1)
		mustDB(t, d, map[string]any{
			"mode":   "exec",
			"sql":    "INSERT INTO items (name, price, note, big, made) VALUES (" + named + ", " + p + "price, " + p + "note, " + p + "big, " + p + "made)",
			"params": map[string]any{"name": "pear" + p, p + "price": float64(2), "note": map[string]any{"a": true}, "big": float64(1 << 60), "made": "2024-05-06 07:08:09"},
		})
	}
	// A string param holding JSON works too.
	mustDB(t, d, map[string]any{"mode": "exec", "sql": "UPDATE items SET big = ? WHERE id = 1", "params": `[9007199254740993]`})

	out = mustDB(t, d, map[string]any{"sql": "SELECT id, name, price, data, note, big, made FROM items ORDER BY id"})
	if out["count"] != float64(4) {
		t.Fatalf("count = %#v, want 4", out["count"])
	}
	rows := out["rows"].([]any)
	first := rows[0].(map[string]any)
	want := map[string]any{
		"id":    float64(1),
		"name":  "apple",
		"price": 1.5,
		"data":  base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00}),
		"note":  nil,
		"big":   "9007199254740993", // beyond 2^53: a string
		"made":  nil,
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("row 1 %s = %#v (%T), want %#v", k, first[k], first[k], v)
		}
	}
	second := rows[1].(map[string]any)
	if second["name"] != "pear:" || second["price"] != float64(2) || second["note"] != `{"a":true}` {
		t.Errorf("row 2 = %#v", second)
	}
	if second["big"] != "1152921504606846976" {
		t.Errorf("big = %#v, want a decimal string", second["big"])
	}
	if second["made"] != "2024-05-06T07:08:09Z" {
		t.Errorf("made = %#v, want an RFC 3339 time", second["made"])
	}
	if got := strings.Join([]string{rows[2].(map[string]any)["name"].(string), rows[3].(map[string]any)["name"].(string)}, " "); got != "pear@ pear$" {
		t.Errorf("names = %q", got)
	}
	cols := out["columns"].([]any)
	if len(cols) != 7 || cols[0] != "id" || cols[6] != "made" {
		t.Errorf("columns = %#v", cols)
	}

	// A text blob comes back as text; an update reports the rows affected.
	out = mustDB(t, d, map[string]any{"sql": "SELECT CAST('héllo' AS BLOB) AS b, 1 + 1 AS two, NULL AS n"})
	row := out["rows"].([]any)[0].(map[string]any)
	if row["b"] != "héllo" || row["two"] != float64(2) || row["n"] != nil {
		t.Errorf("row = %#v", row)
	}
	out = mustDB(t, d, map[string]any{"mode": "exec", "sql": "UPDATE items SET price = price * 2 WHERE price > ?", "params": []any{float64(1)}})
	if out["rowsAffected"] != float64(4) {
		t.Errorf("rowsAffected = %#v, want 4", out["rowsAffected"])
	}
	out = mustDB(t, d, map[string]any{"sql": "SELECT * FROM items WHERE id < 0"})
	if out["count"] != float64(0) || len(out["rows"].([]any)) != 0 {
		t.Errorf("empty result = %#v", out)
	}
}

func TestDatabaseHandlerRowCap(t *testing.T) {
	d, _ := testData(t)
	count := "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x FROM c"
	out := mustDB(t, d, map[string]any{"sql": count, "params": []any{float64(maxQueryRows)}})
	if out["count"] != float64(maxQueryRows) {
		t.Errorf("count = %#v", out["count"])
	}
	_, err := runDB(context.Background(), t, d, map[string]any{"sql": count, "params": []any{float64(maxQueryRows + 1)}})
	if err == nil || !strings.Contains(err.Error(), "query returned more than 10000 rows; add a LIMIT") {
		t.Errorf("err = %v, want the row cap", err)
	}
}

func TestDatabaseHandlerTimeout(t *testing.T) {
	d, _ := testData(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := runDB(ctx, t, d, map[string]any{
		"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c",
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	// The data source still works afterwards.
	mustDB(t, d, map[string]any{"sql": "SELECT 1"})
}

func TestDatabaseHandlerErrors(t *testing.T) {
	d, path := testData(t)
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"datasource": "nope", "sql": "SELECT 1"}, `unknown data source "nope" (configured: main)`},
		{map[string]any{"datasource": "", "sql": "SELECT 1"}, "datasource is required"},
		{map[string]any{"sql": " "}, "sql is required"},
		{map[string]any{"sql": "SELECT 1", "mode": "run"}, `mode must be "query" or "exec", got "run"`},
		{map[string]any{"sql": "SELECT 1", "params": float64(3)}, "params must be an array or an object, got number"},
		{map[string]any{"sql": "SELECT 1", "params": "[1,"}, "params: invalid JSON"},
		{map[string]any{"sql": "SELECT * FROM missing"}, "no such table: missing"},
		{map[string]any{"sql": "SELECT ?", "params": []any{}}, "missing argument"},
		// ATTACH is disabled, so SQL cannot reach other database files.
		{map[string]any{"mode": "exec", "sql": "ATTACH DATABASE ? AS other", "params": []any{path + "-other"}}, "ATTACH is not allowed"},
	} {
		_, err := runDB(context.Background(), t, d, tc.params)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to contain %q", tc.params, err, tc.want)
		}
	}
	empty, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = runDB(context.Background(), t, empty, map[string]any{"sql": "SELECT 1"})
	if err == nil || !strings.Contains(err.Error(), "no data sources are configured") {
		t.Errorf("without data sources: err = %v", err)
	}
}

func TestDatabaseHandlerLeavesNoTransactionOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tx.db")
	d, err := New(map[string]Spec{"main": {Driver: "sqlite", DSN: path, MaxOpen: 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mustDB(t, d, map[string]any{"mode": "exec", "sql": "CREATE TABLE t (x)"})
	mustDB(t, d, map[string]any{"mode": "exec", "sql": "BEGIN IMMEDIATE"}) // takes the write lock

	// Both pooled connections can write: the BEGIN above was rolled back.
	ctx := context.Background()
	for i := range 2 {
		conn, err := d.Conn(ctx, "main")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (?)", i); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
}

func TestNewDataSourcesChecks(t *testing.T) {
	_, err := New(map[string]Spec{
		"pg":   {Driver: "postgres", DSN: "postgres://x"},
		"none": {Driver: "sqlite"},
	}, nil)
	if err == nil || !strings.Contains(err.Error(), `data source "pg": unsupported driver "postgres" (supported: sqlite)`) ||
		!strings.Contains(err.Error(), `data source "none": dsn is empty`) {
		t.Errorf("err = %v, want both problems", err)
	}

	mem, err := New(map[string]Spec{"mem": {Driver: "sqlite", DSN: ":memory:", MaxOpen: 8}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	// One connection for an in-memory database, so the table stays visible.
	mustDB(t, mem, map[string]any{"datasource": "mem", "mode": "exec", "sql": "CREATE TABLE t (x)"})
	mustDB(t, mem, map[string]any{"datasource": "mem", "sql": "SELECT * FROM t"})
	if err := mem.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := runDB(context.Background(), t, mem, map[string]any{"datasource": "mem", "sql": "SELECT 1"}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("after Close: err = %v", err)
	}
}

func TestDataSourcesForbiddenPath(t *testing.T) {
	dir := t.TempDir()
	engineDB := filepath.Join(dir, "engine.db")
	if err := os.WriteFile(engineDB, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(engineDB, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.db")
	if err := os.Link(engineDB, hard); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, engineDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, dsn := range []string{
		engineDB,
		"file:" + engineDB + "?mode=ro",
		"file://" + engineDB,
		"file://localhost" + strings.ReplaceAll(engineDB, "engine", "%65ngine"),
		rel,
		"file:" + filepath.Join(dir, "sub", "..", "engine.db"),
		link,
		hard,
		engineDB + "-wal",
	} {
		_, err := New(map[string]Spec{"x": {Driver: "sqlite", DSN: dsn}}, []string{engineDB})
		if err == nil || !strings.Contains(err.Error(), "refusing to open") {
			t.Errorf("dsn %q: err = %v, want a refusal", dsn, err)
		}
	}

	// A link made after configuration is caught when the source is opened.
	later := filepath.Join(dir, "later.db")
	d, err := New(map[string]Spec{"later": {Driver: "sqlite", DSN: later}}, []string{engineDB})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := os.Symlink(engineDB, later); err != nil {
		t.Fatal(err)
	}
	_, err = runDB(context.Background(), t, d, map[string]any{"datasource": "later", "sql": "SELECT 1"})
	if err == nil || !strings.Contains(err.Error(), "refusing to open") {
		t.Errorf("err = %v, want a refusal at open time", err)
	}

	// Other files and in-memory databases are fine.
	for _, dsn := range []string{filepath.Join(dir, "other.db"), ":memory:", "file::memory:", "file:engine.db?mode=memory"} {
		if _, err := New(map[string]Spec{"x": {Driver: "sqlite", DSN: dsn}}, []string{engineDB}); err != nil {
			t.Errorf("dsn %q: %v", dsn, err)
		}
	}
}

func TestParseSpecs(t *testing.T) {
	specs, err := ParseSpecs(`{"reports": {"driver": "sqlite", "dsn": "file:/var/lib/reports.db", "maxOpen": 2}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := specs["reports"]; got != (Spec{Driver: "sqlite", DSN: "file:/var/lib/reports.db", MaxOpen: 2}) {
		t.Errorf("reports = %+v", got)
	}
	for _, text := range []string{"", "  ", "null"} {
		if specs, err := ParseSpecs(text); err != nil || len(specs) != 0 {
			t.Errorf("ParseSpecs(%q) = %v, %v", text, specs, err)
		}
	}
	for _, bad := range []string{`{"a": {"driver": "sqlite", "dns": "x"}}`, `[1]`, `{"a": {}} {}`, `{`} {
		if _, err := ParseSpecs(bad); err == nil {
			t.Errorf("ParseSpecs(%q): no error", bad)
		}
	}
}

// The driver runs every statement of a text; the README promises one.
func TestDatabaseHandlerRefusesSeveralStatements(t *testing.T) {
	d, _ := testData(t)
	mustDB(t, d, map[string]any{"mode": "exec", "sql": "CREATE TABLE t (x)"})
	for _, mode := range []string{"exec", "query"} {
		_, err := runDB(context.Background(), t, d, map[string]any{"mode": mode, "sql": "INSERT INTO t VALUES (1); DROP TABLE t"})
		if err == nil || !strings.Contains(err.Error(), "sql must be a single statement") {
			t.Errorf("%s: err = %v, want the second statement refused", mode, err)
		}
	}
	// Nothing ran: the table is there and empty.
	if out := mustDB(t, d, map[string]any{"sql": "SELECT count(*) AS n FROM t"}); out["rows"].([]any)[0].(map[string]any)["n"] != float64(0) {
		t.Errorf("rows = %v", out["rows"])
	}
	probs := templates.DatabaseHandler{}.Check(map[string]any{"datasource": "main", "sql": "SELECT 1; SELECT 2"})
	if len(probs) != 1 || probs[0].Field != "sql" || !strings.Contains(probs[0].Message, "single statement") {
		t.Errorf("Check: %v", probs)
	}
	if probs := (templates.DatabaseHandler{}).Check(map[string]any{"datasource": "main", "sql": "SELECT ';'; -- end"}); len(probs) != 0 {
		t.Errorf("Check of one statement: %v", probs)
	}
}

// The deadline reaches rows computed after the first one, which the driver does
// not watch itself.
func TestDatabaseHandlerTimeoutLaterRow(t *testing.T) {
	d, _ := testData(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := runDB(ctx, t, d, map[string]any{
		"sql": "SELECT 1 UNION ALL SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT x FROM c)",
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	mustDB(t, d, map[string]any{"sql": "SELECT 1"})
}

// One function call cannot be interrupted midway: value sizes are bounded instead.
func TestDatabaseHandlerBoundsValueSize(t *testing.T) {
	d, _ := testData(t)
	_, err := runDB(context.Background(), t, d, map[string]any{"sql": "SELECT length(randomblob(400000000)) AS n"})
	if err == nil || !strings.Contains(err.Error(), "too big") {
		t.Errorf("err = %v, want string or blob too big", err)
	}
	out := mustDB(t, d, map[string]any{"sql": "SELECT length(randomblob(1000)) AS n"})
	if out["rows"].([]any)[0].(map[string]any)["n"] != float64(1000) {
		t.Errorf("rows = %v", out["rows"])
	}
	if _, err := New(map[string]Spec{"x": {Driver: "sqlite", DSN: "x.db", MaxLength: -1}}, nil); err == nil {
		t.Error("a negative maxLength was accepted")
	}
}
