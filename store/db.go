// Package store implements the SHROOMS service interfaces on SQLite
// (mattn/go-sqlite3): node settings, actors, accounts and sessions,
// profiles, groups and grants, media, follows, the transactional outbox,
// the delivery queue and the durable inbox.
//
// Every method that checks rights resolves the caller from its context
// (shrooms.IsSystem, shrooms.UserFromContext) inside its transaction and
// asks the root package's Principal; the rules are not repeated here.
//
// DB is the shared handle (pools, options, clock, Close, Backup,
// Migrate); each root service interface has its own small type over it
// (ItemService, PlaceService, ... in services.go), and Services bundles
// them for the wiring. One file holds the data of one noun. Exported
// methods open the transaction; the private helpers they call take the
// *sql.Tx, or are methods of DB when they need the pools or the clock.
//
// The binary must be built with -tags sqlite_fts5: Open refuses to start
// without FTS5 so that a missing tag fails at start-up, not at the first
// search.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	shrooms "github.com/shrooms-org/shrooms"
)

// DefaultBusyTimeout is how long a statement waits for a lock held by
// another connection (another process, such as a backup or a migrate
// command) before it fails.
const DefaultBusyTimeout = 5 * time.Second

// readConns is the size of the read pool. WAL lets readers run beside the
// single writer.
const readConns = 4

// Page sizes of every Find method.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// ErrFTS5Missing is returned by Open when the binary was built without
// the sqlite_fts5 tag.
var ErrFTS5Missing = errors.New("this binary was built without FTS5: build and test with -tags sqlite_fts5 (see README)")

// Options configures Open.
type Options struct {
	// PublicURL is the node's public URL, the root of every IRI the store
	// mints. It must pass shrooms.NewIRIs.
	PublicURL string
	// BusyTimeout defaults to DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Now is the clock of methods that take no now argument; it defaults
	// to time.Now. Tests set it to walk time forward.
	Now func() time.Time
	// NewKeyPair makes the key pair of each new local actor that comes
	// without one; nil means shrooms.NewKeyPair. Tests pass a pool of
	// pre-generated keys (internal/testkeys): RSA generation was most of
	// their time.
	NewKeyPair func() (privatePEM, publicPEM string, err error)
	// PasswordCost is bcrypt's work factor for new password hashes and
	// the dummy hash of unknown logins; 0 means bcrypt.DefaultCost. Tests
	// lower it: they hash hundreds of passwords and check nothing the
	// cost changes.
	PasswordCost int
}

// DB is the SQLite handle the services share. It holds two pools on one
// database file: a write pool of a single connection, so that writers
// queue in Go instead of failing on SQLITE_BUSY, and a read pool for
// concurrent readers.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	iris  shrooms.IRIs
	clock func() time.Time
	// newKeyPair and passwordCost are Options.NewKeyPair and
	// Options.PasswordCost with their defaults filled in; dummyHash is
	// made at passwordCost on the first unknown login.
	newKeyPair   func() (string, string, error)
	passwordCost int
	dummyHash    func() []byte

	inbox     chan inboxRequest
	insertIn  *sql.Stmt // the inbox insert, prepared once on the write connection
	blockedIn *sql.Stmt // the inbox's block check, likewise
	closing   chan struct{}
	inboxDone chan struct{}
	closeOnce sync.Once
	closeErr  error

	// Group-commit counters, read by tests and InboxBatchStats.
	inboxBatches  atomic.Int64
	inboxMaxBatch atomic.Int64
}

// Open opens (creating it if needed) the database at path, checks that
// FTS5 is compiled in, applies pending migrations and starts the inbox
// group-commit writer. The node's stored public URL is not compared with
// opts.PublicURL here; the caller does that through FindNode.
func Open(path string, opts Options) (*DB, error) {
	iris, err := shrooms.NewIRIs(opts.PublicURL)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "database path is required")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database path: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	clock := opts.Now
	if clock == nil {
		clock = time.Now
	}
	newKeyPair := opts.NewKeyPair
	if newKeyPair == nil {
		newKeyPair = shrooms.NewKeyPair
	}
	cost := opts.PasswordCost
	if cost == 0 {
		cost = bcryptCost
	}
	db := &DB{
		path:         abs,
		iris:         iris,
		clock:        clock,
		newKeyPair:   newKeyPair,
		passwordCost: cost,
		dummyHash:    sync.OnceValue(func() []byte { return dummyPassHash(cost) }),
		inbox:        make(chan inboxRequest),
		closing:      make(chan struct{}),
		inboxDone:    make(chan struct{}),
	}

	// synchronous=FULL: every acknowledged write, including each inbox
	// batch answered with 202, survives a power loss. _txlock=immediate
	// takes the write lock at BEGIN, so a transaction never fails halfway
	// when it upgrades from reading to writing.
	dsn := fmt.Sprintf("file:%s?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=%d&_txlock=immediate",
		uriPath(abs), busy.Milliseconds())
	if db.write, err = sql.Open("sqlite3", dsn); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.write.SetConnMaxLifetime(0)
	ctx := context.Background()
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	if err := checkFTS5(ctx, db.write); err != nil {
		db.write.Close()
		return nil, err
	}

	// The read pool opens the file read-only once the write pool has put
	// it in WAL mode; the open writer keeps the -wal and -shm files alive.
	rdsn := fmt.Sprintf("file:%s?mode=ro&_foreign_keys=on&_busy_timeout=%d&_txlock=deferred",
		uriPath(abs), busy.Milliseconds())
	if db.read, err = sql.Open("sqlite3", rdsn); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.read.SetMaxOpenConns(readConns)
	db.read.SetMaxIdleConns(readConns)
	if err := db.read.PingContext(ctx); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("open database %s read-only: %w", abs, err)
	}

	if _, err := db.Migrate(ctx); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, err
	}
	// Prepared before the writer starts: preparing inside a write
	// transaction would wait for the pool's only connection.
	if db.insertIn, err = db.write.PrepareContext(ctx, insertInboxSQL); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("prepare inbox insert: %w", err)
	}
	if db.blockedIn, err = db.write.PrepareContext(ctx, blockedSQL); err != nil {
		db.insertIn.Close()
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("prepare inbox block check: %w", err)
	}
	go db.runInboxWriter()
	return db, nil
}

// checkFTS5 fails loudly when go-sqlite3 was compiled without the
// sqlite_fts5 tag, long before the first search would.
func checkFTS5(ctx context.Context, conn *sql.DB) error {
	var used bool
	if err := conn.QueryRowContext(ctx, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`).Scan(&used); err != nil {
		return fmt.Errorf("check FTS5: %w", err)
	}
	if !used {
		return ErrFTS5Missing
	}
	return nil
}

// uriPath escapes the characters that would end the path part of a
// SQLite URI filename.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(p))
}

// Close stops the inbox writer, after it has answered every request it
// accepted, then closes both pools. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.closing)
		<-db.inboxDone
		db.insertIn.Close()
		db.blockedIn.Close()
		rerr := db.read.Close()
		werr := db.write.Close()
		if werr != nil {
			db.closeErr = werr
		} else {
			db.closeErr = rerr
		}
	})
	return db.closeErr
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// IRIs returns the URL layout the store mints IRIs from.
func (db *DB) IRIs() shrooms.IRIs { return db.iris }

// now is the store's clock, in UTC and truncated to the millisecond that
// the database keeps, so that a value read back equals the value written.
func (db *DB) now() time.Time { return db.clock().UTC().Truncate(time.Millisecond) }

// beginWrite starts a transaction on the single write connection. The
// DSN makes it BEGIN IMMEDIATE.
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return tx, nil
}

// beginRead starts a read transaction on the read pool, so that a page
// and its total count come from one snapshot.
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return tx, nil
}

// commit commits tx, mapping constraint errors raised at commit time.
func commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return dbError(err, nil)
	}
	return nil
}

// fromMS converts stored unix milliseconds back; NULL is the zero time.
func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// page returns the offset and limit of a Find call: a limit of zero means
// defaultLimit, and no page is larger than maxLimit.
func page(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	if limit > maxLimit {
		limit = maxLimit
	}
	return offset, limit
}

// where joins SQL conditions with AND; it returns "" for none.
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// boolInt stores a bool as 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// leaseRows marks rows of a queue table (deliveries, inbox_activities) as
// held by a worker until the given time.
func leaseRows(ctx context.Context, tx *sql.Tx, table string, ids []int64, until time.Time) error {
	args := make([]any, 0, len(ids)+1)
	args = append(args, until.UnixMilli())
	for _, id := range ids {
		args = append(args, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET locked_until = ? WHERE id IN (`+marks+`)`, args...)
	return err
}
