package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationStatus describes one schema migration for `shroomsd migrate`.
type MigrationStatus struct {
	Version int
	// Name is the file name without ".sql", e.g. "0001_init".
	Name      string
	Applied   bool
	AppliedAt time.Time
	// Known is false for a version recorded in the database that this
	// binary does not ship: the database was migrated by a newer release.
	Known bool
}

// migration is one embedded NNNN_name.sql file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in version order. A
// malformed file name or a repeated version is a build mistake and fails
// every Open, so it cannot ship.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		file := e.Name()
		name := strings.TrimSuffix(file, ".sql")
		num, _, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", file)
		}
		if prev, dup := seen[version]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, file, version)
		}
		seen[version] = file
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", file))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", file, err)
		}
		out = append(out, migration{version: version, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// ensureMigrationsTable creates the bookkeeping table itself, which no
// migration can do since it records them.
func (db *DB) ensureMigrationsTable(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

// Migrate applies the pending migrations in order, each in its own
// transaction with its record in schema_migrations, and returns the names
// of those it applied. Open calls it; calling it again is a no-op. It
// refuses a database that holds migrations this binary does not know.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	migs, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return nil, err
	}
	if err := db.checkNoUnknownMigrations(ctx, migs); err != nil {
		return nil, err
	}
	for _, m := range migs {
		done, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// applyMigration runs one migration unless it is recorded already. The
// check happens inside the write transaction, so that two processes
// migrating at once cannot both apply it.
func (db *DB) applyMigration(ctx context.Context, m migration) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, db.now().UnixMilli()); err != nil {
		return false, fmt.Errorf("record migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit migration %s: %w", m.name, err)
	}
	return true, nil
}

// checkNoUnknownMigrations refuses to run an older binary on a database
// a newer one migrated: its code would not match the schema.
func (db *DB) checkNoUnknownMigrations(ctx context.Context, migs []migration) error {
	recorded, err := db.recordedMigrations(ctx, db.write)
	if err != nil {
		return err
	}
	known := map[int]bool{}
	for _, m := range migs {
		known[m.version] = true
	}
	for _, s := range recorded {
		if !known[s.Version] {
			return fmt.Errorf("database schema has migration %s, unknown to this binary (version %s): upgrade shroomsd",
				s.Name, shrooms.Version)
		}
	}
	return nil
}

// recordedMigrations lists schema_migrations by version.
func (db *DB) recordedMigrations(ctx context.Context, conn *sql.DB) ([]MigrationStatus, error) {
	rows, err := conn.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	defer rows.Close()
	var out []MigrationStatus
	for rows.Next() {
		var s MigrationStatus
		var at sql.NullInt64
		if err := rows.Scan(&s.Version, &s.Name, &at); err != nil {
			return nil, fmt.Errorf("list migrations: %w", err)
		}
		s.Applied, s.AppliedAt = true, fromMS(at)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	return out, nil
}

// MigrationStatus lists every migration this binary ships, applied or
// not, followed by any recorded migration it does not know, by version.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	migs, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	recorded, err := db.recordedMigrations(ctx, db.read)
	if err != nil {
		return nil, err
	}
	byVersion := map[int]MigrationStatus{}
	for _, s := range recorded {
		byVersion[s.Version] = s
	}
	var out []MigrationStatus
	for _, m := range migs {
		s, ok := byVersion[m.version]
		if !ok {
			s = MigrationStatus{Version: m.version, Name: m.name}
		}
		s.Name, s.Known = m.name, true
		delete(byVersion, m.version)
		out = append(out, s)
	}
	for _, s := range byVersion {
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}
