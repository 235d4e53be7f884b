package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestMigrationTypesTheVariables: a database made by migrations 0001–0007 (the
// release before typed variables) with variables of every JSON kind migrates in
// place: every row stays, each with the type a write without a type would give
// its value, and the typed columns answer variable conditions.
func TestMigrationTypesTheVariables(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), FileName)
	previousRelease(t, path) // 0001–0006 with rows, instance 200 among them
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if ms[6].name != "0007_seed_columns.sql" || ms[7].name != "0008_typed_variables.sql" {
		t.Fatalf("migrations 7 and 8 are %s and %s", ms[6].name, ms[7].name)
	}
	w, err := connect(path, false)
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	old := &Store{write: w, log: discard(), times: newSeedTimes(time.UTC)}
	if err := old.applyMigration(ctx, ms[6]); err != nil {
		t.Fatal(err)
	}
	for _, v := range [][2]string{
		{"name", `"Zhang San"`}, {"days", `5`}, {"big", `9007199254740993`}, {"ratio", `2.5`}, {"whole", `3.0`},
		{"ok", `true`}, {"no", `false`}, {"nothing", `null`}, {"obj", `{"a":[1,"x"]}`}, {"list", `[1,2]`},
	} {
		if _, err := w.ExecContext(ctx, `INSERT INTO variable (workflow_inst_uid, name, value, update_at) VALUES (200, ?, ?, 7)`, v[0], v[1]); err != nil {
			t.Fatal(err)
		}
	}
	var before int
	w.QueryRowContext(ctx, `SELECT COUNT(*) FROM variable`).Scan(&before)
	w.Close()

	d := openAt(t, path, Options{Location: time.UTC})
	if v, err := d.SchemaVersion(ctx); err != nil || v < 8 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	var after int
	d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM variable`).Scan(&after)
	if after != before || before != 11 {
		t.Errorf("%d variables before the migration, %d after; want 11", before, after)
	}
	vars, err := d.Variables(ctx, 200)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"amount": "integer 42", "name": "string Zhang San", "days": "integer 5", "big": "long 9007199254740993",
		"ratio": "double 2.5", "whole": "double 3", "ok": "boolean true", "no": "boolean false", "nothing": "null <nil>",
		"obj": "json map[a:[1 x]]", "list": "json [1 2]",
	}
	for name, w := range want {
		v := vars[name]
		if v == nil {
			t.Errorf("%s is gone", name)
			continue
		}
		if got := fmt.Sprintf("%s %v", v.Type, v.Value); got != w {
			t.Errorf("%s = %s, want %s", name, got, w)
		}
	}
	// The migrated rows answer typed conditions through their indexes.
	for _, c := range []engine.VarCondition{
		{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0},
		{Name: "ratio", Operation: engine.OpLessThan, Value: 3.0},
		{Name: "big", Operation: engine.OpEquals, Value: "9007199254740993", Type: engine.VarLong},
		{Name: "name", Operation: engine.OpLike, Value: "Zh%"},
		{Name: "ok", Operation: engine.OpEquals, Value: true},
		{Name: "no", Operation: engine.OpEquals, Value: false},
	} {
		list, total, err := d.ListInstances(ctx, engine.InstanceFilter{Variables: []engine.VarCondition{c}, Page: engine.Page{Limit: 10}})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != 200 {
			t.Errorf("%+v: %d instances, %v", c, total, err)
		}
	}
	// Migration 0014 opened the variables of the instances that had not ended: the
	// runtime query by variable finds instance 200 exactly while it runs.
	var status string
	d.read.QueryRowContext(ctx, `SELECT status FROM workflow_inst WHERE uid = 200`).Scan(&status)
	want200 := 0
	if unfinished(status) {
		want200 = 1
	}
	var open int
	d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM variable WHERE workflow_inst_uid = 200 AND open = 1`).Scan(&open)
	_, total, err := d.ListInstances(ctx, engine.InstanceFilter{Unfinished: true, Page: engine.Page{Limit: 10},
		Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0}}})
	if err != nil || total != want200 || open != want200*11 {
		t.Errorf("instance 200 (%s): %d open variables, unfinished days > 3 total %d (%v); want %d, %d", status, open, total, err, want200*11, want200)
	}
}
