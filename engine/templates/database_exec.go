package templates

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flowcraft/scripting"
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

// Databases runs the statements of the database-handler template on named data
// sources. Package datasource implements it; this package never opens a database.
type Databases interface {
	// Run runs st on the data source named source. The end of ctx interrupts the
	// statement, rows included. Errors name the data source.
	Run(ctx context.Context, source string, st SQLStatement) (SQLResult, error)
}

// SQLStatement is one SQL statement to run.
type SQLStatement struct {
	SQL  string
	Args []SQLArg
	// Exec runs a statement that returns no rows; otherwise it is a query.
	Exec bool
	// MaxRows bounds the rows a query reads; a further row sets
	// SQLResult.MoreRows instead. 0 means no bound.
	MaxRows int
}

// SQLArg is one bound parameter: positional (?) when Name is empty, else named
// (:name, @name or $name; Name without the prefix).
type SQLArg struct {
	Name  string
	Value any // nil, bool, int64, float64, string, []byte or time.Time
}

// SQLResult is what a statement returned.
type SQLResult struct {
	// Columns are a query's column names in select order.
	Columns []string
	// Rows are a query's rows, each value as the driver scanned it (nil, int64,
	// float64, bool, string, []byte or time.Time).
	Rows [][]any
	// MoreRows tells that the query had more rows than MaxRows.
	MoreRows bool
	// RowsAffected and LastInsertID are an exec's counts; nil when the driver
	// does not report them.
	RowsAffected *int64
	LastInsertID *int64
}

// Run implements Runner. It runs the sql parameter on the data source named
// by datasource (with c.Services.Data), binding params: an array binds the
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
// statement (see Databases).
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
	if c.Services == nil || c.Services.Data == nil {
		return Outcome{}, fmt.Errorf("unknown data source %q: no data sources are configured (FLOWCRAFT_DATASOURCES)", name)
	}

	res, err := c.Services.Data.Run(ctx, name, SQLStatement{SQL: query, Args: args, Exec: mode == "exec", MaxRows: maxQueryRows})
	if err != nil {
		return Outcome{}, withCtxErr(ctx, err)
	}
	if mode == "exec" {
		return Outcome{Output: map[string]any{"rowsAffected": jsonIntPtr(res.RowsAffected), "lastInsertId": jsonIntPtr(res.LastInsertID)}}, nil
	}
	if res.MoreRows || len(res.Rows) > maxQueryRows {
		return Outcome{}, fmt.Errorf("data source %q: query returned more than %d rows; add a LIMIT", name, maxQueryRows)
	}
	return Outcome{Output: queryOutput(res)}, nil
}

// withCtxErr adds ctx's error to err when ctx is done, since a driver may
// report an interrupted statement in its own words.
func withCtxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// queryOutput shapes a query's result as {rows, count, columns}.
func queryOutput(res SQLResult) map[string]any {
	rows := make([]any, 0, len(res.Rows))
	for _, vals := range res.Rows {
		row := make(map[string]any, len(res.Columns))
		for i, col := range res.Columns {
			if i < len(vals) {
				row[col] = jsonValue(vals[i])
			}
		}
		rows = append(rows, row)
	}
	columns := make([]any, len(res.Columns))
	for i, col := range res.Columns {
		columns[i] = col
	}
	return map[string]any{"rows": rows, "count": float64(len(rows)), "columns": columns}
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
	if f, ok := scripting.ToFloat(v); ok {
		return f
	}
	return fmt.Sprint(v)
}

// jsonIntPtr is jsonInt of *n, or nil.
func jsonIntPtr(n *int64) any {
	if n == nil {
		return nil
	}
	return jsonInt(*n)
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
func sqlArgs(v any) ([]SQLArg, error) {
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
		args := make([]SQLArg, len(x))
		for i, e := range x {
			a, err := sqlArg(e)
			if err != nil {
				return nil, fmt.Errorf("params[%d]: %w", i, err)
			}
			args[i] = SQLArg{Value: a}
		}
		return args, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		args := make([]SQLArg, 0, len(x))
		for _, k := range keys {
			name := strings.TrimLeft(strings.TrimSpace(k), ":@$")
			if name == "" {
				return nil, fmt.Errorf("params: invalid parameter name %q", k)
			}
			a, err := sqlArg(x[k])
			if err != nil {
				return nil, fmt.Errorf("params.%s: %w", name, err)
			}
			args = append(args, SQLArg{Name: name, Value: a})
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
	f, ok := scripting.ToFloat(v)
	if !ok {
		return nil, fmt.Errorf("unsupported value of type %T", v)
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxExactFloat {
		return int64(f), nil
	}
	return f, nil
}
