package handlers

import (
	"net/http"
	"regexp"

	shrooms "github.com/shrooms-org/shrooms"
)

// accountMessages translate the account forms' domain messages that carry
// the value entered, which the catalog cannot key by their exact text.
var accountMessages = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^username: handle ".*" may only use`), "account.error.username_chars"},
	{regexp.MustCompile(`^email: ".*" is not an e-mail address$`), "account.error.email_invalid"},
	{regexp.MustCompile(`^".*" is not an e-mail address$`), "account.error.email_invalid"},
}

// accountErrorText is errorText, plus the messages of accountMessages.
func (s *server) accountErrorText(r *http.Request, err error) string {
	msg := shrooms.ErrorMessage(err)
	if _, ok := s.pages.cat.lookup(stateFrom(r.Context()).Lang, msg); !ok {
		for _, m := range accountMessages {
			if m.re.MatchString(msg) {
				return s.tr(r, m.key)
			}
		}
	}
	return s.errorText(r, err)
}
