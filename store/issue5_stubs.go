package store

import (
	shrooms "github.com/shrooms-org/shrooms"
)

// Stubs for issue 5, deleted by their owners as they implement them.

var errTODO = shrooms.Errorf(shrooms.EINTERNAL, "not implemented yet")
