package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// peoplePageSize is how many members one page of the directory shows.
const peoplePageSize = 24

// peopleView is a page of the member directory.
type peopleView struct {
	Query    string
	People   []*shrooms.Profile
	Total    int
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Searched bool
}

func (s *server) handlePeople(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &peopleView{Query: q.Get("q"), Page: 1}
	d.Searched = d.Query != ""
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		d.Page = p
	}
	people, total, err := s.Profiles.FindProfiles(r.Context(), shrooms.ProfileFilter{Query: d.Query,
		Offset: (d.Page - 1) * peoplePageSize, Limit: peoplePageSize})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.People, d.Total = people, total
	d.Pages = max(1, (total+peoplePageSize-1)/peoplePageSize)
	pageURL := func(page int) string {
		v := url.Values{}
		if d.Query != "" {
			v.Set("q", d.Query)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/people"
		}
		return "/people?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = pageURL(min(d.Page-1, d.Pages))
	}
	if d.Page < d.Pages {
		d.NextURL = pageURL(d.Page + 1)
	}
	s.render(w, r, 0, "people", "people.title", d)
}

// handlePerson shows a member's profile as the viewer may see it: the
// service leaves out what the viewer's standing does not reach.
func (s *server) handlePerson(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := s.Users.FindUserByUsername(ctx, mux.Vars(r)["username"])
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	p, err := s.Profiles.FindProfile(ctx, u.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	me := stateFrom(ctx).User
	s.render(w, r, 0, "person", "people.person.title", &profileView{Profile: p, Acct: u.Username + "@" + s.IRIs.Host(),
		Own: me != nil && me.ID == u.ID})
}
