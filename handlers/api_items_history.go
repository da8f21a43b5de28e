package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiItemHistory is a page of the item's changes, newest first.
func (s *server) apiItemHistory(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	changes, total, err := s.Items.FindItemHistory(r.Context(), id, offset, limit)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, changes, total, func(c *shrooms.ItemChange) *shrooms.ItemChange { return c })
}

// apiComments lists every comment on the item, oldest first.
func (s *server) apiComments(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	cs, err := s.Items.FindComments(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, cs, len(cs), func(c *shrooms.Comment) *shrooms.Comment { return c })
}

// apiCreateComment adds the caller's comment to the item: {"body": "…"}.
func (s *server) apiCreateComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	c := &shrooms.Comment{ItemID: id, Body: in.Body}
	if err := s.Items.CreateComment(r.Context(), c); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}
