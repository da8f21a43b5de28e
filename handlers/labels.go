package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/labels"
)

// handleLabels sends the PDF label sheet of the items named by ?id=…, or
// else of those matching the catalogue's filter, that the caller may read.
func (s *server) handleLabels(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sheet, err := s.labelsFor(ctx, r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	settings, err := s.Settings.FindSettings(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	// Written to memory first, so that a failure is an error page, not a
	// broken file; 500 labels make well under a megabyte.
	var buf bytes.Buffer
	if err := labels.Write(&buf, settings.Name, sheet, s.Now()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="labels.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// labelsFor finds the items to label. Items the caller may not read are
// left out, as if they did not exist; none at all is ENOTFOUND.
func (s *server) labelsFor(ctx context.Context, r *http.Request) ([]labels.Label, error) {
	var items []*shrooms.Item
	if ids := r.URL.Query()["id"]; len(ids) > 0 {
		if len(ids) > labels.Max {
			return nil, shrooms.Errorf(shrooms.EINVALID, "At most %d labels at a time.", labels.Max).Keyed("import.error.labels_max", "Max", labels.Max)
		}
		seen := map[int64]bool{}
		for _, v := range ids {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return nil, shrooms.Errorf(shrooms.EINVALID, "id: %q is not an item number", v).Keyed("import.error.label_id", "Value", v).On("id")
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			it, err := s.Items.FindItemByID(ctx, id)
			switch {
			case shrooms.ErrorCode(err) == shrooms.ENOTFOUND:
				continue
			case err != nil:
				return nil, err
			}
			items = append(items, it)
		}
	} else {
		f, err := s.catalogueFilter(r)
		if err != nil {
			return nil, err
		}
		f.Limit = labels.Max
		for len(items) < labels.Max {
			page, total, err := s.Items.FindItems(ctx, f)
			if err != nil {
				return nil, err
			}
			items = append(items, page...)
			f.Offset += len(page)
			if len(page) == 0 || f.Offset >= total {
				break
			}
			f.Limit = labels.Max - len(items)
		}
		items = items[:min(len(items), labels.Max)]
	}
	if len(items) == 0 {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "No item to label: none of these items exists or is visible to you.").Keyed("import.error.labels_none")
	}
	out := make([]labels.Label, len(items))
	for i, it := range items {
		out[i] = labels.Label{ID: it.ID, Name: it.Name, URL: s.IRIs.Item(it.ID)}
	}
	return out, nil
}
