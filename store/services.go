package store

import shrooms "github.com/shrooms-org/shrooms"

// The store implements the partnership, remote cache and search services;
// the compiler checks it here.
var (
	_ shrooms.PartnerService     = (*DB)(nil)
	_ shrooms.RemoteCacheService = (*DB)(nil)
	_ shrooms.SearchService      = (*DB)(nil)
	_ shrooms.MailQueue          = (*DB)(nil)
)
