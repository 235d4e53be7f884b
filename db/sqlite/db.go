// Package sqlite is flowcraft's embedded store (modernc.org/sqlite, no cgo): the
// default implementation of db.Store, tested by the contract suite db/storetest.
//
// One file holds everything. There is exactly one writer connection: every write
// transaction starts with BEGIN IMMEDIATE, so writers queue on the Go side instead of
// failing with SQLITE_BUSY, and a pool of read-only connections serves queries
// concurrently thanks to WAL. All pragmas are set in one place, connect. Engine steps
// are written in groups by one goroutine (committer.go, step.go); the writers of each
// entity live in its file (instances.go, runtimes.go, variables.go, jobs.go,
// humantasks.go, idempotency.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"flowcraft/db"
)

// FileName is the database file inside the data directory.
const FileName = "flowcraft.db"

// Store is the SQLite store. It implements db.Store.
type Store struct {
	write *sql.DB // exactly one connection; BEGIN IMMEDIATE
	read  *sql.DB // query_only connections
	log   *slog.Logger
	path  string
	// unlock releases the shared lock that keeps a restore from replacing the
	// database while it is open (backup.go).
	unlock func() error

	stmts   map[string]*sql.Stmt // prepared step statements (step.go)
	commits *committer           // group commit of engine steps (committer.go)

	times *seedTimes // the seed's text times, in Options.Location (seedtime.go)
	node  any        // Options.Node, boxed once (nil for none): written to node_inst.execute_ip
	procs procCache  // what new instances copy from their definitions (procs.go)
	ext   extStmts   // prepared statements of external jobs (external.go)
	kept  keptStatus // the status each instance was last written with (instances.go)
}

var _ db.Store = (*Store)(nil)

// Options tune the store.
type Options struct {
	Readers int // reader pool size; default max(4, 2*GOMAXPROCS)
	// Location is the server's time zone, in which the seed's text times
	// (workflow_inst and node_inst start_at/end_at, 'YYYY-MM-DD HH:MM:SS') are
	// written; default UTC.
	Location *time.Location
	// Node names this flowcraft process in node_inst.execute_ip (the seed: the
	// address of whoever ran the task); default the host name.
	Node string
}

// Open opens (creating if needed) the database in dir and applies pending migrations.
// The store is ready to use: its committer runs until Close. ctx bounds the opening;
// its values (not its cancellation) reach the step writes.
func Open(ctx context.Context, dir string, opts Options, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return OpenFile(ctx, filepath.Join(dir, FileName), opts, log)
}

// OpenFile opens the database at path and applies pending migrations (see Open).
func OpenFile(ctx context.Context, path string, opts Options, log *slog.Logger) (*Store, error) {
	if opts.Readers <= 0 {
		opts.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if opts.Node == "" {
		opts.Node, _ = os.Hostname()
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
	d := &Store{write: w, read: r, log: log.With("subsystem", "db"), path: path, unlock: sync.OnceValue(unlock),
		times: newSeedTimes(opts.Location), node: nullText(opts.Node)}
	if err := d.migrate(ctx); err != nil {
		d.Close(ctx)
		return nil, err
	}
	if err := d.prepareSteps(ctx); err != nil {
		d.Close(ctx)
		return nil, err
	}
	d.commits = newCommitter(4*maxBatch, d.writeBatch)
	d.commits.Start(context.WithoutCancel(ctx))
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
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return conn, nil
}

// Close writes the steps still queued for the group commit, then closes both pools
// (with WAL, the last connection to close checkpoints the log). When ctx ends before
// the queue is written, the rest is abandoned and Close says how many steps were lost
// (an error matching db.ErrClosed).
func (d *Store) Close(ctx context.Context) error {
	var err error
	if d.commits != nil {
		err = d.commits.Close(ctx)
	}
	for _, st := range d.stmts {
		st.Close()
	}
	err = errors.Join(err, d.read.Close(), d.write.Close())
	if d.unlock != nil {
		err = errors.Join(err, d.unlock())
	}
	return err
}

// Ping checks that the database answers to reads and writes.
func (d *Store) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping readers: %w", err)
	}
	if err := d.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping writer: %w", err)
	}
	return nil
}

// Path is the database file.
func (d *Store) Path() string { return d.path }

// txError is a failed BEGIN or COMMIT. It fails every statement of the transaction,
// where any other error of a transaction is one statement's.
type txError struct {
	op  string // "begin" or "commit"
	err error
}

func (e *txError) Error() string { return e.op + ": " + e.err.Error() }
func (e *txError) Unwrap() error { return e.err }

// tx runs fn in a write transaction (BEGIN IMMEDIATE on the single writer connection).
// A failed BEGIN or COMMIT is a *txError; fn's error is returned as it is.
func (d *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	t, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return &txError{op: "begin", err: err}
	}
	if err := fn(t); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return &txError{op: "commit", err: err}
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

// isForeignKeyViolation reports a FOREIGN KEY constraint failure.
func isForeignKeyViolation(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

type rowScanner interface{ Scan(dest ...any) error }
