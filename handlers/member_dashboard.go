package handlers

import (
	"net/http"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// dashboardView is the personal dashboard: the widgets the user shows, in
// their order.
type dashboardView struct {
	Widgets []widgetView
}

// widgetView is what a widget partial (_widget_ID.html) gets.
type widgetView struct {
	shrooms.Widget
	User *shrooms.User
	// FollowRequests counts the organisation's pending follow requests
	// (the follow-requests widget, for admins).
	FollowRequests int
	// LowStock are the emptiest parts at or below their minimum (the
	// low-stock widget, for staff); LowStockOK says the list was read.
	LowStock   []*shrooms.Item
	LowStockOK bool
	// Loans is the loans widget's content.
	Loans *loansWidget
}

// lowStockWidget is how many parts the low-stock widget lists.
const lowStockWidget = 5

func (s *server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := stateFrom(ctx)
	d := &dashboardView{}
	for _, wd := range shrooms.DashboardFor(st.User, st.Settings) {
		v := widgetView{Widget: wd, User: st.User}
		if wd.ID == "follow-requests" {
			org, err := s.Actors.FindOrgActor(ctx)
			if err != nil {
				s.fail(w, r, err, 0)
				return
			}
			_, n, err := s.Follows.FindFollows(ctx, shrooms.FollowFilter{FolloweeID: org.ID, State: shrooms.FollowPending, Limit: 1})
			if err != nil {
				s.fail(w, r, err, 0)
				return
			}
			v.FollowRequests = n
		}
		if wd.ID == "loans" {
			lw, err := s.loansWidget(r)
			switch shrooms.ErrorCode(err) {
			case "":
				v.Loans = lw
			case shrooms.EFORBIDDEN, shrooms.EUNAUTHORIZED, shrooms.ENOTFOUND:
			default:
				s.fail(w, r, err, 0)
				return
			}
		}
		if wd.ID == "low-stock" {
			// A user without the stock read grant gets the widget's
			// empty state, not a failing dashboard.
			items, err := s.Stock.FindLowStock(ctx, lowStockWidget)
			switch shrooms.ErrorCode(err) {
			case "":
				v.LowStock, v.LowStockOK = items, true
			case shrooms.EFORBIDDEN, shrooms.EUNAUTHORIZED, shrooms.ENOTFOUND:
			default:
				s.fail(w, r, err, 0)
				return
			}
		}
		d.Widgets = append(d.Widgets, v)
	}
	s.render(w, r, 0, "dashboard", "dashboard.title", d)
}

// arrangeView is the form that arranges the dashboard: every widget the
// user may show, in their order, each with a "show" box and buttons to
// move it.
type arrangeView struct {
	Rows []arrangeRow
	// Focus is the move button to focus after a move, so that a keyboard
	// user stays where they were.
	Focus string
	// Notice says what the last move did (a status message).
	Notice string
	Error  string
}

// arrangeRow is one widget of the arrange form.
type arrangeRow struct {
	ID    string
	Shown bool
}

// availableWidgets are the widgets a user may show with the modules on
// now, in default order.
func availableWidgets(u *shrooms.User, settings *shrooms.Settings) []shrooms.Widget {
	all := *u
	all.Dashboard = nil
	return shrooms.DashboardFor(&all, settings)
}

// currentArrangement lists the available widgets: the ones shown first, in
// the user's order, then the hidden ones.
func currentArrangement(u *shrooms.User, settings *shrooms.Settings) []arrangeRow {
	var rows []arrangeRow
	shown := map[string]bool{}
	for _, w := range shrooms.DashboardFor(u, settings) {
		rows = append(rows, arrangeRow{ID: w.ID, Shown: true})
		shown[w.ID] = true
	}
	for _, w := range availableWidgets(u, settings) {
		if !shown[w.ID] {
			rows = append(rows, arrangeRow{ID: w.ID})
		}
	}
	return rows
}

func (s *server) handleDashboardArrange(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	s.render(w, r, 0, "dashboard_arrange", "dashboard.arrange.title", &arrangeView{Rows: currentArrangement(st.User, st.Settings)})
}

// handleDashboardArrangeSave handles the three kinds of buttons of the
// arrange form: a move button shows the form again with one widget moved
// (nothing is saved yet, so that a hidden widget keeps its place too);
// save keeps the order and the shown widgets; reset goes back to the
// default dashboard.
func (s *server) handleDashboardArrangeSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := stateFrom(ctx)
	u := st.User
	if r.PostFormValue("reset") != "" {
		var byDefault []string // nil: the store keeps NULL, the default layout
		if _, err := s.Users.UpdateUser(ctx, u.ID, shrooms.UserUpdate{Dashboard: &byDefault}); err != nil {
			s.fail(w, r, err, 0)
			return
		}
		s.redirect(w, r, "/dashboard", "dashboard.reset_done")
		return
	}
	d := &arrangeView{}
	fail := func(err error) {
		d.Error = s.errorText(r, err)
		if d.Rows == nil {
			d.Rows = currentArrangement(u, st.Settings)
		}
		s.render(w, r, statusOf(shrooms.ErrorCode(err)), "dashboard_arrange", "dashboard.arrange.title", d)
	}
	order, show := r.PostForm["order"], r.PostForm["show"]
	for _, ids := range [][]string{order, show} {
		if err := shrooms.ValidDashboard(ids); err != nil {
			fail(err)
			return
		}
	}
	d.Rows = postedArrangement(u, st.Settings, order, show)

	if move := r.PostFormValue("move"); move != "" {
		if err := d.move(move); err != nil {
			fail(err)
			return
		}
		dir, id, _ := strings.Cut(move, ":")
		d.Notice = s.tr(r, "dashboard.arrange.moved_"+dir, "Name", s.tr(r, "dashboard.widget."+id))
		s.render(w, r, 0, "dashboard_arrange", "dashboard.arrange.title", d)
		return
	}

	ids := []string{} // never nil: hiding every widget is not the default layout
	for _, row := range d.Rows {
		if row.Shown {
			ids = append(ids, row.ID)
		}
	}
	ids = append(ids, unavailableShown(u, st.Settings)...)
	if _, err := s.Users.UpdateUser(ctx, u.ID, shrooms.UserUpdate{Dashboard: &ids}); err != nil {
		fail(err)
		return
	}
	s.redirect(w, r, "/dashboard", "dashboard.saved")
}

// postedArrangement reads the form's order and shown boxes back into rows
// of the available widgets; an available widget the form did not list
// (a module turned on meanwhile) comes last, hidden.
func postedArrangement(u *shrooms.User, settings *shrooms.Settings, order, show []string) []arrangeRow {
	avail := map[string]bool{}
	for _, w := range availableWidgets(u, settings) {
		avail[w.ID] = true
	}
	shown := map[string]bool{}
	for _, id := range show {
		shown[id] = true
	}
	var rows []arrangeRow
	listed := map[string]bool{}
	for _, id := range order {
		if avail[id] {
			rows = append(rows, arrangeRow{ID: id, Shown: shown[id]})
			listed[id] = true
		}
	}
	for _, w := range availableWidgets(u, settings) {
		if !listed[w.ID] {
			rows = append(rows, arrangeRow{ID: w.ID})
		}
	}
	return rows
}

// unavailableShown are the widgets the user's layout shows that the form
// could not offer (their module is off, or they need another role). They
// stay in the saved layout, so that they come back when their module does.
func unavailableShown(u *shrooms.User, settings *shrooms.Settings) []string {
	avail := map[string]bool{}
	for _, w := range availableWidgets(u, settings) {
		avail[w.ID] = true
	}
	layout := u.Dashboard
	if layout == nil {
		for _, w := range shrooms.Widgets {
			layout = append(layout, w.ID)
		}
	}
	var out []string
	for _, id := range layout {
		if !avail[id] {
			out = append(out, id)
		}
	}
	return out
}

// move applies a move button's value, "up:ID" or "down:ID", and chooses
// the button to focus next: the same one, or the other direction's when
// the widget reached an end. Returns EINVALID for a bad value.
func (d *arrangeView) move(value string) error {
	dir, id, _ := strings.Cut(value, ":")
	i := -1
	for k, row := range d.Rows {
		if row.ID == id {
			i = k
		}
	}
	j := i - 1
	if dir == "down" {
		j = i + 1
	}
	if i < 0 || dir != "up" && dir != "down" || j < 0 || j >= len(d.Rows) {
		return shrooms.Errorf(shrooms.EINVALID, "This widget cannot move that way.").Keyed("dashboard.error.move")
	}
	d.Rows[i], d.Rows[j] = d.Rows[j], d.Rows[i]
	d.Focus = value
	if j == 0 {
		d.Focus = "down:" + id
	} else if j == len(d.Rows)-1 {
		d.Focus = "up:" + id
	}
	return nil
}
