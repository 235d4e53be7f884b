package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"flowcraft/engine"
)

// sorting is the ORDER BY of a list, as data: the fields a caller may sort by and
// what happens when the page names none.
type sorting struct {
	fields map[string]string // sortable API field → column
	// byDefault is the field used when the page names none; Page.Desc gives the
	// direction, unless defaultDesc, which makes the default descending regardless.
	byDefault   string
	defaultDesc bool
	// then is appended to every ORDER BY (a unique column: pages do not overlap).
	then string
}

// clause builds a safe ORDER BY clause from the whitelist; an unknown field is
// ErrInvalid on the field "sort".
func (s sorting) clause(p engine.Page) (string, error) {
	field, desc := p.Sort, p.Desc
	if field == "" {
		field = s.byDefault
		desc = desc || s.defaultDesc
	}
	col, ok := s.fields[field]
	if !ok {
		keys := slices.Sorted(maps.Keys(s.fields))
		return "", engine.Invalid("sort", "cannot sort by %q; use one of %s", p.Sort, strings.Join(keys, ", "))
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	order := " ORDER BY " + col + dir
	if s.then != "" {
		order += ", " + s.then
	}
	return order, nil
}

// listQuery is a paged list: a page of `SELECT columns FROM from ORDER BY ...` and the
// count of every row of `from`.
type listQuery struct {
	op      string // what the list is, for errors: "list inbox"
	columns string
	from    string // tables, joins and WHERE, without the FROM keyword and the order
	args    []any  // of from's placeholders
	order   sorting
	known   *int // the total when the caller knows it (not counted then)
}

// listPage runs a list query on the readers: the rows of the page, each read by scan,
// and the total. Every error says which list failed.
func listPage[T any](ctx context.Context, conn *sql.DB, q listQuery, page engine.Page, scan func(*sql.Rows) (T, error)) ([]T, int, error) {
	order, err := q.order.clause(page)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", q.op, err)
	}
	var total int
	if q.known != nil {
		total = *q.known
	} else if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+q.from, q.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("%s: count: %w", q.op, err)
	}
	// "?" after numbered parameters (?1) takes the next number: LIMIT and OFFSET follow q.args.
	args := append(slices.Clip(q.args), page.Limit, page.Offset)
	rows, err := conn.QueryContext(ctx, `SELECT `+q.columns+` FROM `+q.from+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", q.op, err)
	}
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", q.op, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", q.op, err)
	}
	return list, total, nil
}

// queryAll runs a query on the readers and reads every row with scan; errors say op.
func queryAll[T any](ctx context.Context, conn *sql.DB, op, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return list, nil
}

// likePattern escapes s for a LIKE ... ESCAPE '\' substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// likeFilter is the LIKE ... ESCAPE '\' pattern of an xxxLike filter (seed 003's
// convention): with a "%" in s, s is the pattern and "%" its wildcard ("Unk%" finds
// the names that start with Unk; "_" and "\" match themselves); without, a substring.
func likeFilter(s string) string {
	if !strings.Contains(s, "%") {
		return likePattern(s)
	}
	return strings.NewReplacer(`\`, `\\`, `_`, `\_`).Replace(s)
}

// prefixed qualifies every column of a list with a table alias: "a, b" → "t.a, t.b".
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// where joins conditions into a WHERE clause ("" for none).
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// opErr wraps err, if any, with the operation that failed: "list inbox: ...". The
// engine's sentinel errors stay detectable with errors.Is.
func opErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
