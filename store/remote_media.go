package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// Thumbnails of partners' cached objects (migration 0007). Triggers on
// remote_objects queue them, so ApplyRemoteChanges, the ingest's hot
// path, runs no statement more; the federation worker fetches what is
// due and stores it here.

// maxRemoteMediaError bounds the reason kept for a failed fetch.
const maxRemoteMediaError = 300

// FindDueRemoteMedia returns up to limit pending thumbnails whose time
// has come, of linked partners' live objects; only the system may call
// it (EFORBIDDEN).
func (s *RemoteMediaService) FindDueRemoteMedia(ctx context.Context, limit int) ([]*shrooms.RemoteMediaJob, error) {
	if !shrooms.IsSystem(ctx) {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "only the node may fetch partners' images").Keyed("core.error.db_node_only")
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.object_id, r.iri, m.source_url, m.attempts
		FROM remote_media m JOIN remote_objects r ON r.id = m.object_id
		WHERE m.state = 'pending' AND m.next_at <= ? AND r.deleted = 0
			AND r.actor_id IN (`+linkedPartnersSQL+`)
		ORDER BY m.next_at, m.object_id LIMIT ?`, s.db.now().UnixMilli(), org.ID, org.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("due remote media: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.RemoteMediaJob
	for rows.Next() {
		var j shrooms.RemoteMediaJob
		if err := rows.Scan(&j.ObjectID, &j.ObjectIRI, &j.SourceURL, &j.Attempts); err != nil {
			return nil, fmt.Errorf("due remote media: %w", err)
		}
		out = append(out, &j)
	}
	return out, rows.Err()
}

// SaveRemoteMedia stores a fetched thumbnail; only the system may call it
// (EFORBIDDEN). A row whose source changed since the job was read is left
// alone: its newer address is pending.
func (s *RemoteMediaService) SaveRemoteMedia(ctx context.Context, job *shrooms.RemoteMediaJob, m *shrooms.Media) error {
	if !shrooms.IsSystem(ctx) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "only the node may store partners' images").Keyed("core.error.db_node_only")
	}
	if m == nil || len(m.Data) == 0 || len(m.Data) > shrooms.MaxMediaBytes || m.Width <= 0 || m.Height <= 0 {
		return shrooms.Errorf(shrooms.EINVALID, "remote image: empty, too large or without a size").Keyed("core.error.db_remote_image_bad")
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE remote_media SET state = 'done', content_type = ?, width = ?, height = ?,
		data = ?, fetched_at = ?, last_error = '' WHERE object_id = ? AND source_url = ? AND state = 'pending'`,
		m.ContentType, m.Width, m.Height, m.Data, s.db.now().UnixMilli(), job.ObjectID, job.SourceURL); err != nil {
		return fmt.Errorf("save remote media: %w", err)
	}
	return commit(tx)
}

// FailRemoteMedia records a failed fetch; only the system may call it
// (EFORBIDDEN). The next attempt waits HostBackoff(attempts); the last
// one, or a permanent failure, marks the row failed for good. hostDown
// puts off the same partner's other pending rows until then too, without
// counting an attempt against them.
func (s *RemoteMediaService) FailRemoteMedia(ctx context.Context, job *shrooms.RemoteMediaJob, permanent, hostDown bool, reason string) error {
	if !shrooms.IsSystem(ctx) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "only the node may fetch partners' images").Keyed("core.error.db_node_only")
	}
	attempts := job.Attempts + 1
	state := "pending"
	if permanent || attempts >= shrooms.RemoteMediaMaxAttempts {
		state = "failed"
	}
	if r := []rune(reason); len(r) > maxRemoteMediaError {
		reason = string(r[:maxRemoteMediaError])
	}
	now := s.db.now()
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE remote_media SET state = ?, attempts = ?, next_at = ?, last_error = ?
		WHERE object_id = ? AND source_url = ? AND state = 'pending'`,
		state, attempts, now.Add(shrooms.HostBackoff(attempts)).UnixMilli(), reason,
		job.ObjectID, job.SourceURL); err != nil {
		return fmt.Errorf("fail remote media: %w", err)
	}
	if hostDown {
		if _, err := tx.ExecContext(ctx, `UPDATE remote_media SET next_at = MAX(next_at, ?)
			WHERE state = 'pending' AND object_id <> ? AND object_id IN (SELECT o.id FROM remote_objects o
				WHERE o.actor_id = (SELECT actor_id FROM remote_objects WHERE id = ?))`,
			now.Add(shrooms.HostBackoff(attempts)).UnixMilli(), job.ObjectID, job.ObjectID); err != nil {
			return fmt.Errorf("fail remote media: %w", err)
		}
	}
	return commit(tx)
}

// remoteMediaVisibleSQL keeps thumbnails members may see: fetched, of a
// live object (not a tombstone) of a linked partner, for the object's
// current image. Arguments: our organisation's ID twice.
const remoteMediaVisibleSQL = `m.state = 'done' AND r.deleted = 0 AND m.source_url = r.image_url
	AND r.actor_id IN (` + linkedPartnersSQL + `)`

// FindRemoteMedia returns a cached thumbnail for logged-in users
// (EUNAUTHORIZED) while its object is visible, as FindRemoteObject
// decides; otherwise ENOTFOUND, like an unknown ID.
func (s *RemoteMediaService) FindRemoteMedia(ctx context.Context, objectID int64) (*shrooms.Media, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	m := shrooms.Media{ID: objectID}
	err = tx.QueryRowContext(ctx, `SELECT m.content_type, m.width, m.height, m.data
		FROM remote_media m JOIN remote_objects r ON r.id = m.object_id
		WHERE m.object_id = ? AND `+remoteMediaVisibleSQL, objectID, org.ID, org.ID).
		Scan(&m.ContentType, &m.Width, &m.Height, &m.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("remote image not found").Keyed("core.error.db_image_not_found")
	} else if err != nil {
		return nil, fmt.Errorf("find remote media: %w", err)
	}
	return &m, nil
}

// FindRemoteThumbs returns the cached thumbnails (without their data) of
// the given objects that are visible, keyed by object ID, for logged-in
// users (EUNAUTHORIZED). Search asks for one page of hits at a time.
func (s *RemoteMediaService) FindRemoteThumbs(ctx context.Context, objectIDs []int64) (map[int64]*shrooms.Media, error) {
	out := map[int64]*shrooms.Media{}
	if len(objectIDs) == 0 {
		return out, nil
	}
	if len(objectIDs) > maxLimit {
		return nil, shrooms.Errorf(shrooms.EINVALID, "at most %d objects at a time", maxLimit).Keyed("core.error.db_objects_max", "Max", maxLimit)
	}
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, len(objectIDs)+2)
	for _, id := range objectIDs {
		args = append(args, id)
	}
	args = append(args, org.ID, org.ID)
	rows, err := tx.QueryContext(ctx, `SELECT m.object_id, m.content_type, m.width, m.height
		FROM remote_media m JOIN remote_objects r ON r.id = m.object_id
		WHERE m.object_id IN (?`+strings.Repeat(", ?", len(objectIDs)-1)+`) AND `+remoteMediaVisibleSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("find remote thumbs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m shrooms.Media
		if err := rows.Scan(&m.ID, &m.ContentType, &m.Width, &m.Height); err != nil {
			return nil, fmt.Errorf("find remote thumbs: %w", err)
		}
		out[m.ID] = &m
	}
	return out, rows.Err()
}
