//go:build unix

package sqlite

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenRefusedDuringRestore: while a restore holds the database's lock, opening
// it fails with a clear message; stores share the lock with each other.
func TestOpenRefusedDuringRestore(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := Open(context.Background(), dir, Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(context.Background(), dir, Options{}, log) // a second node on the same database
	if err != nil {
		t.Fatalf("a second store on the same database: %v", err)
	}
	if _, err := lockFile(lockPath(filepath.Join(dir, FileName)), true); !errors.Is(err, ErrLocked) {
		t.Fatalf("exclusive lock while stores are open: %v, want ErrLocked", err)
	}
	a.Close(context.Background())
	b.Close(context.Background())
	release, err := lockFile(lockPath(filepath.Join(dir, FileName)), true)
	if err != nil {
		t.Fatalf("exclusive lock once the stores are closed: %v", err)
	}
	if _, err := Open(context.Background(), dir, Options{}, log); err == nil || !strings.Contains(err.Error(), "restore") {
		t.Fatalf("open during a restore: %v", err)
	}
	release()
	c, err := Open(context.Background(), dir, Options{}, log)
	if err != nil {
		t.Fatalf("open after the restore: %v", err)
	}
	c.Close(context.Background())
}
