package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	shrooms "github.com/shrooms-org/shrooms"
)

// The remote cache keeps what linked partners publish, for search. Writes
// come in batches from the inbox worker and the partner sync, one write
// transaction per batch: BenchmarkApplyRemoteChanges ingests 10,000 to 19,000
// activities/s in batches of 100 on 2 cores (the issue asks for 2,000),
// the full-text index included.

// remoteColumns is the column list scanRemote reads, in order.
const remoteColumns = `r.id, r.iri, r.actor_id, r.type, r.kind, r.status, r.name, r.summary, r.content,
	r.url, r.image_url, r.public, r.updated_at, r.deleted, r.raw, r.sync_gen, r.cached_at`

func scanRemote(s scanner, extra ...any) (*shrooms.RemoteObject, error) {
	var o shrooms.RemoteObject
	var updated, cached sql.NullInt64
	var raw []byte
	dest := []any{&o.ID, &o.IRI, &o.ActorID, &o.Type, &o.Kind, &o.Status, &o.Name, &o.Summary, &o.Content,
		&o.URL, &o.ImageURL, &o.Public, &updated, &o.Deleted, &raw, &o.SyncGen, &cached}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	o.Updated, o.CachedAt = fromMS(updated), fromMS(cached)
	if len(raw) > 0 {
		o.Raw = raw
	}
	return &o, nil
}

// remoteTags are the filter tokens indexed in remote_fts's tags column:
// k<kind>, s<status>, a<actor id>. The unicode61 tokenizer splits on
// anything but letters and digits, so each token keeps only those
// ("on_loan" becomes "sonloan").
func remoteTags(kind shrooms.ItemKind, status shrooms.ItemStatus, actorID int64) string {
	return tagToken("k", string(kind)) + " " + tagToken("s", string(status)) + " a" + strconv.FormatInt(actorID, 10)
}

func tagToken(prefix, v string) string {
	return prefix + strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToLower(r)
		}
		return -1
	}, v)
}

// remoteSender is a batch's cached verdict on one sender.
type remoteSender struct {
	id   int64
	host string
	ok   bool
}

// remoteBatch holds a write transaction's prepared statements and the
// senders already looked up, so that a batch of 100 changes from one
// partner checks the partnership once.
type remoteBatch struct {
	tx                          *sql.Tx
	now                         int64
	senders                     map[string]remoteSender
	find, insert, update, stale *sql.Stmt
	tombstone, insertTomb       *sql.Stmt
}

const (
	remoteFindSQL   = `SELECT id, actor_id, updated_at FROM remote_objects WHERE iri = ?`
	remoteInsertSQL = `INSERT INTO remote_objects (iri, actor_id, type, kind, status, name, summary, content, tags,
		url, image_url, public, updated_at, deleted, raw, sync_gen, cached_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`
	remoteUpdateSQL = `UPDATE remote_objects SET type = ?, kind = ?, status = ?, name = ?, summary = ?, content = ?,
		tags = ?, url = ?, image_url = ?, public = ?, updated_at = ?, deleted = 0, raw = ?,
		sync_gen = CASE WHEN ? = 0 THEN sync_gen ELSE ? END, cached_at = ? WHERE id = ?`
	remoteStaleSQL     = `UPDATE remote_objects SET sync_gen = ? WHERE id = ? AND ? <> 0`
	remoteTombstoneSQL = `UPDATE remote_objects SET deleted = 1, kind = '', status = '', name = '', summary = '',
		content = '', tags = '', url = '', image_url = '', raw = NULL, updated_at = ?,
		sync_gen = CASE WHEN ? = 0 THEN sync_gen ELSE ? END, cached_at = ? WHERE id = ?`
	remoteInsertTombSQL = `INSERT INTO remote_objects (iri, actor_id, type, updated_at, deleted, sync_gen, cached_at)
		VALUES (?, ?, ?, ?, 1, ?, ?)`
)

// ApplyRemoteChanges applies changes in order in one write transaction
// and returns each one's result; only the system may call it
// (EFORBIDDEN). A change is refused when its sender is not a partner we
// follow (partners row, not blocked, host not blocked, our follow
// accepted), when the object's IRI is not on the sender's host or is
// cached for another actor, or when it is malformed (no IRI, unknown op).
// A Put replaces only an older version (a tombstone included); a Delete
// leaves a tombstone when it is not older than the cached version, so
// that a late Create does not resurrect the object; a Withdraw does the
// same at the time of the Update that took us out of the audience, so
// that an older Create does not bring it back while a newer version
// shared with us again does. Item and Extra are ignored: callers parse Raw.
func (s *RemoteCacheService) ApplyRemoteChanges(ctx context.Context, changes []shrooms.RemoteChange) ([]shrooms.RemoteResult, error) {
	if !shrooms.IsSystem(ctx) {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "only the node may change the remote cache").Keyed("core.error.db_node_only")
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b := &remoteBatch{tx: tx, now: s.db.now().UnixMilli(), senders: map[string]remoteSender{}}
	defer b.close()
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{{&b.find, remoteFindSQL}, {&b.insert, remoteInsertSQL}, {&b.update, remoteUpdateSQL},
		{&b.stale, remoteStaleSQL}, {&b.tombstone, remoteTombstoneSQL}, {&b.insertTomb, remoteInsertTombSQL}} {
		if *p.st, err = tx.PrepareContext(ctx, p.q); err != nil {
			return nil, fmt.Errorf("prepare remote cache: %w", err)
		}
	}
	out := make([]shrooms.RemoteResult, len(changes))
	for k := range changes {
		if out[k], err = b.apply(ctx, &changes[k]); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return out, nil
}

func (b *remoteBatch) close() {
	for _, st := range []*sql.Stmt{b.find, b.insert, b.update, b.stale, b.tombstone, b.insertTomb} {
		if st != nil {
			st.Close()
		}
	}
}

// sender resolves and checks the actor a change comes from, once a batch.
func (b *remoteBatch) sender(ctx context.Context, actorIRI string) (remoteSender, error) {
	if s, ok := b.senders[actorIRI]; ok {
		return s, nil
	}
	var s remoteSender
	err := b.tx.QueryRowContext(ctx, `SELECT a.id, a.host,
		EXISTS (SELECT 1 FROM partners p WHERE p.actor_id = a.id AND p.blocked = 0)
		AND NOT EXISTS (SELECT 1 FROM blocked_hosts h WHERE h.host = a.host)
		AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = (`+orgActorIDSQL+`)
			AND f.followee_id = a.id AND f.state = 'accepted')
		FROM actors a WHERE a.iri = ? AND a.local = 0 AND a.deleted_at IS NULL`, settingOrgHandle, actorIRI).
		Scan(&s.id, &s.host, &s.ok)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("remote cache sender: %w", err)
	}
	if u, perr := url.Parse(actorIRI); perr == nil && s.ok {
		s.host = strings.ToLower(u.Host)
	} else {
		s.ok = false
	}
	b.senders[actorIRI] = s
	return s, nil
}

// orgActorIDSQL selects our organisation actor's id (one argument: the
// setting key settingOrgHandle).
const orgActorIDSQL = `SELECT id FROM actors WHERE local = 1 AND handle = (SELECT value FROM settings WHERE key = ?)`

// apply applies one change.
func (b *remoteBatch) apply(ctx context.Context, c *shrooms.RemoteChange) (shrooms.RemoteResult, error) {
	s, err := b.sender(ctx, c.ActorIRI)
	if err != nil || !s.ok {
		return shrooms.RemoteRefused, err
	}
	o := &c.Object
	u, err := url.Parse(o.IRI)
	if o.IRI == "" || err != nil || strings.ToLower(u.Host) != s.host {
		return shrooms.RemoteRefused, nil
	}
	var id, actorID, cachedAt int64
	err = b.find.QueryRowContext(ctx, o.IRI).Scan(&id, &actorID, &cachedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id = 0
	case err != nil:
		return "", fmt.Errorf("find cached object: %w", err)
	case actorID != s.id:
		return shrooms.RemoteRefused, nil
	}
	updated := o.Updated.UnixMilli()
	if o.Updated.IsZero() {
		updated = b.now
	}
	typ := o.Type
	if typ == "" {
		typ = "Item"
	}
	exec := func(st *sql.Stmt, args ...any) (shrooms.RemoteResult, error) {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return "", dbError(err, nil)
		}
		return shrooms.RemoteApplied, nil
	}
	switch c.Op {
	case shrooms.RemotePut:
		var raw any
		if len(o.Raw) > 0 {
			raw = []byte(o.Raw)
		}
		tags := remoteTags(o.Kind, o.Status, s.id)
		if id == 0 {
			return exec(b.insert, o.IRI, s.id, typ, o.Kind, o.Status, o.Name, o.Summary, o.Content, tags,
				o.URL, o.ImageURL, boolInt(o.Public), updated, raw, c.SyncGen, b.now)
		}
		if updated <= cachedAt {
			if _, err := exec(b.stale, c.SyncGen, id, c.SyncGen); err != nil {
				return "", err
			}
			return shrooms.RemoteStale, nil
		}
		return exec(b.update, typ, o.Kind, o.Status, o.Name, o.Summary, o.Content, tags, o.URL, o.ImageURL,
			boolInt(o.Public), updated, raw, c.SyncGen, c.SyncGen, b.now, id)
	case shrooms.RemoteDelete, shrooms.RemoteWithdraw:
		if id == 0 {
			return exec(b.insertTomb, o.IRI, s.id, typ, updated, c.SyncGen, b.now)
		}
		if updated < cachedAt {
			if _, err := exec(b.stale, c.SyncGen, id, c.SyncGen); err != nil {
				return "", err
			}
			return shrooms.RemoteStale, nil
		}
		return exec(b.tombstone, updated, c.SyncGen, c.SyncGen, b.now, id)
	}
	return shrooms.RemoteRefused, nil
}

// PurgeRemote removes every cached object of a partner actor, tombstones
// included, and returns how many live objects left; for admins and the
// system (EUNAUTHORIZED, EFORBIDDEN). Unlink and block purge in their own
// transaction with purgeRemoteCache.
func (s *RemoteCacheService) PurgeRemote(ctx context.Context, actorID int64) (int, error) {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := countRemote(ctx, tx, actorID)
	if err != nil {
		return 0, err
	}
	if _, err := purgeRemoteCache(ctx, tx, actorID); err != nil {
		return 0, err
	}
	return n, commit(tx)
}

// FindRemoteObject returns a cached object (not a tombstone) by IRI, with
// its actor, for logged-in users (EUNAUTHORIZED). An object of a partner
// that is no longer linked, or blocked, is ENOTFOUND like an unknown one.
// Item and Extra stay nil: the store does not parse ActivityStreams, the
// caller parses Raw.
func (s *RemoteCacheService) FindRemoteObject(ctx context.Context, iri string) (*shrooms.RemoteObject, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	o, err := scanRemote(tx.QueryRowContext(ctx, `SELECT `+remoteColumns+` FROM remote_objects r
		WHERE r.iri = ? AND r.deleted = 0`, iri))
	if err == nil {
		var linked bool
		if linked, err = isLinkedPartner(ctx, tx, o.ActorID); err == nil && !linked {
			err = sql.ErrNoRows
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("remote object not found").Keyed("core.error.db_remote_not_found")
	} else if err != nil {
		return nil, fmt.Errorf("find remote object: %w", err)
	}
	if o.Actor, err = findActorByID(ctx, tx, o.ActorID); err != nil {
		return nil, err
	}
	return o, nil
}

// CountRemoteObjects counts a partner's cached objects, tombstones
// excluded, for logged-in users (EUNAUTHORIZED).
func (s *RemoteCacheService) CountRemoteObjects(ctx context.Context, actorID int64) (int, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	return countRemote(ctx, tx, actorID)
}

// countRemote counts an actor's live cached objects.
func countRemote(ctx context.Context, tx *sql.Tx, actorID int64) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM remote_objects WHERE actor_id = ? AND deleted = 0`,
		actorID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count remote objects: %w", err)
	}
	return n, nil
}
