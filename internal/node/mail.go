package node

import (
	"path/filepath"

	"github.com/shrooms-org/shrooms/mail"
)

// MailConfig is the mail section as mail.New takes it. Without an SMTP
// host, mail goes to the mail folder in the data dir.
func (c Config) MailConfig() mail.Config {
	s := c.Mail.SMTP
	return mail.Config{
		From:     c.Mail.From,
		Host:     s.Host,
		Port:     s.Port,
		Username: s.Username,
		Password: s.Password,
		Security: s.Security,
		Timeout:  s.Timeout,
		Dir:      filepath.Join(c.DataDir, "mail"),
	}
}
