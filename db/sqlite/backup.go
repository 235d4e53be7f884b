package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"flowcraft/db"
)

// ErrLocked reports that the database is in use the other way: a restore while a
// store (a server) has it open, or an open while a restore replaces it.
var ErrLocked = errors.New("the database is in use by another flowcraft process")

// lockPath is the advisory lock file of the database at path (lock_unix.go).
func lockPath(path string) string { return path + ".lock" }

// FileInfo describes a database file checked by VerifyFile.
type FileInfo struct {
	SchemaVersion int   // the last applied migration
	Processes     int64 // process definitions
	Instances     int64 // process instances
}

// Backup implements db.Store: it writes a consistent copy of the store's database to path while the
// store keeps serving (see BackupFile).
func (d *Store) Backup(ctx context.Context, path string, opts db.BackupOptions) error {
	return BackupFile(ctx, d.path, path, opts)
}

// BackupFile writes a consistent copy of the database file src to dst, online:
// src may be in use by a server in this or another process. The copy is made
// by VACUUM INTO on a read-only connection of its own, which reads one snapshot
// inside a read transaction (writers go on; the copy holds every transaction
// committed before it began and none after), into a temporary file beside dst
// that is synced and then renamed into place, so dst is either the whole
// backup or absent. An existing dst is refused (fs.ErrExist) unless
// opts.Overwrite.
func BackupFile(ctx context.Context, src, dst string, opts db.BackupOptions) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: no database at %s: %w", src, err)
	}
	if !opts.Overwrite {
		if _, err := os.Lstat(dst); err == nil {
			return fmt.Errorf("backup: %s already exists: %w", dst, fs.ErrExist)
		}
	}
	// VACUUM INTO writes into a file that does not exist or is empty.
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	installed := false
	defer func() {
		if !installed {
			os.Remove(name)
		}
	}()
	conn, err := sql.Open("sqlite", readOnlyURI(src))
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, name); err != nil {
		return fmt.Errorf("backup: copy %s: %w", src, err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if opts.Overwrite {
		err = os.Rename(name, dst)
	} else {
		// A hard link fails if dst appeared meanwhile: never replace it silently.
		if err = os.Link(name, dst); err == nil {
			os.Remove(name)
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("backup: %s already exists: %w", dst, fs.ErrExist)
		}
		return fmt.Errorf("backup: %w", err)
	}
	installed = true
	return syncDir(filepath.Dir(dst))
}

// VerifyFile checks that path is a flowcraft database this binary can serve:
// SQLite's integrity_check passes, and every migration it records is one this
// binary knows, by number and name. It opens the file read-only.
func VerifyFile(ctx context.Context, path string) (FileInfo, error) {
	var info FileInfo
	if _, err := os.Stat(path); err != nil {
		return info, err
	}
	conn, err := sql.Open("sqlite", readOnlyURI(path))
	if err != nil {
		return info, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return info, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return info, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return info, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "…")
		}
		return info, fmt.Errorf("%s fails SQLite's integrity check: %s", path, strings.Join(problems, "; "))
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return info, err
	}
	if n == 0 {
		return info, fmt.Errorf("%s is an SQLite database but not flowcraft's (no schema_migrations table)", path)
	}
	known, err := loadMigrations()
	if err != nil {
		return info, err
	}
	mrows, err := conn.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return info, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var v int
		var name string
		if err := mrows.Scan(&v, &name); err != nil {
			return info, err
		}
		switch {
		case v < 1:
			return info, fmt.Errorf("%s records an unknown migration %d %q", path, v, name)
		case v > len(known):
			return info, fmt.Errorf("%s has schema version %d, newer than this binary knows (%d); use a newer flowcraft", path, v, len(known))
		case known[v-1].name != name:
			return info, fmt.Errorf("%s records migration %d as %q; this binary knows it as %q", path, v, name, known[v-1].name)
		}
		info.SchemaVersion = max(info.SchemaVersion, v)
	}
	if err := mrows.Err(); err != nil {
		return info, err
	}
	if info.SchemaVersion == 0 {
		return info, fmt.Errorf("%s records no migrations: not a flowcraft database", path)
	}
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM workflow), (SELECT count(*) FROM workflow_inst)`).Scan(&info.Processes, &info.Instances); err != nil {
		return info, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// RestoreOptions tune Restore.
type RestoreOptions struct {
	Overwrite bool // replace a database that is already in the directory (kept as .bak)
}

// Restore installs the backup file src as the database of data directory dir.
// It verifies src first (VerifyFile), refuses while a store has the database
// open (ErrLocked: stop the server first) and refuses an existing database
// (fs.ErrExist) unless opts.Overwrite; then the existing database is kept as
// flowcraft.db.bak (with its write-ahead log, if any). The copy is written
// beside the database, synced and renamed into place. Migrations newer than the
// backup run when the directory is next opened.
func Restore(ctx context.Context, src, dir string, opts RestoreOptions) (FileInfo, error) {
	info, err := VerifyFile(ctx, src)
	if err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return info, fmt.Errorf("restore: create data directory: %w", err)
	}
	target := filepath.Join(dir, FileName)
	exists := func() bool {
		_, err := os.Lstat(target)
		return err == nil
	}
	if exists() && !opts.Overwrite {
		return info, fmt.Errorf("restore: %s already has a database: %w", dir, fs.ErrExist)
	}
	release, err := lockFile(lockPath(target), true)
	if err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	defer release()
	if exists() && !opts.Overwrite {
		return info, fmt.Errorf("restore: %s already has a database: %w", dir, fs.ErrExist)
	}

	tmp, err := os.CreateTemp(dir, "."+FileName+".restore-*")
	if err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	name := tmp.Name()
	installed := false
	defer func() {
		if !installed {
			removeDB(name)
		}
	}()
	if err := copyFrom(tmp, src); err != nil {
		return info, fmt.Errorf("restore: copy %s: %w", src, err)
	}
	// What is installed is what was checked: verify the copy too (a file may
	// change between two reads), then drop side files the check may have made.
	if info, err = VerifyFile(ctx, name); err != nil {
		return info, fmt.Errorf("restore: the copy of %s: %w", src, err)
	}
	removeSideFiles(name)

	if exists() {
		bak := target + ".bak"
		removeDB(bak)
		if err := os.Rename(target, bak); err != nil {
			return info, fmt.Errorf("restore: keep the old database: %w", err)
		}
		// The old write-ahead log belongs to the old database: it goes with it,
		// never onto the restored one.
		if err := os.Rename(target+"-wal", bak+"-wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return info, fmt.Errorf("restore: keep the old database's log: %w", err)
		}
		if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return info, fmt.Errorf("restore: %w", err)
		}
	}
	removeSideFiles(target)
	if err := os.Rename(name, target); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	installed = true
	return info, syncDir(dir)
}

// copyFrom copies the file src into f, syncs and closes f.
func copyFrom(f *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		f.Close()
		return err
	}
	defer in.Close()
	if _, err := io.Copy(f, in); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// removeDB removes a database file with its side files.
func removeDB(path string) {
	os.Remove(path)
	removeSideFiles(path)
}

// removeSideFiles removes the write-ahead log and shared-memory files of path.
func removeSideFiles(path string) {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// readOnlyURI is the URI that opens the database file at path read-only; ?, #
// and % in the path are escaped, as SQLite's URI syntax wants.
func readOnlyURI(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?mode=ro&_pragma=busy_timeout(10000)"
}
