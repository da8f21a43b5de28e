package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// followsShown is how many follows each list of the federation page
// shows; the page says how many there are in all.
const followsShown = 200

// adminFederation is the organisation's place in the fediverse: follow
// requests waiting for an admin, followers, the accounts it follows and
// the form to follow one more.
type adminFederation struct {
	adminPage
	Org                                           *shrooms.Actor
	Requests, Followers, Following                []*shrooms.Follow
	RequestsTotal, FollowersTotal, FollowingTotal int
	Address                                       string
}

func (s *server) handleAdminFederation(w http.ResponseWriter, r *http.Request) {
	s.renderFederation(w, r, 0, "", "")
}

// renderFederation shows the federation page, with the follow form's
// address and error when it failed.
func (s *server) renderFederation(w http.ResponseWriter, r *http.Request, status int, address, errText string) {
	ctx := r.Context()
	org, err := s.Actors.FindOrgActor(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &adminFederation{adminPage: adminPage{Section: "federation", Error: errText}, Org: org, Address: address}
	for _, l := range []struct {
		list  *[]*shrooms.Follow
		total *int
		f     shrooms.FollowFilter
	}{
		{&d.Requests, &d.RequestsTotal, shrooms.FollowFilter{FolloweeID: org.ID, State: shrooms.FollowPending}},
		{&d.Followers, &d.FollowersTotal, shrooms.FollowFilter{FolloweeID: org.ID, State: shrooms.FollowAccepted}},
		{&d.Following, &d.FollowingTotal, shrooms.FollowFilter{FollowerID: org.ID}},
	} {
		l.f.Limit = followsShown
		if *l.list, *l.total, err = s.Follows.FindFollows(ctx, l.f); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	s.render(w, r, status, "admin_federation", "admin.federation.title", d)
}

// handleAdminFollow makes the organisation follow an account given by its
// address (handle@host) or actor URL, as the API's POST /following does.
func (s *server) handleAdminFollow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	address := formValue(r, "address")
	fail := func(err error) {
		s.renderFederation(w, r, statusOf(shrooms.ErrorCode(err)), address, s.errorText(r, err))
	}
	if address == "" {
		fail(shrooms.Errorf(shrooms.EINVALID, "address: give handle@host or an actor URL").Keyed("admin.error.follow_address").On("address"))
		return
	}
	org, err := s.Actors.FindOrgActor(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	target, err := s.Resolver.ResolveHandle(ctx, address)
	if err != nil {
		fail(err)
		return
	}
	if _, err := s.Follows.CreateFollow(ctx, org.ID, target.ID); err != nil {
		fail(err)
		return
	}
	s.redirect(w, r, "/admin/federation", "admin.federation.follow_sent")
}

// handleAdminUnfollow ends one of the organisation's follows.
func (s *server) handleAdminUnfollow(w http.ResponseWriter, r *http.Request) {
	f, ok := s.orgFollow(w, r, false)
	if !ok {
		return
	}
	if err := s.Follows.Unfollow(r.Context(), f.FollowerID, f.FolloweeID); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/federation", "admin.federation.unfollowed")
}

// handleAdminDecide approves or rejects a follow request; rejecting an
// accepted follower removes it.
func (s *server) handleAdminDecide(w http.ResponseWriter, r *http.Request) {
	req, ok := s.orgFollow(w, r, true)
	if !ok {
		return
	}
	var err error
	flash := "admin.federation.approved"
	if mux.Vars(r)["decision"] == "approve" {
		_, err = s.Follows.ApproveFollowRequest(r.Context(), req.ID)
	} else {
		_, err = s.Follows.RejectFollowRequest(r.Context(), req.ID)
		flash = "admin.federation.rejected"
		if req.State == shrooms.FollowAccepted {
			flash = "admin.federation.removed"
		}
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/federation", flash)
}
