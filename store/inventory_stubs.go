package store

// Scaffolding while the inventory store is written: every method answers
// EINTERNAL. Each store engineer deletes the stubs they implement; this
// file must be gone before issue 4 closes.

import (
	"context"

	shrooms "github.com/shrooms-org/shrooms"
)

var errTODO = shrooms.Errorf(shrooms.EINTERNAL, "not implemented yet")

// --- categories (store/category.go) ---

func (db *DB) FindCategories(ctx context.Context) ([]*shrooms.Category, error) { return nil, errTODO }
func (db *DB) FindCategoryByID(ctx context.Context, id int64) (*shrooms.Category, error) {
	return nil, errTODO
}
func (db *DB) FindFieldsFor(ctx context.Context, id int64) ([]shrooms.CustomField, error) {
	return nil, errTODO
}
func (db *DB) CreateCategory(ctx context.Context, c *shrooms.Category) error { return errTODO }
func (db *DB) UpdateCategory(ctx context.Context, c *shrooms.Category) error { return errTODO }
func (db *DB) DeleteCategory(ctx context.Context, id int64) error            { return errTODO }
func (db *DB) SetCategoryFields(ctx context.Context, id int64, fields []shrooms.CustomField) error {
	return errTODO
}

// --- places (store/place.go) ---

func (db *DB) FindPlaces(ctx context.Context) ([]*shrooms.Place, error) { return nil, errTODO }
func (db *DB) FindPlaceByID(ctx context.Context, id int64) (*shrooms.Place, error) {
	return nil, errTODO
}
func (db *DB) CreatePlace(ctx context.Context, p *shrooms.Place) error { return errTODO }
func (db *DB) UpdatePlace(ctx context.Context, p *shrooms.Place) error { return errTODO }
func (db *DB) DeletePlace(ctx context.Context, id int64) error         { return errTODO }

// --- stock (store/stock.go) ---

func (db *DB) MoveStock(ctx context.Context, m *shrooms.StockMovement) error { return errTODO }
func (db *DB) FindMovements(ctx context.Context, itemID int64, offset, limit int) ([]*shrooms.StockMovement, int, error) {
	return nil, 0, errTODO
}
func (db *DB) FindLowStock(ctx context.Context, limit int) ([]*shrooms.Item, error) {
	return nil, errTODO
}

var (
	_ shrooms.ItemService     = (*DB)(nil)
	_ shrooms.CategoryService = (*DB)(nil)
	_ shrooms.PlaceService    = (*DB)(nil)
	_ shrooms.StockService    = (*DB)(nil)
)
