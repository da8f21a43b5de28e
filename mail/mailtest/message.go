package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
)

// Message is one message as the server received it.
type Message struct {
	// From and To are the envelope: MAIL FROM and every RCPT TO.
	From string
	To   []string
	// Header holds the message's headers as sent (Subject still encoded).
	Header netmail.Header
	// Subject is the decoded Subject header.
	Subject string
	// Text and HTML are the decoded text/plain and text/html parts.
	Text, HTML string
	// Raw is the message exactly as received after DATA.
	Raw []byte
	// TLS says whether the connection was encrypted when DATA was sent.
	TLS bool
	// AuthUser is the username the client authenticated as, if any.
	AuthUser string
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// Link returns the first URL in the text part that starts with prefix, or
// "" when there is none.
func (m Message) Link(prefix string) string {
	for _, u := range urlPattern.FindAllString(m.Text, -1) {
		if strings.HasPrefix(u, prefix) {
			return u
		}
	}
	return ""
}

func (m Message) sentTo(addr string) bool {
	if a, err := netmail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

// parse reads raw as an RFC 5322 message and decodes its subject and its
// text and HTML parts, however deeply nested in multipart bodies.
func parse(raw []byte) (Message, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	m := Message{Raw: raw, Header: msg.Header}
	for _, name := range []string{"From", "To", "Date", "Message-Id"} {
		if msg.Header.Get(name) == "" {
			return Message{}, fmt.Errorf("no %s header", name)
		}
	}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	err = m.readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

func (m *Message) readPart(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			// multipart decodes quoted-printable itself and drops the header.
			if err := m.readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // ignores line breaks
	case "", "7bit", "8bit", "binary":
	default:
		return fmt.Errorf("unknown Content-Transfer-Encoding %q", encoding)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch mediaType {
	case "text/plain":
		if m.Text == "" {
			m.Text = text
		}
	case "text/html":
		if m.HTML == "" {
			m.HTML = text
		}
	}
	return nil
}
