package handlers

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// notificationsPerPage is how many notifications the list shows at once.
const notificationsPerPage = 50

// notificationsRoutes: the member's notifications and their preferences.
func (s *server) notificationsRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/notifications", s.requireLogin(s.handleNotifications)).Methods(get...)
	r.HandleFunc("/notifications/read-all", s.requireLogin(s.handleNotificationsReadAll)).Methods(http.MethodPost)
	r.HandleFunc("/notifications/{id:[0-9]+}/read", s.requireLogin(s.handleNotificationRead)).Methods(http.MethodPost)
	r.HandleFunc("/account/notifications", s.requireLogin(s.handleNotificationPrefs)).Methods(append(get, http.MethodPost)...)
}

// noticeLine is one notification as the list shows it.
type noticeLine struct {
	*shrooms.Notification
	Text string
}

type notificationsView struct {
	Lines  []noticeLine
	Total  int
	Unread int
	Offset int
	Next   int
	Prev   int
}

// handleNotifications lists the member's notifications, newest first,
// each linking to its loan or item.
func (s *server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	list, err := s.Notices.FindNotifications(r.Context(), shrooms.NotificationFilter{Offset: offset, Limit: notificationsPerPage})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	lang := stateFrom(r.Context()).Lang
	v := &notificationsView{Total: list.Total, Unread: list.Unread, Offset: offset, Next: -1, Prev: -1}
	for _, n := range list.Notifications {
		v.Lines = append(v.Lines, noticeLine{Notification: n, Text: s.pages.cat.noticeText(lang, n, "body")})
	}
	if offset+len(list.Notifications) < list.Total {
		v.Next = offset + notificationsPerPage
	}
	if offset > 0 {
		v.Prev = max(offset-notificationsPerPage, 0)
	}
	s.render(w, r, 0, "notifications", "notify.title", v)
}

// handleNotificationRead marks one notification read and goes back to
// the list.
func (s *server) handleNotificationRead(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		s.handleNotFound(w, r)
		return
	}
	if err := s.Notices.MarkNotificationRead(r.Context(), id); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/notifications", "")
}

func (s *server) handleNotificationsReadAll(w http.ResponseWriter, r *http.Request) {
	if err := s.Notices.MarkAllNotificationsRead(r.Context()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/notifications", "notify.marked_all")
}

// prefLine is one kind of notice and the channel chosen for it.
type prefLine struct {
	Kind    shrooms.NotificationKind
	Channel shrooms.NotificationChannel
}

type notificationPrefsView struct {
	Lines    []prefLine
	Channels []shrooms.NotificationChannel
	Error    string
}

// handleNotificationPrefs shows and saves how the member gets each kind
// of notice. The desk's kind is offered only to those who work it.
func (s *server) handleNotificationPrefs(w http.ResponseWriter, r *http.Request) {
	status := 0
	v := &notificationPrefsView{Channels: shrooms.NotificationChannels}
	desk := s.moduleAccess(r, "loans")&shrooms.AccessWrite != 0
	if r.Method == http.MethodPost {
		prefs := shrooms.NotificationPrefs{}
		for _, k := range shrooms.NotificationKinds {
			if c := formValue(r, string(k)); c != "" {
				prefs[k] = shrooms.NotificationChannel(c)
			}
		}
		err := s.Notices.UpdateNotificationPrefs(r.Context(), prefs)
		if err == nil {
			s.redirect(w, r, "/account/notifications", "notify.prefs.saved")
			return
		}
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		v.Error, status = s.errorText(r, err), statusOf(shrooms.ErrorCode(err))
	}
	prefs, err := s.Notices.FindNotificationPrefs(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, k := range shrooms.NotificationKinds {
		if k == shrooms.NotifyLoanRequested && !desk {
			continue
		}
		v.Lines = append(v.Lines, prefLine{Kind: k, Channel: prefs.Channel(k)})
	}
	s.render(w, r, status, "notification_prefs", "notify.prefs.title", v)
}
