package federation

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	shrooms "github.com/shrooms-org/shrooms"
)

// Limits of partners' thumbnails. A partner's file is read up to
// maxRemoteImageBytes (no SHROOMS node stores a larger picture, and a
// round holds mediaBatch of them in memory at once) and decoded only
// within the node's decoder budget (a small PNG can unpack into
// gigabytes); what is kept is a JPEG of at most remoteThumbSide pixels a
// side, whatever the partner sent.
const (
	maxRemoteImageBytes = shrooms.MaxMediaBytes
	remoteThumbSide     = 320
	// mediaBatch is how many thumbnails a round fetches, at once: few, so
	// that a slow partner holds the round for one request timeout at most.
	mediaBatch = 8
)

// acceptImage is what the node asks for when it fetches a thumbnail.
const acceptImage = "image/jpeg, image/png, image/gif, image/webp"

// imageTypes are the content types a partner's image may come with.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// fetchMedia fetches the partners' thumbnails that are due and stores
// them re-encoded; failures back off, and give up after a few attempts or
// at once when retrying cannot help. It reports how many it handled.
func (f *Federation) fetchMedia(ctx context.Context, _ int) (int, error) {
	if f.svc.Remote == nil {
		return 0, nil
	}
	sys := shrooms.NewSystemContext(ctx)
	jobs, err := f.svc.Remote.FindDueRemoteMedia(sys, mediaBatch)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	org, err := f.orgActor(sys)
	if err != nil {
		return 0, err
	}
	outs := f.fetchThumbs(sys, jobs, org)
	if ctx.Err() != nil {
		return 0, ctx.Err() // shutting down: the jobs stay due
	}
	for i, j := range jobs {
		o := outs[i]
		if o.err == nil {
			err = f.svc.Remote.SaveRemoteMedia(sys, j, o.m)
		} else {
			f.cfg.Logger.Info("partner image not fetched", "object", j.ObjectIRI, "url", j.SourceURL,
				"permanent", o.permanent, "err", o.err)
			var se *shrooms.Error
			hostDown := errors.As(o.err, &se) && se.Code == shrooms.EUNAVAILABLE
			err = f.svc.Remote.FailRemoteMedia(sys, j, o.permanent, hostDown, o.err.Error())
		}
		if err != nil {
			return i, err
		}
	}
	return len(jobs), nil
}

// thumbOutcome is what became of one job of a round.
type thumbOutcome struct {
	m         *shrooms.Media
	permanent bool
	err       error
}

// fetchThumbs runs a round's jobs side by side: the fetches overlap, the
// decodes take turns in the node's decoder.
func (f *Federation) fetchThumbs(ctx context.Context, jobs []*shrooms.RemoteMediaJob, org *shrooms.Actor) []thumbOutcome {
	outs := make([]thumbOutcome, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			m, permanent, err := f.fetchThumb(ctx, j, org)
			outs[i] = thumbOutcome{m, permanent, err}
		})
	}
	wg.Wait()
	return outs
}

// fetchThumb fetches a job's image, signed by our organisation (a
// partners-only item's picture is served to its partners only), from the
// object's own host only, and makes the thumbnail. permanent says that
// trying again cannot help.
func (f *Federation) fetchThumb(ctx context.Context, j *shrooms.RemoteMediaJob, org *shrooms.Actor) (*shrooms.Media, bool, error) {
	src, err := url.Parse(j.SourceURL)
	if err != nil || src.Host == "" || !strings.EqualFold(src.Host, shrooms.HostOf(j.ObjectIRI)) {
		return nil, true, shrooms.Errorf(shrooms.EFORBIDDEN, "the image is not on the partner's host").Keyed("federation.error.image_host")
	}
	body, err := f.client.getImage(ctx, src.String(), org, maxRemoteImageBytes)
	if err != nil {
		var se *shrooms.Error
		permanent := errors.As(err, &se) && se.Code != shrooms.EUNAVAILABLE
		return nil, permanent, err
	}
	// Fetches run side by side; decodes wait their turn in the decoder
	// the node's uploads share.
	m, err := f.cfg.Images.JPEGThumbnail(ctx, body, remoteThumbSide)
	if err != nil {
		return nil, ctx.Err() == nil, err
	}
	return m, false, nil
}

// getImage fetches an image signed by signer and returns its bytes. It
// never leaves the URL's host, not even through a redirect; it refuses a
// non-image content type and a body larger than limit, without reading
// more than limit+1 bytes. Network trouble is EUNAVAILABLE and a non-2xx
// answer a *StatusError (both worth retrying); the rest is not.
func (c *Client) getImage(ctx context.Context, rawURL string, signer *shrooms.Actor, limit int64) ([]byte, error) {
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", acceptImage)
	if err := c.sign(req, nil, signer); err != nil {
		return nil, err
	}
	resp, err := c.send(req, &fetchOptions{signer: signer})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The partner answers: worth retrying this picture, not putting
		// off its others.
		return nil, &StatusError{Status: resp.StatusCode, URL: req.URL.Redacted()}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !imageTypes[strings.ToLower(mt)] {
		return nil, shrooms.Errorf(shrooms.EINVALID, "GET %s: %q is not an image type", req.URL.Redacted(), mt).Keyed("federation.error.image_type", "URL", req.URL.Redacted(), "Type", mt)
	}
	if resp.ContentLength > limit {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "GET %s: image larger than %d bytes", req.URL.Redacted(), limit).Keyed("federation.error.image_large", "URL", req.URL.Redacted(), "Max", limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EUNAVAILABLE, "GET %s: reading body: %s", req.URL.Redacted(), shortNetError(err)).Keyed("federation.error.read_failed", "Method", "GET", "URL", req.URL.Redacted(), "Detail", shortNetError(err))
	}
	if int64(len(body)) > limit {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "GET %s: image larger than %d bytes", req.URL.Redacted(), limit).Keyed("federation.error.image_large", "URL", req.URL.Redacted(), "Max", limit)
	}
	return body, nil
}
