package main

import "github.com/shrooms-org/shrooms/handlers"

// handlerDeps wires the store, federation and mail into the HTTP handlers.
func (m *Main) handlerDeps() handlers.Deps {
	db := m.DB
	return handlers.Deps{
		IRIs: m.IRIs, Logger: m.Logger, Now: m.Now,
		Nodes: db, Actors: db, Users: db, Follows: db, Outbox: db, Inbox: db,
		Settings: db, Sessions: db, Accounts: db, // TODO(lead): Profiles, Groups, Media when store has them
		Mailer:    m.Mailer,
		SetupCode: m.SetupCode,
		Resolver:  m.Fed, Federation: m.Fed.Handler(), FederationInbox: m.Fed.InboxHandler(),
	}
}
