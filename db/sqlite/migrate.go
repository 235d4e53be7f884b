package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered SQL file, e.g. migrations/0001_init.sql.
type migration struct {
	version int
	name    string
	sql     string
	// rebuild marks a migration that rebuilds tables (its first line is
	// "-- flowcraft:rebuild"): it runs with foreign keys off, then
	// PRAGMA foreign_key_check must find nothing before it commits.
	rebuild bool
}

// rebuildMarker is the first line of a migration that rebuilds tables.
const rebuildMarker = "-- flowcraft:rebuild"

// migrationHooks run after the SQL of a migration, in its transaction: what SQL alone
// cannot do (times formatted in the store's time zone).
var migrationHooks = map[int]func(ctx context.Context, tx *sql.Tx, d *Store) error{
	7: fillSeedTimes,
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %q: name must be NNNN_description.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b), rebuild: strings.HasPrefix(string(b), rebuildMarker)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := range ms {
		if ms[i].version != i+1 {
			return nil, fmt.Errorf("migration %q: expected number %04d", ms[i].name, i+1)
		}
	}
	return ms, nil
}

// migrate applies, in order and each in its own transaction, the migrations not yet
// recorded in schema_migrations.
func (d *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := d.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := d.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d); upgrade flowcraft", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := d.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		d.log.Info("migration applied", "version", m.version, "name", m.name)
	}
	return nil
}

// applyMigration runs one migration and records it, in one transaction. A rebuild
// runs on the writer connection with foreign keys off (SQLite ignores that pragma
// inside a transaction, and dropping a parent table with them on would cascade) and
// commits only when PRAGMA foreign_key_check finds no dangling reference.
func (d *Store) applyMigration(ctx context.Context, m migration) error {
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if m.rebuild {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return &txError{op: "begin", err: err}
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if hook := migrationHooks[m.version]; hook != nil {
		if err := hook(ctx, tx, d); err != nil {
			return err
		}
	}
	if m.rebuild {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return &txError{op: "commit", err: err}
	}
	return nil
}

// foreignKeyCheck fails when PRAGMA foreign_key_check finds rows whose parent is
// missing; the error names the first few.
func foreignKeyCheck(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) error {
	rows, err := q.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	defer rows.Close()
	var bad []string
	n := 0
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign_key_check: %w", err)
		}
		if n++; len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%s row %d → %s", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("foreign_key_check: %d row(s) refer to missing rows: %s", n, strings.Join(bad, "; "))
	}
	return nil
}

// SchemaVersion returns the number of the last applied migration.
func (d *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := d.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, opErr(err, "read schema version")
}
