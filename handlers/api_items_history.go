package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

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
