package store

import (
	"context"
	"errors"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxImportErrors is how many row errors an import collects before it
// stops looking: nobody reads more, and the rest are usually the same.
const maxImportErrors = 100

// ImportItems validates every item as CreateItem does and, when all are
// valid and dryRun is false, creates them all in one transaction, each
// with an "imported" history entry (and a Create when public). When any
// row fails, it returns the row errors and writes nothing. Row numbers
// are the index in items plus first. Returns EFORBIDDEN, EUNAUTHORIZED,
// ENOTFOUND when the module is off.
func (s *ItemService) ImportItems(ctx context.Context, items []*shrooms.Item, first int, dryRun bool) ([]shrooms.RowError, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := c.module(shrooms.AccessReadWrite); err != nil {
		return nil, err
	}
	var rowErrs []shrooms.RowError
	for k, i := range items {
		if i == nil {
			continue
		}
		err := i.Validate()
		if err == nil {
			err = checkItemRefs(ctx, tx, c, i, nil, true)
		}
		if err == nil {
			continue
		}
		switch shrooms.ErrorCode(err) {
		case shrooms.EINVALID, shrooms.ENOTFOUND:
			rowErrs = append(rowErrs, rowError(first+k, err))
		default:
			return nil, err
		}
		if len(rowErrs) >= maxImportErrors {
			break
		}
	}
	if len(rowErrs) > 0 || dryRun {
		return rowErrs, nil
	}
	for _, i := range items {
		if i == nil {
			continue
		}
		created, err := s.db.insertItem(ctx, tx, c.p, i, shrooms.ActionImported)
		if err != nil {
			return nil, err
		}
		*i = *created
	}
	return nil, commit(tx)
}

// rowError is err on one row: its key, args and field, and its English
// message without the field it starts with ("name: required" on name is
// "required"), since the row error names the field itself.
func rowError(row int, err error) shrooms.RowError {
	re := shrooms.RowError{Row: row, Message: shrooms.ErrorMessage(err)}
	var e *shrooms.Error
	if errors.As(err, &e) {
		re.Field, re.Key, re.Args = e.Field, e.Key, e.Args
	}
	// A custom field's error names its form input, field_KEY; an import
	// row names the field by its key, as the item's Fields do.
	if key, ok := strings.CutPrefix(re.Field, "field_"); ok {
		re.Field = key
	}
	if rest, ok := strings.CutPrefix(re.Message, re.Field+": "); ok && re.Field != "" {
		re.Message = rest
	}
	return re
}
