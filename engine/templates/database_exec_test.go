package templates

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The database-handler template against a fake Databases; package datasource
// runs the same template against SQLite.

// fakeDB records the statement it gets and answers with res and err.
type fakeDB struct {
	source string
	got    SQLStatement
	res    SQLResult
	err    error
}

func (f *fakeDB) Run(ctx context.Context, source string, st SQLStatement) (SQLResult, error) {
	f.source, f.got = source, st
	return f.res, f.err
}

func runFakeDB(ctx context.Context, f *fakeDB, params map[string]any) (map[string]any, error) {
	out, err := DatabaseHandler{}.Run(ctx, &Call{Params: params, Services: &Services{Data: f}})
	if err != nil {
		return nil, err
	}
	return out.Output.(map[string]any), nil
}

func TestDatabaseHandlerBindsParams(t *testing.T) {
	f := &fakeDB{}
	if _, err := runFakeDB(context.Background(), f, map[string]any{"datasource": " main ", "mode": "exec", "sql": "INSERT INTO t VALUES (?, ?, ?, ?)",
		"params": []any{"a", 1.5, float64(7), map[string]any{"x": true}}}); err != nil {
		t.Fatal(err)
	}
	if f.source != "main" || !f.got.Exec || f.got.SQL != "INSERT INTO t VALUES (?, ?, ?, ?)" {
		t.Errorf("statement %+v on %q", f.got, f.source)
	}
	want := []SQLArg{{Value: "a"}, {Value: 1.5}, {Value: int64(7)}, {Value: `{"x":true}`}}
	if fmt.Sprint(f.got.Args) != fmt.Sprint(want) {
		t.Errorf("args = %#v, want %#v", f.got.Args, want)
	}
	if _, err := runFakeDB(context.Background(), f, map[string]any{"datasource": "main", "sql": "SELECT :b, @a",
		"params": `{"@a": 9007199254740993, ":b": null}`}); err != nil {
		t.Fatal(err)
	}
	want = []SQLArg{{Name: "b", Value: nil}, {Name: "a", Value: int64(9007199254740993)}} // sorted by key: ":b" < "@a"
	if f.got.Exec || f.got.MaxRows != maxQueryRows || fmt.Sprint(f.got.Args) != fmt.Sprint(want) {
		t.Errorf("statement %#v, want named args %#v", f.got, want)
	}
}

func TestDatabaseHandlerShapesResults(t *testing.T) {
	n, id := int64(3), int64(1<<60)
	f := &fakeDB{res: SQLResult{RowsAffected: &n, LastInsertID: &id}}
	out, err := runFakeDB(context.Background(), f, map[string]any{"datasource": "main", "mode": "exec", "sql": "DELETE FROM t"})
	if err != nil || out["rowsAffected"] != float64(3) || out["lastInsertId"] != "1152921504606846976" {
		t.Errorf("exec output %#v, %v", out, err)
	}
	f.res = SQLResult{}
	if out, _ = runFakeDB(context.Background(), f, map[string]any{"datasource": "main", "mode": "exec", "sql": "DELETE FROM t"}); out["rowsAffected"] != nil || out["lastInsertId"] != nil {
		t.Errorf("unreported counts: %#v", out)
	}

	made := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	f.res = SQLResult{Columns: []string{"i", "big", "f", "nan", "blob", "text", "t", "n"}, Rows: [][]any{
		{int64(1), int64(1 << 60), 1.5, math.NaN(), []byte{0xff, 0xfe}, []byte("héllo"), made, nil},
	}}
	out, err = runFakeDB(context.Background(), f, map[string]any{"datasource": "main", "sql": "SELECT 1"})
	if err != nil {
		t.Fatal(err)
	}
	row := out["rows"].([]any)[0].(map[string]any)
	want := map[string]any{"i": float64(1), "big": "1152921504606846976", "f": 1.5, "nan": nil,
		"blob": base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), "text": "héllo", "t": "2024-05-06T07:08:09Z", "n": nil}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %#v, want %#v", k, row[k], v)
		}
	}
	if out["count"] != float64(1) || len(out["columns"].([]any)) != 8 || out["columns"].([]any)[0] != "i" {
		t.Errorf("output = %#v", out)
	}

	f.res = SQLResult{Columns: []string{"x"}, Rows: [][]any{{int64(1)}}, MoreRows: true}
	if _, err = runFakeDB(context.Background(), f, map[string]any{"datasource": "main", "sql": "SELECT 1"}); err == nil ||
		err.Error() != `data source "main": query returned more than 10000 rows; add a LIMIT` {
		t.Errorf("err = %v, want the row cap", err)
	}
}

func TestDatabaseHandlerParamErrors(t *testing.T) {
	f := &fakeDB{}
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"datasource": "", "sql": "SELECT 1"}, "datasource is required"},
		{map[string]any{"datasource": "main", "sql": " "}, "sql is required"},
		{map[string]any{"datasource": "main", "sql": "SELECT 1; SELECT 2"}, "sql must be a single statement"},
		{map[string]any{"datasource": "main", "sql": "SELECT 1", "mode": "run"}, `mode must be "query" or "exec", got "run"`},
		{map[string]any{"datasource": "main", "sql": "SELECT 1", "params": float64(3)}, "params must be an array or an object, got number"},
		{map[string]any{"datasource": "main", "sql": "SELECT 1", "params": "[1,"}, "params: invalid JSON"},
	} {
		_, err := runFakeDB(context.Background(), f, tc.params)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to contain %q", tc.params, err, tc.want)
		}
	}
	if f.got.SQL != "" {
		t.Errorf("a statement ran: %+v", f.got)
	}
	_, err := DatabaseHandler{}.Run(context.Background(), &Call{Params: map[string]any{"datasource": "main", "sql": "SELECT 1"}})
	if err == nil || !strings.Contains(err.Error(), `unknown data source "main": no data sources are configured`) {
		t.Errorf("without Services.Data: err = %v", err)
	}

	// An interrupted statement's error says that the deadline passed, whatever the driver said.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.err = errors.New(`data source "main": interrupted`)
	if _, err := runFakeDB(ctx, f, map[string]any{"datasource": "main", "sql": "SELECT 1"}); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("err = %v", err)
	}
}
