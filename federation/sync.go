package federation

import (
	"context"
	"errors"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// Bounds on one sync, so that a hostile or broken partner cannot keep
// the worker fetching forever: objects per sync (a million, the size the
// cache is designed for) and objects per page.
const (
	maxSyncObjects = 1_000_000
	maxSyncPage    = 500
)

// syncPartners advances every due sync of a partner's shared collection
// by one page and reports how many pages it fetched. One page per partner
// per step lets the worker go on with the inbox and deliveries between
// pages; the worker's round calls it again until nothing is due, so Drain
// runs syncs to completion.
func (f *Federation) syncPartners(ctx context.Context, _ int) (int, error) {
	if f.svc.Partners == nil || f.svc.Remote == nil {
		return 0, nil
	}
	ctx = shrooms.NewSystemContext(ctx)
	partners, err := f.svc.Partners.FindPartnersToSync(ctx, f.cfg.Now(), f.cfg.ResyncInterval)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range partners {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		err := f.syncStep(ctx, p)
		if err == nil {
			n++
			continue
		}
		backoff := shrooms.HostBackoff(p.Sync.Failures + 1)
		next := f.cfg.Now().Add(time.Duration(float64(backoff) * jitter()))
		f.cfg.Logger.Warn("partner sync failed", "partner", p.Actor.IRI, "err", err, "retry", next)
		if err := f.svc.Partners.FailPartnerSync(ctx, p.Actor.ID, syncErrorText(err), next); err != nil {
			return n, err
		}
	}
	return n, nil
}

// syncStep fetches the next page of one partner's sync, starting the sync
// when none is running, and finishes it after the last page.
func (f *Federation) syncStep(ctx context.Context, p *shrooms.Partner) error {
	org, err := f.orgActor(ctx)
	if err != nil {
		return err
	}
	s := p.Sync
	gen, next, fetched := s.Generation, s.Next, s.Fetched
	if s.State != shrooms.SyncRunning {
		first, total, err := f.fetchCollection(ctx, p.Actor, org)
		if err != nil {
			return err
		}
		if gen, err = f.svc.Partners.StartPartnerSync(ctx, p.Actor.ID, first, total); err != nil {
			return err
		}
		next, fetched = first, 0
	}
	if next == "" {
		// An empty collection, or a restart between the last page and
		// the finish.
		_, err := f.svc.Partners.FinishPartnerSync(ctx, p.Actor.ID, gen)
		return err
	}
	page, err := f.fetchPage(ctx, p.Actor, org, next)
	if err != nil {
		return err
	}
	if len(page.Items) == 0 && page.Next != "" {
		return shrooms.Errorf(shrooms.EINVALID, "empty page %s links to another", next).Keyed("federation.error.sync_empty_page", "URL", next)
	}
	changes := make([]shrooms.RemoteChange, 0, len(page.Items))
	for _, raw := range page.Items {
		item, _, err := vocab.ParseEmbeddedItem(raw)
		if err != nil {
			// One bad object does not stop the sync; it stays as it
			// was and the next sync tries again.
			f.cfg.Logger.Warn("partner sync: object skipped", "partner", p.Actor.IRI, "err", err)
			continue
		}
		updated := item.UpdatedAt
		if updated.IsZero() {
			updated = f.cfg.Now()
		}
		changes = append(changes, shrooms.RemoteChange{
			Op: shrooms.RemotePut, ActorIRI: p.Actor.IRI, SyncGen: gen,
			Object: remoteObject(item, raw, item.Audience == shrooms.AudiencePublic, updated),
		})
	}
	if len(changes) > 0 {
		if _, err := f.svc.Remote.ApplyRemoteChanges(ctx, changes); err != nil {
			return err
		}
	}
	fetched += len(page.Items)
	if fetched > maxSyncObjects {
		return shrooms.Errorf(shrooms.EINVALID, "the collection has more than %d objects", maxSyncObjects).Keyed("federation.error.sync_too_many", "Max", maxSyncObjects)
	}
	if err := f.svc.Partners.RecordPartnerSyncPage(ctx, p.Actor.ID, gen, fetched, page.Next); err != nil {
		return err
	}
	if page.Next == "" {
		_, err := f.svc.Partners.FinishPartnerSync(ctx, p.Actor.ID, gen)
		return err
	}
	return nil
}

// fetchCollection reads a partner's shared collection document, signed
// as our organisation.
func (f *Federation) fetchCollection(ctx context.Context, partner, org *shrooms.Actor) (first string, total int, err error) {
	u := partner.IRI + "/shared"
	resp, err := f.client.Get(ctx, u, "", org)
	if err != nil {
		return "", 0, fetchError(err)
	}
	if err := servedBy(partner.IRI, u, resp); err != nil {
		return "", 0, err
	}
	first, total, err = vocab.ParseCollection(resp.Body)
	if err != nil {
		return "", 0, err
	}
	if first != "" && shrooms.HostOf(first) != partner.Host {
		return "", 0, shrooms.Errorf(shrooms.EINVALID, "the first page %s is not on the partner's host", first).Keyed("federation.error.sync_off_host", "URL", first)
	}
	if total < 0 {
		total = 0
	}
	return first, total, nil
}

// fetchPage reads one page of a partner's shared collection, signed as
// our organisation; pages are fetched from the partner's host only.
func (f *Federation) fetchPage(ctx context.Context, partner, org *shrooms.Actor, u string) (*vocab.ReceivedPage, error) {
	if shrooms.HostOf(u) != partner.Host {
		return nil, shrooms.Errorf(shrooms.EINVALID, "page %s is not on the partner's host", u).Keyed("federation.error.sync_off_host", "URL", u)
	}
	resp, err := f.client.Get(ctx, u, "", org)
	if err != nil {
		return nil, fetchError(err)
	}
	if err := servedBy(partner.IRI, u, resp); err != nil {
		return nil, err
	}
	page, err := vocab.ParseItemPage(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(page.Items) > maxSyncPage {
		return nil, shrooms.Errorf(shrooms.EINVALID, "page %s holds more than %d objects", u, maxSyncPage).Keyed("federation.error.sync_page_large", "URL", u, "Max", maxSyncPage)
	}
	if page.Next != "" && shrooms.HostOf(page.Next) != partner.Host {
		return nil, shrooms.Errorf(shrooms.EINVALID, "next page %s is not on the partner's host", page.Next).Keyed("federation.error.sync_off_host", "URL", page.Next)
	}
	return page, nil
}

// syncErrorText is what the partner list shows of a failed sync: the
// message of a domain error, or a short description of a transport one.
func syncErrorText(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Error()
	}
	return shrooms.ErrorMessage(err)
}
