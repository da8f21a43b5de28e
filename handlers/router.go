// Package handlers is the node's HTTP front: the web pages, the JSON API
// /api/v1 and the routing of ActivityPub requests to federation's handler.
// Handlers decode, check shape, call a root service and render; they hold no
// SQL and no business rules.
package handlers

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/imaging"
	"github.com/shrooms-org/shrooms/static"
)

// Deps are what the handlers need: root services, the federation handler
// and the node's URL layout.
type Deps struct {
	IRIs   shrooms.IRIs
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	Nodes    shrooms.NodeService
	Actors   shrooms.ActorService
	Users    shrooms.UserService
	Follows  shrooms.FollowService
	Outbox   shrooms.OutboxService
	Inbox    shrooms.InboxService
	Resolver shrooms.ActorResolver
	Linker   shrooms.PartnerLinker // links with a partner from an invite URL
	Settings shrooms.SettingsService
	Sessions shrooms.SessionService
	Accounts shrooms.AccountService
	Profiles shrooms.ProfileService
	Groups   shrooms.GroupService
	Media    shrooms.MediaService
	// Mail is the mail outbox, for the admins' mail page and API; the
	// store queues mail itself, and only the mail worker sends.
	Mail shrooms.MailQueue

	Items      shrooms.ItemService
	Categories shrooms.CategoryService
	Places     shrooms.PlaceService
	Stock      shrooms.StockService
	// Loans is lending: requests, the desk, waiting lists, the rules.
	Loans shrooms.LoanService
	// LoanFeeds are the members' calendar feeds of their loans.
	LoanFeeds shrooms.LoanFeedService
	// Notices is each member's notifications and their preferences.
	Notices shrooms.NotificationService

	Partners shrooms.PartnerService
	Remote   shrooms.RemoteCacheService
	Search   shrooms.SearchService
	// RemoteItems are partners' items as this node's pages show them:
	// parsed from the cache, with the lender's calendar.
	RemoteItems shrooms.RemoteItemService
	// Map says where the maps' tiles come from.
	Map MapConfig
	// SetupCode must be given to the browser setup wizard, so that only
	// whoever reads the server's log can claim a new node.
	SetupCode string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed when counting login attempts per address.
	TrustedProxies []netip.Prefix
	// Federation serves WebFinger, NodeInfo, ActivityPub documents and inboxes.
	Federation http.Handler
	// FederationInbox is federation's inbox alone (POST /inbox and POST
	// /actors/{handle}/inbox).
	FederationInbox http.Handler
	// ImportDir is where CSV import previews wait for their confirmation,
	// a folder per user (the data dir's imports/). Required.
	ImportDir string
	// Images decodes uploaded pictures within the node's memory budget,
	// one at a time; federation's thumbnails share it. nil makes one for
	// the handlers alone.
	Images *imaging.Decoder
	// UploadsPerMinute is how many pictures one account may send in a
	// minute; 0 means DefaultUploadsPerMinute.
	UploadsPerMinute int
}

// MapConfig is the tile server of the maps (config map.*).
type MapConfig struct {
	TileURL     string
	Attribution string
	MaxZoom     int
}

// server carries the deps and parsed templates through the handlers.
type server struct {
	Deps
	pages       *pages
	mails       mails
	crossOrigin *http.CrossOriginProtection
	setupDone   atomic.Bool
	imports     *pendingImports // CSV import previews awaiting confirmation, on disk
	uploads     *uploadLimiter
}

// NewRouter returns the node's HTTP handler. It parses every template up
// front and fails when one is missing or broken.
func NewRouter(d Deps) (http.Handler, error) {
	s, r, err := newRouter(d)
	if err != nil {
		return nil, err
	}
	// Around the whole router, not r.Use: mux runs its middlewares only for
	// matched routes, and a 404 or 405 page needs these headers too.
	return s.securityHeaders()(s.recoverPanics(r)), nil
}

// parsedTemplates is the catalog with the pages and mails parsed against it.
type parsedTemplates struct {
	pages *pages
	mails mails
}

// parseTemplates loads the catalog and parses the templates once per
// process, however many routers it builds: all come from the embedded
// files, and the end-to-end tests build hundreds of routers, whose
// parsing was a third of their CPU. Parsed templates, the catalog's
// localizers and its set of missing keys are safe for concurrent use.
var parseTemplates = sync.OnceValues(func() (parsedTemplates, error) {
	cat, err := loadCatalog()
	if err != nil {
		return parsedTemplates{}, err
	}
	p, err := parsePages(cat)
	if err != nil {
		return parsedTemplates{}, err
	}
	m, err := parseMails(cat)
	if err != nil {
		return parsedTemplates{}, err
	}
	return parsedTemplates{pages: p, mails: m}, nil
})

// newRouter builds the routes; the tests walk them.
func newRouter(d Deps) (*server, *mux.Router, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Images == nil {
		d.Images = imaging.NewDecoder(1, 0)
	}
	if d.UploadsPerMinute <= 0 {
		d.UploadsPerMinute = DefaultUploadsPerMinute
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, nil, err
	}
	p, m := t.pages, t.mails
	imports, err := openPendingImports(d.ImportDir)
	if err != nil {
		return nil, nil, err
	}
	imports.sweep(d.Now()) // what expired while the node was down
	s := &server{Deps: d, pages: p, mails: m, crossOrigin: http.NewCrossOriginProtection(), imports: imports,
		uploads: newUploadLimiter(d.UploadsPerMinute, d.Now)}
	if err := s.crossOrigin.AddTrustedOrigin(d.IRIs.Base); err != nil {
		return nil, nil, err
	}
	r := mux.NewRouter()

	fed := d.Federation
	r.Handle("/inbox", d.FederationInbox).Methods(http.MethodPost)
	r.Handle("/actors/{handle}/inbox", d.FederationInbox).Methods(http.MethodPost)
	r.Handle("/.well-known/webfinger", fed)
	r.Handle("/.well-known/nodeinfo", fed)
	r.PathPrefix("/nodeinfo/").Handler(fed)
	r.Handle("/inbox", fed)
	r.Handle("/actors/{handle}/inbox", fed)
	r.Handle("/actors/{handle}", fed).MatcherFunc(wantsActivityJSON)
	r.Handle("/items/{id:[0-9]+}", fed).MatcherFunc(wantsActivityJSON).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/items/{id:[0-9]+}/thumb", fed).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/items/{id:[0-9]+}/availability", fed).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/loans/{token:[0-9a-f]{32}}", fed).MatcherFunc(wantsActivityJSON).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix("/actors/{handle}/").Handler(fed) // collections: JSON only
	r.PathPrefix("/activities/").Handler(fed)

	r.HandleFunc("/healthz", handleHealth).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix("/static/").Handler(staticHandler())
	r.HandleFunc("/theme.css", s.handleThemeCSS).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/custom.css", s.handleCustomCSS).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/api/openapi.json", s.handleOpenAPI).Methods(http.MethodGet, http.MethodHead)

	s.apiRoutes(r.PathPrefix("/api/v1").Subrouter())
	r.HandleFunc(loanFeedPath+"{secret:[A-Za-z0-9_]+}.ics", s.handleLoanFeed).Methods(http.MethodGet, http.MethodHead)

	// The web pages: sessions, language, CSRF and the setup gate.
	web := r.NewRoute().Subrouter()
	web.Use(s.webState)
	web.HandleFunc("/", s.handleHome).Methods(http.MethodGet, http.MethodHead)
	web.HandleFunc("/media/{id:[0-9]+}", s.handleMedia).Methods(http.MethodGet, http.MethodHead)
	web.HandleFunc("/actors/{handle}", s.handleActorPage).Methods(http.MethodGet, http.MethodHead)
	web.HandleFunc("/setup", s.handleSetup).Methods(http.MethodGet, http.MethodHead, http.MethodPost)
	web.HandleFunc("/language", s.handleLanguage).Methods(http.MethodPost)
	s.accountRoutes(web)
	s.memberRoutes(web)
	s.notificationsRoutes(web)
	s.itemFileRoutes(web) // before inventoryRoutes: /items/import is not /items/{id}
	s.inventoryRoutes(web)
	s.loanRoutes(web)
	s.placeRoutes(web)
	s.searchRoutes(web)
	s.remoteItemRoutes(web)
	s.adminRoutes(web)

	notFound := s.webState(http.HandlerFunc(s.handleNotFound))
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if wantsJSON(req) {
			s.handleNotFound(w, req)
			return
		}
		notFound.ServeHTTP(w, req)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "method %s not allowed here", r.Method).Keyed("core.error.method", "Method", r.Method), http.StatusMethodNotAllowed)
	})
	return s, r, nil
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// staticHandler serves the embedded assets. An address with the asset's
// content hash (static.URL) never changes meaning, so browsers keep it for
// a year; without it, for an hour.
func staticHandler() http.Handler {
	files := http.FileServer(http.FS(static.FS))
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := static.Hash(r.URL.Path)
		if !ok || strings.HasPrefix(r.URL.Path, "templates/") || strings.HasPrefix(r.URL.Path, "mail/") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	}))
}

// securityHeaders sets the headers every answer carries. Images may also
// come from the map's tile server (config map.tile_url).
func (s *server) securityHeaders() func(http.Handler) http.Handler {
	img := "'self' data:"
	if o := tileOrigin(s.Map.TileURL); o != "" {
		img += " " + o
	}
	csp := "default-src 'self'; img-src " + img + "; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Content-Security-Policy", csp)
			next.ServeHTTP(w, r)
		})
	}
}

func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "path", r.URL.Path, "panic", v)
				s.fail(w, r, errPanic, 0)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
