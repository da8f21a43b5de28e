package mail

import (
	"crypto/rand"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// writeFile stores msg in the mail folder as <UTC time>-<random>.eml. The
// message is written to a hidden temporary file, synced and renamed, so
// the folder never holds half a message, even after a crash.
func (s *Mailer) writeFile(msg *gomail.Msg, to *netmail.Address, subject string) error {
	path, err := s.writeFileAtomic(msg)
	if err != nil {
		s.logger.Error("mail could not be written to folder", "to", to.Address, "subject", subject,
			"dir", s.cfg.Dir, "err", err)
		return unavailable()
	}
	s.logger.Info("mail written to folder (no SMTP server configured)",
		"to", to.Address, "subject", subject, "path", path)
	return nil
}

func (s *Mailer) writeFileAtomic(msg *gomail.Msg) (path string, err error) {
	dir := s.cfg.Dir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s-%s.eml",
		time.Now().UTC().Format("20060102T150405.000000000Z"), strings.ToLower(rand.Text()[:12]))
	path = filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, ".tmp-*") // mode 0600: mail holds sign-in links
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = msg.WriteTo(f); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	if err = os.Rename(tmp, path); err != nil {
		return "", err
	}
	syncDir(dir)
	return path, nil
}

// syncDir makes the rename durable where the system allows syncing a
// directory; where it does not (Windows), the rename is still atomic.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
