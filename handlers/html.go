package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

func (s *server) handleHome(w http.ResponseWriter, r *http.Request) {
	org, err := s.Actors.FindLocalActor(r.Context(), s.OrgHandle)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d, err := s.actorPage(r, org)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Org, d.Title = org, "Home"
	s.pages.render(w, "home", d)
}

func (s *server) handleActorPage(w http.ResponseWriter, r *http.Request) {
	a, err := s.Actors.FindLocalActor(r.Context(), mux.Vars(r)["handle"])
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d, err := s.actorPage(r, a)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Actor, d.Title = a, a.Acct()
	s.pages.render(w, "actor", d)
}

// actorPage fills what the node and actor pages share.
func (s *server) actorPage(r *http.Request, a *shrooms.Actor) (pageData, error) {
	d := pageData{}
	node, err := s.Nodes.FindNode(r.Context())
	if err != nil {
		return d, err
	}
	d.NodeName = node.Name
	if _, d.Followers, err = s.Follows.FindFollows(r.Context(), shrooms.FollowFilter{FolloweeID: a.ID, State: shrooms.FollowAccepted, Limit: 1}); err != nil {
		return d, err
	}
	_, d.Following, err = s.Follows.FindFollows(r.Context(), shrooms.FollowFilter{FollowerID: a.ID, State: shrooms.FollowAccepted, Limit: 1})
	return d, err
}
