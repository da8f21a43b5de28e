package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// actorView is what the home page and actor pages show.
type actorView struct {
	Org       *shrooms.Actor
	Actor     *shrooms.Actor
	Followers int
	Following int
}

func (s *server) handleHome(w http.ResponseWriter, r *http.Request) {
	org, err := s.Actors.FindOrgActor(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d, err := s.actorView(r, org)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Org = org
	s.render(w, r, 0, "home", "home.title", d)
}

func (s *server) handleActorPage(w http.ResponseWriter, r *http.Request) {
	a, err := s.Actors.FindLocalActor(r.Context(), mux.Vars(r)["handle"])
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d, err := s.actorView(r, a)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "actor", "actor.title", d)
}

// actorView counts an actor's followers and followings.
func (s *server) actorView(r *http.Request, a *shrooms.Actor) (*actorView, error) {
	d := &actorView{Actor: a}
	var err error
	if _, d.Followers, err = s.Follows.FindFollows(r.Context(), shrooms.FollowFilter{FolloweeID: a.ID, State: shrooms.FollowAccepted, Limit: 1}); err != nil {
		return d, err
	}
	_, d.Following, err = s.Follows.FindFollows(r.Context(), shrooms.FollowFilter{FollowerID: a.ID, State: shrooms.FollowAccepted, Limit: 1})
	return d, err
}
