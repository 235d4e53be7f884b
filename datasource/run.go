package datasource

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"flowcraft/engine/templates"
)

// Run implements templates.Databases: it runs st on the data source named source.
// The end of ctx interrupts the statement (sqlite3_interrupt) while it runs, rows
// included; one SQL function call (randomblob, say) cannot be interrupted midway,
// so the data source bounds the size of values (Spec.MaxLength). The connection
// goes back to its pool with no transaction open. Errors name the data source.
func (d *Sources) Run(ctx context.Context, source string, st templates.SQLStatement) (templates.SQLResult, error) {
	conn, err := d.Conn(ctx, source)
	if err != nil {
		return templates.SQLResult{}, err
	}
	defer releaseConn(ctx, conn)
	// The driver interrupts a statement whose ctx ends only while QueryContext or
	// ExecContext runs; a query's later rows are computed in rows.Next, which it does
	// not watch (a heavy second row ran 32 s past a 200 ms deadline).
	defer interruptOnDone(ctx, conn)()

	args := make([]any, len(st.Args))
	for i, a := range st.Args {
		if a.Name != "" {
			args[i] = sql.Named(a.Name, a.Value)
		} else {
			args[i] = a.Value
		}
	}
	var res templates.SQLResult
	if st.Exec {
		res, err = execSQL(ctx, conn, st.SQL, args)
	} else {
		res, err = querySQL(ctx, conn, st.SQL, args, st.MaxRows)
	}
	if err != nil {
		if strings.Contains(err.Error(), "too many attached databases") {
			err = fmt.Errorf("ATTACH is not allowed: %w", err)
		}
		return templates.SQLResult{}, fmt.Errorf("data source %q: %w", source, err)
	}
	return res, nil
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

// execSQL runs a statement that returns no rows.
func execSQL(ctx context.Context, conn *sql.Conn, query string, args []any) (templates.SQLResult, error) {
	res, err := conn.ExecContext(ctx, query, args...)
	if err != nil {
		return templates.SQLResult{}, err
	}
	var out templates.SQLResult
	if n, err := res.RowsAffected(); err == nil {
		out.RowsAffected = &n
	}
	if n, err := res.LastInsertId(); err == nil {
		out.LastInsertID = &n
	}
	return out, nil
}

// querySQL runs a query and reads at most maxRows rows (0: all of them).
func querySQL(ctx context.Context, conn *sql.Conn, query string, args []any, maxRows int) (templates.SQLResult, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return templates.SQLResult{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return templates.SQLResult{}, err
	}
	out := templates.SQLResult{Columns: cols, Rows: [][]any{}}
	ptrs := make([]any, len(cols))
	for rows.Next() {
		if maxRows > 0 && len(out.Rows) == maxRows {
			out.MoreRows = true
			return out, nil
		}
		vals := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return templates.SQLResult{}, err
		}
		out.Rows = append(out.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return templates.SQLResult{}, err
	}
	return out, nil
}
