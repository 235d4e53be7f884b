package templates

import (
	"strings"
	"testing"
)

func TestOneStatement(t *testing.T) {
	for _, q := range []string{
		"SELECT 1",
		"SELECT 1;",
		"SELECT 1;;  ; -- done\n",
		"SELECT 1; /* trailing comment; with a semicolon */",
		"SELECT 'a;b', \"c;d\", `e;f`, [g;h] FROM t",
		"SELECT 'it''s; fine'",
		"SELECT 1 -- a comment; SELECT 2\n",
		"SELECT /* ; */ 1",
		"INSERT INTO t VALUES (?); ",
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; DELETE FROM u; END;",
		"CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN 2 END; SELECT 3; END",
		"SELECT '中文;' AS 名前",
	} {
		if err := oneStatement(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	for _, q := range []string{
		"SELECT 1; SELECT 2",
		"DELETE FROM t; DROP TABLE t",
		"SELECT 'a;b'; SELECT 2",
		"SELECT 1 /* c */; /* c */ SELECT 2",
		"BEGIN; UPDATE t SET x = 1; COMMIT",
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; DROP TABLE t",
		"SELECT 1;\nSELECT 2;",
	} {
		err := oneStatement(q)
		if err == nil || !strings.Contains(err.Error(), "sql must be a single statement") {
			t.Errorf("%q: err = %v, want it refused", q, err)
		}
	}
}
