package main

import "github.com/shrooms-org/shrooms/handlers"

// handlerDeps wires the store, federation and mail into the HTTP handlers.
func (m *Main) handlerDeps() handlers.Deps {
	return handlers.Deps{
		IRIs: m.IRIs, Logger: m.Logger, Now: m.Now,
		Nodes: m.DB, Actors: m.DB, Users: m.DB, Follows: m.DB, Outbox: m.DB, Inbox: m.DB,
		Resolver: m.Fed, Federation: m.Fed.Handler(), FederationInbox: m.Fed.InboxHandler(),
	}
}
