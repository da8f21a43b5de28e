package store

import (
	"context"
	"database/sql"
	"fmt"
)

// queryColumn runs a query of one column in tx and returns its values in
// order; what names the lookup in errors. The rows are closed before it
// returns, so the caller may query again in the same transaction (one
// connection) while it walks the result.
func queryColumn[T any](ctx context.Context, tx *sql.Tx, what, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
