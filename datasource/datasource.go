// Package datasource opens the named databases of the database-handler template
// (FLOWCRAFT_DATASOURCES) and runs its statements: it implements
// templates.Databases. engine/templates checks and binds the parameters and shapes
// the output; only this package speaks database/sql and knows the drivers.
package datasource

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Spec configures one named data source.
type Spec struct {
	// Driver is the database driver; only "sqlite" is supported.
	Driver string `json:"driver"`
	// DSN is the driver's data source name; for sqlite a file path or a
	// "file:" URI, e.g. "file:/var/lib/reports.db?_pragma=busy_timeout(5000)".
	DSN string `json:"dsn"`
	// MaxOpen bounds the pool's open connections; 0 means 4. An in-memory
	// sqlite database always uses a single connection, since every
	// connection would otherwise see a database of its own.
	MaxOpen int `json:"maxOpen"`
	// MaxLength bounds, in bytes, any string, blob or row that SQL on the data
	// source makes or reads (SQLITE_LIMIT_LENGTH); 0 means 16 MiB. SQLite cannot
	// interrupt one function call midway (randomblob(4e8) runs for seconds), so this
	// is what keeps such a call within reach of the task's timeout.
	MaxLength int `json:"maxLength"`
}

// defaultMaxOpen is the pool size of a Spec without MaxOpen.
const defaultMaxOpen = 4

// defaultMaxLength is SQLITE_LIMIT_LENGTH of a Spec without MaxLength.
const defaultMaxLength = 16 << 20

// supportedDrivers returns the supported Spec.Driver values.
func supportedDrivers() []string { return []string{"sqlite"} }

// Sources are the named databases the database-handler template may use. Each
// is opened on first use and pooled. Sources implements templates.Databases and
// is safe for concurrent use; a nil *Sources has no data sources.
type Sources struct {
	sources   map[string]*dataSource // immutable after New
	forbidden []string               // canonical paths of files never to open
	closed    atomic.Bool
}

// dataSource is one configured data source and, once opened, its pool.
type dataSource struct {
	name string
	spec Spec
	mu   sync.Mutex // guards db
	db   *sql.DB
}

// ParseSpecs parses data source configuration (the FLOWCRAFT_DATASOURCES
// setting): a JSON object of names to Spec, e.g.
//
//	{"reports": {"driver": "sqlite", "dsn": "file:/var/lib/reports.db"}}
//
// Unknown fields are rejected. Empty text means no data sources.
func ParseSpecs(jsonText string) (map[string]Spec, error) {
	specs := make(map[string]Spec)
	if strings.TrimSpace(jsonText) == "" {
		return specs, nil
	}
	dec := json.NewDecoder(strings.NewReader(jsonText))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&specs); err != nil {
		return nil, fmt.Errorf("parsing data sources: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parsing data sources: unexpected data after the JSON object")
	}
	if specs == nil { // the text was null
		specs = make(map[string]Spec)
	}
	return specs, nil
}

// New checks specs and returns them as data sources, opening
// nothing yet. forbidden lists database files that must never be opened,
// such as the engine's own database: a data source naming one of them (or
// its -wal, -shm or -journal file), by whatever path, relative, through a
// symbolic link or a hard link, is refused, here and again when it is
// opened. All problems are reported together.
func New(specs map[string]Spec, forbidden []string) (*Sources, error) {
	d := &Sources{sources: make(map[string]*dataSource, len(specs))}
	for _, f := range forbidden {
		if strings.TrimSpace(f) == "" {
			continue
		}
		p := canonicalPath(f)
		d.forbidden = append(d.forbidden, p, p+"-wal", p+"-shm", p+"-journal")
	}
	names := make([]string, 0, len(specs))
	for name := range specs {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		spec := specs[name]
		if err := d.checkSpec(name, spec); err != nil {
			errs = append(errs, err)
			continue
		}
		d.sources[name] = &dataSource{name: name, spec: spec}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// checkSpec checks one data source of the configuration.
func (d *Sources) checkSpec(name string, spec Spec) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("data source names must not be empty")
	case !slices.Contains(supportedDrivers(), spec.Driver):
		return fmt.Errorf("data source %q: unsupported driver %q (supported: %s)", name, spec.Driver, strings.Join(supportedDrivers(), ", "))
	case strings.TrimSpace(spec.DSN) == "":
		return fmt.Errorf("data source %q: dsn is empty", name)
	case spec.MaxOpen < 0:
		return fmt.Errorf("data source %q: maxOpen must not be negative, got %d", name, spec.MaxOpen)
	case spec.MaxLength < 0 || spec.MaxLength > 1e9:
		return fmt.Errorf("data source %q: maxLength must be 0 (16 MiB) to 1000000000 bytes, got %d", name, spec.MaxLength)
	}
	return d.checkForbidden(name, spec.DSN)
}

// checkForbidden refuses a dsn that names a forbidden file.
func (d *Sources) checkForbidden(name, dsn string) error {
	path, ok := sqliteFilePath(dsn)
	if !ok {
		return nil
	}
	for _, f := range d.forbidden {
		if sameFile(path, f) {
			return fmt.Errorf("data source %q: refusing to open %s: the engine's own database files must not be used as a data source", name, f)
		}
	}
	return nil
}

// Names returns the names of the data sources, sorted.
func (d *Sources) Names() []string {
	if d == nil {
		return nil
	}
	names := make([]string, 0, len(d.sources))
	for name := range d.sources {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Conn returns a connection of the named data source's pool, opening the
// pool (and checking that the database answers) on first use. ATTACH is
// disabled on the connection, so that SQL cannot reach other database
// files. The caller must Close the connection to return it to the pool.
func (d *Sources) Conn(ctx context.Context, name string) (*sql.Conn, error) {
	db, err := d.db(ctx, name)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("data source %q: %w", name, err)
	}
	// sqlite3_limit is per connection; setting it on every checkout is
	// cheap and covers connections the pool opened since.
	if _, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_ATTACHED, 0); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("data source %q: disabling ATTACH: %w", name, err)
	}
	maxLen := d.sources[name].spec.MaxLength
	if maxLen == 0 {
		maxLen = defaultMaxLength
	}
	if _, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_LENGTH, maxLen); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("data source %q: limiting value sizes: %w", name, err)
	}
	return conn, nil
}

// interruptOnDone interrupts (sqlite3_interrupt) whatever statement runs on conn
// once ctx ends, until the returned function is called; call it before conn goes
// back to its pool. The driver (modernc.org/sqlite) does so itself only inside
// QueryContext and ExecContext, not while rows are read, and has no exported way
// to interrupt: the connection's handle is read from its unexported db field.
// If a driver version renames it, nothing is interrupted here and
// TestDatabaseHandlerTimeoutLaterRow fails.
func interruptOnDone(ctx context.Context, conn *sql.Conn) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	var handle uintptr
	_ = conn.Raw(func(dc any) error {
		v := reflect.ValueOf(dc)
		if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			if f := v.Elem().FieldByName("db"); f.IsValid() && f.Kind() == reflect.Uintptr {
				handle = uintptr(f.Uint())
			}
		}
		return nil
	})
	if handle == 0 {
		return func() {}
	}
	var mu sync.Mutex
	done := false
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done { // conn is still ours: its handle is open
			tls := libc.NewTLS()
			sqlite3.Xsqlite3_interrupt(tls, handle)
			tls.Close()
		}
	})
	return func() {
		stopAfter()
		mu.Lock()
		done = true
		mu.Unlock()
	}
}

// db returns the pool of the named data source, opening it if need be.
func (d *Sources) db(ctx context.Context, name string) (*sql.DB, error) {
	if d == nil || len(d.sources) == 0 {
		return nil, fmt.Errorf("unknown data source %q: no data sources are configured (FLOWCRAFT_DATASOURCES)", name)
	}
	s, ok := d.sources[name]
	if !ok {
		return nil, fmt.Errorf("unknown data source %q (configured: %s)", name, strings.Join(d.Names(), ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.closed.Load() {
		return nil, fmt.Errorf("data source %q: data sources are closed", name)
	}
	if s.db != nil {
		return s.db, nil
	}
	// Again at open time: the file or a link may have appeared since.
	if err := d.checkForbidden(name, s.spec.DSN); err != nil {
		return nil, err
	}
	db, err := sql.Open(s.spec.Driver, s.spec.DSN)
	if err != nil {
		return nil, fmt.Errorf("data source %q: %w", name, err)
	}
	maxOpen := s.spec.MaxOpen
	if maxOpen == 0 {
		maxOpen = defaultMaxOpen
	}
	if _, isFile := sqliteFilePath(s.spec.DSN); !isFile {
		maxOpen = 1
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxOpen)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("data source %q: %w", name, err)
	}
	s.db = db
	return db, nil
}

// Close closes every opened data source. Later uses fail.
func (d *Sources) Close() error {
	if d == nil {
		return nil
	}
	d.closed.Store(true)
	var errs []error
	for _, name := range d.Names() {
		s := d.sources[name]
		s.mu.Lock()
		if s.db != nil {
			if err := s.db.Close(); err != nil {
				errs = append(errs, fmt.Errorf("data source %q: %w", name, err))
			}
			s.db = nil
		}
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

// sqliteFilePath returns the database file a sqlite dsn names, or false for
// an in-memory or temporary database. It follows SQLite's rules: a "file:"
// URI has an optional empty or "localhost" authority, a percent-encoded
// path and a query (mode=memory means no file); a plain name ends at "?".
func sqliteFilePath(dsn string) (string, bool) {
	s := strings.TrimSpace(dsn)
	var query string
	if rest, ok := strings.CutPrefix(s, "file:"); ok {
		rest, _, _ = strings.Cut(rest, "#")
		rest, query, _ = strings.Cut(rest, "?")
		if after, ok := strings.CutPrefix(rest, "//"); ok {
			if i := strings.IndexByte(after, '/'); i >= 0 {
				rest = after[i:]
			} else {
				rest = ""
			}
		}
		if p, err := url.PathUnescape(rest); err == nil {
			rest = p
		}
		s = rest
	} else {
		s, query, _ = strings.Cut(s, "?")
	}
	if q, err := url.ParseQuery(query); err == nil && q.Get("mode") == "memory" {
		return "", false
	}
	if s == "" || s == ":memory:" {
		return "", false
	}
	return s, true
}

// canonicalPath returns p absolute and clean, with symbolic links resolved
// as far as the file (or else its directory) exists.
func canonicalPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// sameFile reports whether paths a and b name the same file: the same
// canonical path, or the same existing file (which catches hard links).
func sameFile(a, b string) bool {
	if canonicalPath(a) == canonicalPath(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
