package shrooms_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestNotificationChannels(t *testing.T) {
	for _, tc := range []struct {
		prefs shrooms.NotificationPrefs
		kind  shrooms.NotificationKind
		want  shrooms.NotificationChannel
		mail  bool
		inApp bool
	}{
		{nil, shrooms.NotifyLoanRequested, shrooms.ChannelInApp, false, true},
		{nil, shrooms.NotifyLoanApproved, shrooms.ChannelBoth, true, true},
		{shrooms.NotificationPrefs{shrooms.NotifyLoanRequested: shrooms.ChannelBoth}, shrooms.NotifyLoanRequested, shrooms.ChannelBoth, true, true},
		{shrooms.NotificationPrefs{shrooms.NotifyLoanOverdue: shrooms.ChannelMail}, shrooms.NotifyLoanOverdue, shrooms.ChannelMail, true, false},
		{shrooms.NotificationPrefs{shrooms.NotifyLoanOverdue: shrooms.ChannelNone}, shrooms.NotifyLoanOverdue, shrooms.ChannelNone, false, false},
		{shrooms.NotificationPrefs{shrooms.NotifyLoanOverdue: shrooms.ChannelNone}, shrooms.NotifyLoanDueSoon, shrooms.ChannelBoth, true, true},
	} {
		c := tc.prefs.Channel(tc.kind)
		if c != tc.want || c.Mail() != tc.mail || c.InApp() != tc.inApp {
			t.Errorf("%v %s: %s (mail %v, in-app %v)", tc.prefs, tc.kind, c, c.Mail(), c.InApp())
		}
	}
}

func TestNotificationPrefsValidate(t *testing.T) {
	for _, tc := range []struct {
		prefs shrooms.NotificationPrefs
		key   string
	}{
		{shrooms.NotificationPrefs{shrooms.NotifyLoanReady: shrooms.ChannelMail, shrooms.NotifyWaitlistOffered: shrooms.ChannelNone}, ""},
		{shrooms.NotificationPrefs{shrooms.NotifyLoanReady: "pigeon"}, "notify.error.channel"},
		{shrooms.NotificationPrefs{"birthday": shrooms.ChannelBoth}, "notify.error.kind"},
	} {
		err := tc.prefs.Validate()
		if tc.key == "" && err != nil || tc.key != "" && (shrooms.ErrorCode(err) != shrooms.EINVALID || shrooms.ErrorKey(err) != tc.key) {
			t.Errorf("%v: %v", tc.prefs, err)
		}
	}
}

func TestNotificationLink(t *testing.T) {
	for _, tc := range []struct {
		n    shrooms.Notification
		want string
	}{
		{shrooms.Notification{LoanID: 7, ItemID: 3}, "/loans/7"},
		{shrooms.Notification{ItemID: 3}, "/items/3"},
		{shrooms.Notification{}, "/notifications"},
	} {
		if got := tc.n.Link(); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.n, got, tc.want)
		}
	}
}
