package node

import (
	"path/filepath"

	"github.com/shrooms-org/shrooms/handlers"
)

// handlerDeps wires the store, federation and mail into the HTTP handlers.
func (m *Main) handlerDeps() handlers.Deps {
	svc := m.DB
	proxies, _ := m.Config.TrustedProxies() // checked by Validate
	return handlers.Deps{
		IRIs: m.IRIs, Logger: m.Logger, Now: m.Now,
		Nodes: svc.Nodes, Actors: svc.Actors, Users: svc.Users, Follows: svc.Follows, Outbox: svc.Outbox, Inbox: svc.Inbox,
		Settings: svc.Settings, Sessions: svc.Sessions, Accounts: svc.Accounts, Profiles: svc.Profiles, Groups: svc.Groups, Media: svc.Media,
		Items: svc.Items, Categories: svc.Categories, Places: svc.Places, Stock: svc.Stock, Loans: svc.Loans, LoanFeeds: svc.Loans, Notices: svc.Notices,
		Partners: svc.Partners, Remote: svc.Remote, Search: svc.Search, Linker: m.Fed, RemoteItems: m.Fed,
		Map:            handlers.MapConfig{TileURL: m.Config.Map.TileURL, Attribution: m.Config.Map.Attribution, MaxZoom: m.Config.Map.MaxZoom},
		Mail:           svc.Mail,
		SetupCode:      m.SetupCode,
		TrustedProxies: proxies,
		ImportDir:      filepath.Join(m.Config.DataDir, "imports"),
		Resolver:       m.Fed, Federation: m.Fed.Handler(), FederationInbox: m.Fed.InboxHandler(),
		Images:           m.Images,
		UploadsPerMinute: m.Config.Media.UploadsPerMinute,
	}
}
