package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// acceptActivity is what the node asks for when it fetches ActivityStreams.
const acceptActivity = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// Client is the one HTTP client of the node's outgoing requests. It signs
// with the given actor, bounds time and response size, and refuses private
// addresses unless they are allowed — checked at connect time, so neither
// DNS tricks nor redirects get around it — and never follows a redirect to
// another host (checkRedirect).
type Client struct {
	http         *http.Client
	allowPrivate bool
	maxBytes     int64
	userAgent    string
	keys         *keyCache
	now          func() time.Time
	timeout      time.Duration
	hosts        hostLimiter // GETs in flight per host
	down         expiring    // hosts that failed at the network level
}

// NewClient returns a client configured from cfg.
func NewClient(cfg Config) *Client {
	cfg.setDefaults()
	c := &Client{
		allowPrivate: cfg.AllowPrivateAddresses,
		maxBytes:     cfg.MaxResponseBytes,
		userAgent:    fmt.Sprintf("%s/%s (+%s)", shrooms.Software, shrooms.Version, cfg.IRIs.Base),
		keys:         newKeyCache(),
		now:          cfg.Now,
		timeout:      cfg.HTTPTimeout,
	}
	dialer := &net.Dialer{Timeout: cfg.HTTPTimeout, Control: c.checkAddress}
	transport := &http.Transport{
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    cfg.HTTPTimeout,
		ResponseHeaderTimeout:  cfg.HTTPTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
	}
	c.http = &http.Client{
		Transport:     transport,
		Timeout:       cfg.HTTPTimeout,
		CheckRedirect: c.checkRedirect,
	}
	return c
}

// fetchOptions travel in a request's context to the redirect policy.
type fetchOptions struct {
	// signer signs the request; a redirect is signed again, since the
	// signature covers the path.
	signer *shrooms.Actor
	body   []byte
	// crossHost lets redirects leave the URL's host (WebFinger, whose
	// answer is only a pointer that is checked on its own).
	crossHost bool
	// avoidDown refuses at once a host that failed at the network level
	// less than failureTTL ago (key lookups, which strangers trigger).
	avoidDown bool
}

type fetchOptionsKey struct{}

// checkRedirect is the redirect policy of every outgoing request: at most
// three, each to a URL the client would fetch itself, and never to
// another host. A document is believed only for the host that served it
// (an open redirect on one host must not lend that host's name to
// another's documents), so actor, key, object, collection and image
// fetches stay on the URL's host; same-host redirects (http to https, a
// moved path) are followed and signed again.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 {
		return errors.New("too many redirects")
	}
	if err := c.checkURL(req.URL); err != nil {
		return err
	}
	o, _ := req.Context().Value(fetchOptionsKey{}).(*fetchOptions)
	if !strings.EqualFold(req.URL.Host, via[0].URL.Host) && (o == nil || !o.crossHost) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "refusing a redirect from %s to another host", via[0].URL.Host).Keyed("federation.error.redirect_host", "Host", via[0].URL.Host)
	}
	if o != nil && o.signer != nil {
		var body []byte
		if req.Method == http.MethodPost {
			body = o.body
		}
		// The copied headers belong to the first request.
		req.Header.Del("Signature")
		req.Header.Del("Digest")
		return c.sign(req, body, o.signer)
	}
	return nil
}

func (c *Client) checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.allowPrivate:
	default:
		return shrooms.Errorf(shrooms.EINVALID, "refusing %s URL %s", u.Scheme, u.Redacted()).Keyed("federation.error.url_scheme", "Scheme", u.Scheme, "URL", u.Redacted())
	}
	if u.Host == "" || u.User != nil {
		return shrooms.Errorf(shrooms.EINVALID, "invalid URL %s", u.Redacted()).Keyed("federation.error.url_invalid_at", "URL", u.Redacted())
	}
	return nil
}

// Response is what a request answered, read within the size limit.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is where the answer came from, after redirects: a document's
	// id must be on its host.
	URL string
}

// Get fetches rawURL asking for ActivityStreams, signed by signer when it is
// not nil. A non-2xx answer is an error carrying its status.
// Redirects never leave the URL's host.
func (c *Client) Get(ctx context.Context, rawURL, accept string, signer *shrooms.Actor) (*Response, error) {
	return c.get(ctx, rawURL, accept, &fetchOptions{signer: signer})
}

// getWebFinger fetches a WebFinger document, unsigned, following
// redirects to another host (a domain may delegate its accounts to
// another server); the actor URL it gives is fetched and checked on its
// own.
func (c *Client) getWebFinger(ctx context.Context, rawURL string) (*Response, error) {
	return c.get(ctx, rawURL, "application/jrd+json, application/json", &fetchOptions{crossHost: true})
}

func (c *Client) get(ctx context.Context, rawURL, accept string, o *fetchOptions) (*Response, error) {
	if accept == "" {
		accept = acceptActivity
	}
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	if o.signer != nil {
		if err := c.sign(req, nil, o.signer); err != nil {
			return nil, err
		}
	}
	resp, err := c.do(req, o)
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return resp, &StatusError{Status: resp.Status, URL: rawURL}
	}
	return resp, nil
}

// Post delivers an activity to an inbox, signed by signer.
func (c *Client) Post(ctx context.Context, inbox string, body []byte, signer *shrooms.Actor) (*Response, error) {
	req, err := c.newRequest(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	req.Header.Set("Accept", acceptActivity)
	if err := c.sign(req, body, signer); err != nil {
		return nil, err
	}
	resp, err := c.do(req, &fetchOptions{signer: signer, body: body})
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return resp, &StatusError{Status: resp.Status, URL: inbox, Body: resp.Body}
	}
	return resp, nil
}

func (c *Client) newRequest(ctx context.Context, method, rawURL string, body io.Reader) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "invalid URL").Keyed("federation.error.url_invalid")
	}
	if err := c.checkURL(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "invalid URL").Keyed("federation.error.url_invalid")
	}
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

// send sends req under the redirect policy o; the caller closes the
// body. A refusal of the policy or the address guard is returned as the
// *shrooms.Error it is, network trouble as EUNAVAILABLE.
//
// A GET waits for one of its host's few slots (hostLimiter), held until
// the body is closed; a network failure marks the host down for the key
// lookups that avoid such hosts (fetchOptions.avoidDown).
func (c *Client) send(req *http.Request, o *fetchOptions) (*http.Response, error) {
	host := hostKey(req.URL.Host)
	release := func() {}
	if req.Method == http.MethodGet {
		if err := c.checkDown(host, o); err != nil {
			return nil, err
		}
		// Waiting for a slot takes at most one request's time: a host so
		// slow that its slots stay busy that long is not worth more.
		wait, cancel := context.WithTimeout(req.Context(), c.timeout)
		r, err := c.hosts.acquire(wait, host)
		cancel()
		if err != nil {
			return nil, err
		}
		release = r
		// It may have failed while this request waited for its slot.
		if err := c.checkDown(host, o); err != nil {
			release()
			return nil, err
		}
	}
	req = req.WithContext(context.WithValue(req.Context(), fetchOptionsKey{}, o))
	resp, err := c.http.Do(req)
	if err != nil {
		defer release()
		var se *shrooms.Error
		if errors.As(err, &se) {
			return nil, se
		}
		c.markDown(req, host)
		return nil, shrooms.Errorf(shrooms.EUNAVAILABLE, "%s %s: %s", req.Method, req.URL.Redacted(), shortNetError(err)).Keyed("federation.error.request_failed", "Method", req.Method, "URL", req.URL.Redacted(), "Detail", shortNetError(err))
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

func (c *Client) checkDown(host string, o *fetchOptions) error {
	if o.avoidDown && c.down.has(host, c.now()) {
		return shrooms.Errorf(shrooms.EUNAVAILABLE, "%s failed less than %s ago", host, failureTTL).Keyed("federation.error.host_down", "Host", host, "Wait", failureTTL)
	}
	return nil
}

// markDown remembers a network failure of host, unless it was our own
// request that was cancelled (shutdown, the caller went away).
func (c *Client) markDown(req *http.Request, host string) {
	if req.Context().Err() == nil {
		c.down.add(host, c.now(), failureTTL)
	}
}

func (c *Client) do(req *http.Request, o *fetchOptions) (*Response, error) {
	resp, err := c.send(req, o)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		c.markDown(req, hostKey(req.URL.Host))
		return nil, shrooms.Errorf(shrooms.EUNAVAILABLE, "%s %s: reading body: %s", req.Method, req.URL.Redacted(), shortNetError(err)).Keyed("federation.error.read_failed", "Method", req.Method, "URL", req.URL.Redacted(), "Detail", shortNetError(err))
	}
	if int64(len(body)) > c.maxBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s %s: response larger than %d bytes", req.Method, req.URL.Redacted(), c.maxBytes).Keyed("federation.error.response_large", "Method", req.Method, "URL", req.URL.Redacted(), "Max", c.maxBytes)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body, URL: resp.Request.URL.String()}, nil
}

// shortNetError strips the URL Go repeats in transport errors.
func shortNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var se *shrooms.Error
	if errors.As(err, &se) {
		return se.Message
	}
	return err.Error()
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Status int
	URL    string
	Body   []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered %d %s", e.URL, e.Status, http.StatusText(e.Status))
}
