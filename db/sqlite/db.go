// Package db is flowcraft's SQLite store (modernc.org/sqlite, no cgo).
//
// One file holds everything. There is exactly one writer connection: every write
// transaction starts with BEGIN IMMEDIATE, so writers queue on the Go side instead of
// failing with SQLITE_BUSY, and a pool of read-only connections serves queries
// concurrently thanks to WAL. All pragmas are set in one place, connect.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"flowcraft/engine"
)

// FileName is the database file inside the data directory.
const FileName = "flowcraft.db"

// Store is the SQLite store. It implements the storage interfaces declared by package engine.
type Store struct {
	write *sql.DB // exactly one connection; BEGIN IMMEDIATE
	read  *sql.DB // query_only connections
	log   *slog.Logger
	path  string
	// unlock releases the shared lock that keeps a restore from replacing the
	// database while it is open (backup.go).
	unlock func() error

	// group commit of engine steps (commit.go)
	commits       chan commitReq
	closing       chan struct{}
	closeOnce     sync.Once
	committerDone chan struct{}
	queueMu       sync.RWMutex // held for reading while enqueuing, for writing to close
	queueClosed   bool
	stmts         map[string]*sql.Stmt // prepared step statements (commit.go)
}

// Options tune the store.
type Options struct {
	Readers int // reader pool size; default max(4, 2*GOMAXPROCS)
}

// Open opens (creating if needed) the database in dir and applies pending migrations.
func Open(ctx context.Context, dir string, opts Options, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return OpenFile(ctx, filepath.Join(dir, FileName), opts, log)
}

// OpenFile opens the database at path and applies pending migrations.
func OpenFile(ctx context.Context, path string, opts Options, log *slog.Logger) (*Store, error) {
	if opts.Readers <= 0 {
		opts.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	unlock, err := lockFile(lockPath(path), false)
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("open %s: a restore is replacing the database; try again when it is done", path)
	} else if err != nil {
		return nil, err
	}
	w, err := connect(path, false)
	if err != nil {
		unlock()
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := connect(path, true)
	if err != nil {
		w.Close()
		unlock()
		return nil, err
	}
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	d := &Store{write: w, read: r, log: log.With("subsystem", "db"), path: path, closing: make(chan struct{}), unlock: sync.OnceValue(unlock)}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.prepareSteps(ctx); err != nil {
		d.Close()
		return nil, err
	}
	d.startCommitter()
	return d, nil
}

// connect is the one place where connection settings live. busy_timeout comes first
// (the driver applies it before the other pragmas), then WAL, synchronous=NORMAL
// (durable at every checkpoint, safe against corruption, fast) and foreign keys.
func connect(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16000)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Close closes both pools. With WAL, the last connection to close checkpoints the log.
// Steps queued for the group commit are written first.
func (d *Store) Close() error {
	if d.commits != nil {
		d.stopCommitter()
	}
	for _, st := range d.stmts {
		st.Close()
	}
	err := errors.Join(d.read.Close(), d.write.Close())
	if d.unlock != nil {
		err = errors.Join(err, d.unlock())
	}
	return err
}

// Ping checks that the database answers to reads and writes.
func (d *Store) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return err
	}
	return d.write.PingContext(ctx)
}

// Path is the database file.
func (d *Store) Path() string { return d.path }

// tx runs fn in a write transaction (BEGIN IMMEDIATE on the single writer connection).
func (d *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	t, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(t); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// isUniqueViolation reports a PRIMARY KEY or UNIQUE constraint failure.
func isUniqueViolation(err error) bool {
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// orderBy builds a safe ORDER BY clause from a whitelist of sortable fields.
func orderBy(p engine.Page, allowed map[string]string, def string) (string, error) {
	col := def
	if p.Sort != "" {
		c, ok := allowed[p.Sort]
		if !ok {
			keys := slices.Sorted(maps.Keys(allowed))
			return "", engine.Invalid("sort", "cannot sort by %q; use one of %s", p.Sort, strings.Join(keys, ", "))
		}
		col = c
	}
	dir := "ASC"
	if p.Desc {
		dir = "DESC"
	}
	return " ORDER BY " + col + " " + dir, nil
}

// likePattern escapes s for a LIKE ... ESCAPE '\' substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
