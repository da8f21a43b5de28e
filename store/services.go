package store

import shrooms "github.com/shrooms-org/shrooms"

var (
	_ shrooms.PartnerService     = (*DB)(nil)
	_ shrooms.RemoteCacheService = (*DB)(nil)
	_ shrooms.SearchService      = (*DB)(nil)
)
