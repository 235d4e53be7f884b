package templates

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxQueryRows bounds the rows a database-handler query may return.
const maxQueryRows = 10000

// maxExactFloat is 2^53: integers up to it in magnitude are exact as float64.
const maxExactFloat = 1 << 53

// Run implements Runner. It runs the sql parameter on the data source named
// by datasource (from c.Services.Data), binding params: an array binds the
// positional ? placeholders, an object binds named ones (:name, @name or
// $name; keys may be written with or without the prefix). Objects and
// arrays inside params are bound as JSON text, and whole-number values as
// integers.
//
// In mode "query" (the default) the output is {rows, count, columns}: rows
// an array of objects of column name to value, columns the names in select
// order; more than 10000 rows is an error. Values are JSON-friendly: integers
// become numbers (strings beyond ±2^53, where a number would lose
// precision), blobs become strings when valid UTF-8 and base64 otherwise,
// times become RFC 3339 strings. With duplicate column names the last one
// wins in the row objects. In mode "exec" the output is
// {rowsAffected, lastInsertId}. sql must be one statement. ctx bounds the
// statement: its end interrupts SQLite (sqlite3_interrupt) while the statement
// runs, rows included; one SQL function call (randomblob, say) cannot be
// interrupted midway, so the data source bounds the size of values
// (DataSourceSpec.MaxLength).
func (DatabaseHandler) Run(ctx context.Context, c *Call) (Outcome, error) {
	if c == nil {
		return Outcome{}, errors.New("database-handler: no call")
	}
	name, ok := c.Params["datasource"].(string)
	switch {
	case IsUnset(c.Params["datasource"]):
		return Outcome{}, errors.New("datasource is required")
	case !ok:
		return Outcome{}, fmt.Errorf("datasource must be a string, got %s", jsonType(c.Params["datasource"]))
	}
	name = strings.TrimSpace(name)
	query, ok := c.Params["sql"].(string)
	switch {
	case IsUnset(c.Params["sql"]):
		return Outcome{}, errors.New("sql is required")
	case !ok:
		return Outcome{}, fmt.Errorf("sql must be a string, got %s", jsonType(c.Params["sql"]))
	}
	// Again here: {{ }} in sql is only known now, and the driver would run every
	// statement of the text.
	if err := oneStatement(query); err != nil {
		return Outcome{}, err
	}
	mode := "query"
	if m := c.Params["mode"]; !IsUnset(m) {
		s, _ := m.(string)
		mode = strings.TrimSpace(s)
		if mode != "query" && mode != "exec" {
			return Outcome{}, fmt.Errorf("mode must be \"query\" or \"exec\", got %s", describe(m))
		}
	}
	args, err := sqlArgs(c.Params["params"])
	if err != nil {
		return Outcome{}, err
	}

	var data *DataSources
	if c.Services != nil {
		data = c.Services.Data
	}
	conn, err := data.Conn(ctx, name)
	if err != nil {
		return Outcome{}, withCtxErr(ctx, err)
	}
	defer releaseConn(ctx, conn)
	// The driver interrupts a statement whose ctx ends only while QueryContext or
	// ExecContext runs; a query's later rows are computed in rows.Next, which it does
	// not watch (a heavy second row ran 32 s past a 200 ms deadline).
	defer interruptOnDone(ctx, conn)()

	var out map[string]any
	if mode == "exec" {
		out, err = execSQL(ctx, conn, query, args)
	} else {
		out, err = querySQL(ctx, conn, query, args, maxQueryRows)
	}
	if err != nil {
		if strings.Contains(err.Error(), "too many attached databases") {
			err = fmt.Errorf("ATTACH is not allowed: %w", err)
		}
		return Outcome{}, withCtxErr(ctx, fmt.Errorf("data source %q: %w", name, err))
	}
	return Outcome{Output: out}, nil
}

// releaseConn returns conn to its pool with no transaction open: one call
// runs one statement, so a BEGIN left open would otherwise hold its locks on
// a pooled connection for whichever call happens to get it next. The
// ROLLBACK fails harmlessly when no transaction is open.
func releaseConn(ctx context.Context, conn *sql.Conn) {
	rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = conn.ExecContext(rbCtx, "ROLLBACK")
	_ = conn.Close()
}

// withCtxErr adds ctx's error to err when ctx is done, since a driver may
// report an interrupted statement in its own words.
func withCtxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// execSQL runs a statement that returns no rows.
func execSQL(ctx context.Context, conn *sql.Conn, query string, args []any) (map[string]any, error) {
	res, err := conn.ExecContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"rowsAffected": nil, "lastInsertId": nil}
	if n, err := res.RowsAffected(); err == nil {
		out["rowsAffected"] = jsonInt(n)
	}
	if n, err := res.LastInsertId(); err == nil {
		out["lastInsertId"] = jsonInt(n)
	}
	return out, nil
}

// querySQL runs a query and returns at most maxRows rows.
func querySQL(ctx context.Context, conn *sql.Conn, query string, args []any, maxRows int) (map[string]any, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := make([]any, 0)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(out) == maxRows {
			return nil, fmt.Errorf("query returned more than %d rows; add a LIMIT", maxRows)
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, col := range cols {
			row[col] = jsonValue(vals[i])
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	columns := make([]any, len(cols))
	for i, col := range cols {
		columns[i] = col
	}
	return map[string]any{"rows": out, "count": float64(len(out)), "columns": columns}, nil
}

// jsonValue converts a value scanned from a database to a JSON-friendly one.
func jsonValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case int64:
		return jsonInt(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return nil
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		}
		return x
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	if f, ok := toFloat(v); ok {
		return f
	}
	return fmt.Sprint(v)
}

// jsonInt returns n as a float64 when that is exact, else as a decimal string.
func jsonInt(n int64) any {
	if n >= -maxExactFloat && n <= maxExactFloat {
		return float64(n)
	}
	return strconv.FormatInt(n, 10)
}

// sqlArgs converts the params parameter to query arguments: an array to
// positional ones, an object to named ones (sorted by name), a string holding
// a JSON array or object likewise.
func sqlArgs(v any) ([]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return nil, nil
		}
		if t[0] == '[' || t[0] == '{' {
			// Numbers as json.Number, so that big integers stay exact.
			dec := json.NewDecoder(strings.NewReader(t))
			dec.UseNumber()
			var decoded any
			if err := dec.Decode(&decoded); err != nil {
				return nil, fmt.Errorf("params: invalid JSON: %w", err)
			}
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				return nil, errors.New("params: invalid JSON: unexpected data after the value")
			}
			return sqlArgs(decoded)
		}
	case []any:
		args := make([]any, len(x))
		for i, e := range x {
			a, err := sqlArg(e)
			if err != nil {
				return nil, fmt.Errorf("params[%d]: %w", i, err)
			}
			args[i] = a
		}
		return args, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		args := make([]any, 0, len(x))
		for _, k := range keys {
			name := strings.TrimLeft(strings.TrimSpace(k), ":@$")
			if name == "" {
				return nil, fmt.Errorf("params: invalid parameter name %q", k)
			}
			a, err := sqlArg(x[k])
			if err != nil {
				return nil, fmt.Errorf("params.%s: %w", name, err)
			}
			args = append(args, sql.Named(name, a))
		}
		return args, nil
	}
	return nil, fmt.Errorf("params must be an array or an object, got %s", jsonType(v))
}

// sqlArg converts one parameter value to a driver argument.
func sqlArg(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, []byte, time.Time, int64:
		return x, nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		return x.Float64()
	case []any, map[string]any, []string:
		data, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		return string(data), nil
	}
	f, ok := toFloat(v)
	if !ok {
		return nil, fmt.Errorf("unsupported value of type %T", v)
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxExactFloat {
		return int64(f), nil
	}
	return f, nil
}
