package node

import (
	"path/filepath"

	"github.com/shrooms-org/shrooms/handlers"
)

// handlerDeps wires the store, federation and mail into the HTTP handlers.
func (m *Main) handlerDeps() handlers.Deps {
	db := m.DB
	proxies, _ := m.Config.TrustedProxies() // checked by Validate
	return handlers.Deps{
		IRIs: m.IRIs, Logger: m.Logger, Now: m.Now,
		Nodes: db, Actors: db, Users: db, Follows: db, Outbox: db, Inbox: db,
		Settings: db, Sessions: db, Accounts: db, Profiles: db, Groups: db, Media: db,
		Items: db, Categories: db, Places: db, Stock: db,
		Partners: db, Remote: db, Search: db, Linker: m.Fed,
		Map:            handlers.MapConfig{TileURL: m.Config.Map.TileURL, Attribution: m.Config.Map.Attribution, MaxZoom: m.Config.Map.MaxZoom},
		Mail:           db,
		SetupCode:      m.SetupCode,
		TrustedProxies: proxies,
		ImportDir:      filepath.Join(m.Config.DataDir, "imports"),
		Resolver:       m.Fed, Federation: m.Fed.Handler(), FederationInbox: m.Fed.InboxHandler(),
		Images:           m.Images,
		UploadsPerMinute: m.Config.Media.UploadsPerMinute,
	}
}
