package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"flowcraft/db"
	"flowcraft/db/sqlite"
)

// fileCmdConfig is the configuration of backup and restore: one file, the data
// directory, and whether to replace what is there.
type fileCmdConfig struct {
	File    string
	DataDir string
	Force   bool
}

// parseFileCmdFlags reads `flowcraft backup|restore [flags] <file> [flags]`.
func parseFileCmdFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (fileCmdConfig, error) {
	var cfg fileCmdConfig
	def := getenv("FLOWCRAFT_DATA")
	if def == "" {
		def = "./data"
	}
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	set.SetOutput(stderr)
	set.StringVar(&cfg.DataDir, "data", def, "data directory; the SQLite file lives here (FLOWCRAFT_DATA)")
	switch name {
	case "backup":
		set.BoolVar(&cfg.Force, "force", false, "replace the backup file if it exists")
		set.Usage = func() {
			fmt.Fprint(set.Output(), "Usage: flowcraft backup [--data DIR] [--force] FILE\n\nWrites a consistent copy of the database to FILE, also while a server is running.\n\n")
			set.PrintDefaults()
		}
	case "restore":
		set.BoolVar(&cfg.Force, "force", false, "replace the database in the data directory (the old one is kept as flowcraft.db.bak)")
		set.Usage = func() {
			fmt.Fprint(set.Output(), "Usage: flowcraft restore [--data DIR] [--force] FILE\n\nInstalls the backup FILE as the database of the data directory. Stop the server first.\n\n")
			set.PrintDefaults()
		}
	}
	// Flags may come before and after the file.
	var files []string
	for {
		if err := set.Parse(args); err != nil {
			return cfg, err
		}
		if set.NArg() == 0 {
			break
		}
		files = append(files, set.Arg(0))
		args = set.Args()[1:]
	}
	if len(files) != 1 {
		set.Usage()
		return cfg, fmt.Errorf("%s takes one file, got %d: %s", name, len(files), strings.Join(files, " "))
	}
	cfg.File = files[0]
	return cfg, nil
}

// backupCmd runs `flowcraft backup`: an online copy of the data directory's
// database; the server may keep running.
func backupCmd(ctx context.Context, cfg fileCmdConfig, stdout io.Writer) error {
	src := filepath.Join(cfg.DataDir, sqlite.FileName)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no database to back up at %s (set --data)", src)
	}
	err := sqlite.BackupFile(ctx, src, cfg.File, db.BackupOptions{Overwrite: cfg.Force})
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; choose another file or add --force to replace it", cfg.File)
	}
	if err != nil {
		return err
	}
	info, err := sqlite.VerifyFile(ctx, cfg.File)
	if err != nil {
		return fmt.Errorf("the backup was written but does not verify: %w", err)
	}
	st, err := os.Stat(cfg.File)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes; schema version %d; %d processes, %d instances)\n",
		cfg.File, st.Size(), info.SchemaVersion, info.Processes, info.Instances)
	return nil
}

// restoreCmd runs `flowcraft restore`: installs a backup as the data
// directory's database, refusing while a server uses it.
func restoreCmd(ctx context.Context, cfg fileCmdConfig, stdout io.Writer) error {
	target := filepath.Join(cfg.DataDir, sqlite.FileName)
	_, statErr := os.Stat(target)
	replaced := statErr == nil
	info, err := sqlite.Restore(ctx, cfg.File, cfg.DataDir, sqlite.RestoreOptions{Overwrite: cfg.Force})
	switch {
	case errors.Is(err, sqlite.ErrLocked):
		return fmt.Errorf("a flowcraft server is using %s; stop it, then restore", cfg.DataDir)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s already has a database; add --force to replace it (it is kept as %s.bak)", cfg.DataDir, sqlite.FileName)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (schema version %d; %d processes, %d instances)\n",
		cfg.File, target, info.SchemaVersion, info.Processes, info.Instances)
	if replaced {
		fmt.Fprintf(stdout, "the previous database is kept as %s.bak\n", target)
	}
	return nil
}
