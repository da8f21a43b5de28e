package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	shrooms "github.com/shrooms-org/shrooms"
)

// Backup writes a consistent copy of the database to path with VACUUM
// INTO while the node keeps running: it reads one snapshot on the read
// pool, so writers are not held up. The copy is synced to disk before
// Backup returns. Returns EINVALID for an empty path, ECONFLICT when the
// file exists (a backup never overwrites anything).
func (db *DB) Backup(ctx context.Context, path string) error {
	if path == "" {
		return shrooms.Errorf(shrooms.EINVALID, "backup path is required")
	}
	// An absolute path can never be taken for a "file:" URI.
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup path: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return fmt.Errorf("create backup directory: %w", err)
	}
	// Creating the file exclusively claims the name: an existing file is
	// refused here, never by matching SQLite's message, and VACUUM INTO
	// accepts the empty file that is then ours.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return shrooms.Errorf(shrooms.ECONFLICT, "backup file %s already exists", path)
	} else if err != nil {
		return fmt.Errorf("backup path: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup path: %w", err)
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		os.Remove(abs) // ours: empty or a partial copy
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(abs)
}

// syncFile flushes a file and its directory entry to stable storage:
// VACUUM INTO does not.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sync backup: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // best effort: not every platform syncs directories
		d.Close()
	}
	return nil
}
