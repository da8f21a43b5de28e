package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// actorColumns is the column list scanActor reads, in order. Local actors
// are always loaded with their private key: the delivery workers sign with
// the actor they find by ID.
const actorColumns = `id, iri, kind, handle, host, local, name, summary, url, inbox, outbox,
	followers, following, shared_inbox, key_id, public_key_pem, private_key_pem, icon_url,
	manually_approves_followers, fetched_at, created_at, updated_at`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanActor(s scanner) (*shrooms.Actor, error) {
	var a shrooms.Actor
	var kind string
	var fetched, created, updated sql.NullInt64
	err := s.Scan(&a.ID, &a.IRI, &kind, &a.Handle, &a.Host, &a.Local, &a.Name, &a.Summary, &a.URL,
		&a.Inbox, &a.Outbox, &a.Followers, &a.Following, &a.SharedInbox, &a.KeyID, &a.PublicKeyPEM,
		&a.PrivateKeyPEM, &a.IconURL, &a.ManuallyApprovesFollowers, &fetched, &created, &updated)
	if err != nil {
		return nil, err
	}
	a.Kind = shrooms.ActorKind(kind)
	a.FetchedAt, a.CreatedAt, a.UpdatedAt = fromMS(fetched), fromMS(created), fromMS(updated)
	return &a, nil
}

// findActor returns the one actor matching cond, or ENOTFOUND with what.
// A deleted local actor is never found: it no longer answers anyone, and
// its row stays only to keep its handle and IRI taken. cond may end with
// ORDER BY and LIMIT but must not have a top-level OR.
func findActor(ctx context.Context, tx *sql.Tx, what, cond string, args ...any) (*shrooms.Actor, error) {
	a, err := scanActor(tx.QueryRowContext(ctx, `SELECT `+actorColumns+` FROM actors WHERE deleted_at IS NULL AND `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("%s not found", what).Keyed("core.error.db_actor_not_found")
	} else if err != nil {
		return nil, fmt.Errorf("find actor: %w", err)
	}
	return a, nil
}

func findActorByID(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Actor, error) {
	return findActor(ctx, tx, fmt.Sprintf("actor %d", id), `id = ?`, id)
}

func findActorByIRI(ctx context.Context, tx *sql.Tx, iri string) (*shrooms.Actor, error) {
	return findActor(ctx, tx, fmt.Sprintf("actor %q", iri), `iri = ?`, iri)
}

// readActor runs one finder in a read transaction.
func (db *DB) readActor(ctx context.Context, find func(*sql.Tx) (*shrooms.Actor, error)) (*shrooms.Actor, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return find(tx)
}

// FindActorByID returns the actor, local or remote, or ENOTFOUND.
func (s *ActorService) FindActorByID(ctx context.Context, id int64) (*shrooms.Actor, error) {
	return s.db.readActor(ctx, func(tx *sql.Tx) (*shrooms.Actor, error) { return findActorByID(ctx, tx, id) })
}

// FindActorByIRI returns the local or cached actor with this IRI, or
// ENOTFOUND.
func (s *ActorService) FindActorByIRI(ctx context.Context, iri string) (*shrooms.Actor, error) {
	return s.db.readActor(ctx, func(tx *sql.Tx) (*shrooms.Actor, error) { return findActorByIRI(ctx, tx, iri) })
}

// FindActorByKeyID returns the actor owning the key, or ENOTFOUND. Should
// several actors of one host publish the same key, the one whose IRI the
// key ID extends wins, then the most recently fetched.
func (s *ActorService) FindActorByKeyID(ctx context.Context, keyID string) (*shrooms.Actor, error) {
	owner, _, _ := strings.Cut(keyID, "#")
	return s.db.readActor(ctx, func(tx *sql.Tx) (*shrooms.Actor, error) {
		return findActor(ctx, tx, fmt.Sprintf("key %q", keyID),
			`key_id = ? ORDER BY iri = ? DESC, updated_at DESC, id DESC LIMIT 1`, keyID, owner)
	})
}

// FindLocalActor returns the local actor with this handle, or ENOTFOUND.
func (s *ActorService) FindLocalActor(ctx context.Context, handle string) (*shrooms.Actor, error) {
	return s.db.readActor(ctx, func(tx *sql.Tx) (*shrooms.Actor, error) {
		return findActor(ctx, tx, fmt.Sprintf("local actor %q", handle), `local = 1 AND handle = ?`, handle)
	})
}

// FindOrgActor returns the node's Organization actor, the local actor
// whose handle the settings name. Returns ENOTFOUND before InitNode.
func (s *ActorService) FindOrgActor(ctx context.Context) (*shrooms.Actor, error) {
	return s.db.readActor(ctx, func(tx *sql.Tx) (*shrooms.Actor, error) { return findOrgActor(ctx, tx) })
}

func findOrgActor(ctx context.Context, tx *sql.Tx) (*shrooms.Actor, error) {
	return findActor(ctx, tx, "organisation actor",
		`local = 1 AND handle = (SELECT value FROM settings WHERE key = ?)`, settingOrgHandle)
}

// prepareLocalActor validates a new local actor and fills in what the
// node derives: IRIs, host and, outside any transaction since RSA key
// generation is slow, the key pair.
func (db *DB) prepareLocalActor(a *shrooms.Actor) error {
	if err := shrooms.ValidHandle(a.Handle); err != nil {
		return err
	}
	switch a.Kind {
	case shrooms.KindOrganization, shrooms.KindPerson, shrooms.KindService, shrooms.KindGroup, shrooms.KindApplication:
	default:
		return shrooms.Errorf(shrooms.EINVALID, "kind %q is not an actor type", a.Kind).Keyed("core.error.db_actor_kind", "Kind", a.Kind)
	}
	if a.PrivateKeyPEM == "" || a.PublicKeyPEM == "" {
		priv, pub, err := db.newKeyPair()
		if err != nil {
			return fmt.Errorf("generate key pair: %w", err)
		}
		a.PrivateKeyPEM, a.PublicKeyPEM = priv, pub
	}
	x := db.iris
	a.IRI, a.Host, a.Local = x.Actor(a.Handle), x.Host(), true
	a.URL = a.IRI
	a.Inbox, a.Outbox = x.Inbox(a.Handle), x.Outbox(a.Handle)
	a.Followers, a.Following = x.Followers(a.Handle), x.Following(a.Handle)
	a.SharedInbox, a.KeyID = x.SharedInbox(), x.Key(a.Handle)
	return nil
}

// insertLocalActor stores an actor prepared by prepareLocalActor.
// override adjusts constraint messages (see dbError).
func (db *DB) insertLocalActor(ctx context.Context, tx *sql.Tx, a *shrooms.Actor, override map[string]*shrooms.Error) error {
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO actors (iri, kind, handle, host, local, name, summary, url,
		inbox, outbox, followers, following, shared_inbox, key_id, public_key_pem, private_key_pem, icon_url,
		manually_approves_followers, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.IRI, string(a.Kind), a.Handle, a.Host, a.Name, a.Summary, a.URL,
		a.Inbox, a.Outbox, a.Followers, a.Following, a.SharedInbox, a.KeyID, a.PublicKeyPEM, a.PrivateKeyPEM, a.IconURL,
		a.ManuallyApprovesFollowers, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return dbError(err, override)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert actor: %w", err)
	}
	a.CreatedAt, a.UpdatedAt, a.FetchedAt = now, now, time.Time{}
	return nil
}

// UpdateLocalActor changes a local actor's name, summary and follow
// approval setting, and sets a.UpdatedAt; when one of them changed, its
// followers get an Update of the actor. Returns ENOTFOUND.
func (s *ActorService) UpdateLocalActor(ctx context.Context, a *shrooms.Actor) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cur, err := findActorByID(ctx, tx, a.ID)
	if err == nil && !cur.Local {
		err = notFound("local actor %d not found", a.ID).Keyed("core.error.db_actor_not_found")
	}
	if err != nil {
		return err
	}
	if err := s.db.changeLocalActor(ctx, tx, cur, func(x *shrooms.Actor) {
		x.Name, x.Summary, x.ManuallyApprovesFollowers = a.Name, a.Summary, a.ManuallyApprovesFollowers
	}); err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	a.UpdatedAt = cur.UpdatedAt
	return nil
}

// changeLocalActor applies change to the fields of local actor a that its
// document shows (name, summary, icon, follow approval). When one of them
// changed it stores them and, in the same transaction, writes an Update
// of the actor to the outbox, public and to its followers — linked
// partners follow the organisation, so they learn its new name. Peers do
// as Mastodon and GoToSocial do: they fetch the document again. A save
// that changes nothing the document shows sends nothing. It updates a.
func (db *DB) changeLocalActor(ctx context.Context, tx *sql.Tx, a *shrooms.Actor, change func(*shrooms.Actor)) error {
	before := *a
	change(a)
	if a.Name == before.Name && a.Summary == before.Summary && a.IconURL == before.IconURL &&
		a.ManuallyApprovesFollowers == before.ManuallyApprovesFollowers {
		return nil
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE actors SET name = ?, summary = ?, icon_url = ?,
		manually_approves_followers = ?, updated_at = ? WHERE id = ? AND local = 1`,
		a.Name, a.Summary, a.IconURL, a.ManuallyApprovesFollowers, now.UnixMilli(), a.ID); err != nil {
		return dbError(err, nil)
	}
	a.UpdatedAt = now
	// The object is the actor's IRI, typed with its kind; the publisher
	// embeds the document as it is when the Update leaves, which is no
	// more than an anonymous fetch of the actor shows.
	act := &shrooms.Activity{
		IRI:        db.iris.NewActivity(),
		Type:       shrooms.ActivityUpdate,
		Actor:      a.IRI,
		Object:     a.IRI,
		ObjectType: string(a.Kind),
		To:         []string{shrooms.PublicAudience},
		CC:         []string{a.Followers},
		Published:  now,
	}
	_, err := db.insertOutbox(ctx, tx, a.ID, act)
	return err
}

// UpsertRemoteActor caches a fetched remote actor document, keyed by IRI:
// a first fetch inserts it, a later one replaces every field but the ID
// and creation time. It sets a.ID, a.Host, a.FetchedAt and clears
// a.Local and a.PrivateKeyPEM. Returns EINVALID (see Actor.Validate) or
// EFORBIDDEN when the IRI belongs to this node.
func (s *ActorService) UpsertRemoteActor(ctx context.Context, a *shrooms.Actor) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if s.db.iris.Local(a.IRI) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "actor %q belongs to this node", a.IRI).Keyed("core.error.db_actor_local", "IRI", a.IRI)
	}
	now := s.db.now()
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The WHERE clause keeps a remote document from ever overwriting a
	// local actor, even one minted under an earlier public URL.
	var id int64
	var created sql.NullInt64
	err = tx.QueryRowContext(ctx, `INSERT INTO actors (iri, kind, handle, host, local, name, summary, url,
		inbox, outbox, followers, following, shared_inbox, key_id, public_key_pem, private_key_pem, icon_url,
		manually_approves_followers, fetched_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)
		ON CONFLICT (iri) DO UPDATE SET kind = excluded.kind, handle = excluded.handle, host = excluded.host,
			name = excluded.name, summary = excluded.summary, url = excluded.url, inbox = excluded.inbox,
			outbox = excluded.outbox, followers = excluded.followers, following = excluded.following,
			shared_inbox = excluded.shared_inbox, key_id = excluded.key_id,
			public_key_pem = excluded.public_key_pem, icon_url = excluded.icon_url,
			manually_approves_followers = excluded.manually_approves_followers,
			fetched_at = excluded.fetched_at, updated_at = excluded.updated_at
		WHERE actors.local = 0
		RETURNING id, created_at`,
		a.IRI, string(a.Kind), a.Handle, shrooms.HostOf(a.IRI), a.Name, a.Summary, a.URL,
		a.Inbox, a.Outbox, a.Followers, a.Following, a.SharedInbox, a.KeyID, a.PublicKeyPEM, a.IconURL,
		a.ManuallyApprovesFollowers, now.UnixMilli(), now.UnixMilli(), now.UnixMilli()).Scan(&id, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "actor %q is a local actor", a.IRI).Keyed("core.error.db_actor_local", "IRI", a.IRI)
	} else if err != nil {
		return dbError(err, nil)
	}
	if err := commit(tx); err != nil {
		return err
	}
	a.ID, a.Host, a.Local, a.PrivateKeyPEM = id, shrooms.HostOf(a.IRI), false, ""
	a.FetchedAt, a.CreatedAt, a.UpdatedAt = now, fromMS(created), now
	return nil
}
