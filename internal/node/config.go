package node

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail"
)

// Config is the node's configuration. It mirrors config.example.yaml key
// for key (the mapstructure tags name the keys); shroomsd loads it from
// the file and SHROOMS_<KEY> variables (dots become underscores, e.g.
// SHROOMS_FEDERATION_ALLOW_PRIVATE_ADDRESSES) over DefaultConfig.
type Config struct {
	Listen    string `mapstructure:"listen"`
	PublicURL string `mapstructure:"public_url"`
	DataDir   string `mapstructure:"data_dir"`
	LogLevel  string `mapstructure:"log_level"`

	Org struct {
		Handle string `mapstructure:"handle"`
		Name   string `mapstructure:"name"`
	} `mapstructure:"org"`

	HTTP struct {
		ReadTimeout     time.Duration `mapstructure:"read_timeout"`
		WriteTimeout    time.Duration `mapstructure:"write_timeout"`
		ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
		TLSCertFile     string        `mapstructure:"tls_cert_file"`
		TLSKeyFile      string        `mapstructure:"tls_key_file"`
		TrustedProxies  []string      `mapstructure:"trusted_proxies"`
	} `mapstructure:"http"`

	Database struct {
		BusyTimeout time.Duration `mapstructure:"busy_timeout"`
	} `mapstructure:"database"`

	Federation struct {
		AllowPrivateAddresses     bool          `mapstructure:"allow_private_addresses"`
		ManuallyApprovesFollowers bool          `mapstructure:"manually_approves_followers"`
		MaxBodyBytes              int64         `mapstructure:"max_body_bytes"`
		MaxJSONDepth              int           `mapstructure:"max_json_depth"`
		SignatureMaxSkew          time.Duration `mapstructure:"signature_max_skew"`
		HTTPTimeout               time.Duration `mapstructure:"http_timeout"`
		MaxResponseBytes          int64         `mapstructure:"max_response_bytes"`
		DeliveryWorkers           int           `mapstructure:"delivery_workers"`
		DeliveryMaxAge            time.Duration `mapstructure:"delivery_max_age"`
		ActorCacheTTL             time.Duration `mapstructure:"actor_cache_ttl"`
		PollInterval              time.Duration `mapstructure:"poll_interval"`
		ResyncInterval            time.Duration `mapstructure:"resync_interval"`
		QueueRetention            time.Duration `mapstructure:"queue_retention"`
	} `mapstructure:"federation"`

	Mail struct {
		From string `mapstructure:"from"`
		SMTP struct {
			Host     string        `mapstructure:"host"`
			Port     int           `mapstructure:"port"`
			Username string        `mapstructure:"username"`
			Password string        `mapstructure:"password"`
			Security string        `mapstructure:"security"`
			Timeout  time.Duration `mapstructure:"timeout"`
		} `mapstructure:"smtp"`
	} `mapstructure:"mail"`

	Notifications struct {
		ScheduleInterval time.Duration `mapstructure:"schedule_interval"`
	} `mapstructure:"notifications"`

	Media struct {
		UploadsPerMinute int `mapstructure:"uploads_per_minute"`
	} `mapstructure:"media"`

	Map struct {
		TileURL     string `mapstructure:"tile_url"`
		Attribution string `mapstructure:"attribution"`
		MaxZoom     int    `mapstructure:"max_zoom"`
	} `mapstructure:"map"`
}

// Validate checks every key that could stop the node later, naming it.
func (c *Config) Validate() error {
	if _, err := shrooms.NewIRIs(c.PublicURL); err != nil {
		return fmt.Errorf("public_url: %s", shrooms.ErrorMessage(err))
	}
	if c.Listen == "" {
		return errors.New("listen: must be host:port")
	}
	if c.DataDir == "" {
		return errors.New("data_dir: must not be empty")
	}
	if err := shrooms.ValidHandle(c.Org.Handle); err != nil {
		return fmt.Errorf("org.handle: %s", shrooms.ErrorMessage(err))
	}
	if (c.HTTP.TLSCertFile == "") != (c.HTTP.TLSKeyFile == "") {
		return errors.New("http.tls_cert_file and http.tls_key_file: set both or neither")
	}
	if _, err := c.TrustedProxies(); err != nil {
		return err
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level: %q is not debug, info, warn or error", c.LogLevel)
	}
	f := c.Federation
	switch {
	case f.DeliveryMaxAge < time.Hour:
		return errors.New("federation.delivery_max_age: must be at least 1h (default 72h)")
	case f.MaxBodyBytes < 1024:
		return errors.New("federation.max_body_bytes: must be at least 1024")
	case f.MaxJSONDepth < 4:
		return errors.New("federation.max_json_depth: must be at least 4")
	case f.SignatureMaxSkew < time.Minute:
		return errors.New("federation.signature_max_skew: must be at least 1m")
	case f.DeliveryWorkers < 1 || f.DeliveryWorkers > 64:
		return errors.New("federation.delivery_workers: must be between 1 and 64")
	case f.PollInterval < 10*time.Millisecond:
		return errors.New("federation.poll_interval: must be at least 10ms")
	case f.ResyncInterval < time.Minute:
		return errors.New("federation.resync_interval: must be at least 1m (default 24h)")
	case f.QueueRetention > 0 && f.QueueRetention < 24*time.Hour:
		// Zero or less takes the default, as in federation.Config.
		return errors.New("federation.queue_retention: must be at least 24h (default 720h, 30 days)")
	}
	if c.Media.UploadsPerMinute < 1 || c.Media.UploadsPerMinute > 10000 {
		return errors.New("media.uploads_per_minute: must be between 1 and 10000 (default 20)")
	}
	if c.Mail.SMTP.Host != "" && c.Mail.SMTP.Timeout < time.Second {
		return errors.New("mail.smtp.timeout: must be at least 1s (default 15s)")
	}
	if c.Notifications.ScheduleInterval < time.Second || c.Notifications.ScheduleInterval > 24*time.Hour {
		return errors.New("notifications.schedule_interval: must be between 1s and 24h (default 5m)")
	}
	if err := c.validateMap(); err != nil {
		return err
	}
	// mail.New names the mail.* key it refuses; it neither connects nor
	// creates the mail folder.
	if _, err := mail.New(c.MailConfig(), nil); err != nil {
		return err
	}
	return nil
}

// validateMap checks map.*: the tile URL becomes a CSP img-src source
// and Leaflet's tile template, so it must be an absolute http(s) URL with
// the {z}, {x} and {y} placeholders.
func (c *Config) validateMap() error {
	u := c.Map.TileURL
	scheme, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	switch {
	case scheme != "http" && scheme != "https":
		return fmt.Errorf("map.tile_url: %q must be an http or https URL", u)
	case host == "" || strings.ContainsAny(strings.ReplaceAll(host, "{s}", "a"), "{}"):
		// Only a {s} subdomain may vary: the CSP names the host.
		return fmt.Errorf("map.tile_url: %q has no valid host", u)
	case strings.ContainsAny(u, " ;'\"\\"):
		return fmt.Errorf("map.tile_url: %q must not contain spaces, quotes or ';'", u)
	case !strings.Contains(u, "{z}") || !strings.Contains(u, "{x}") || !strings.Contains(u, "{y}"):
		return fmt.Errorf("map.tile_url: %q must contain {z}, {x} and {y}", u)
	case c.Map.MaxZoom < 1 || c.Map.MaxZoom > 22:
		return fmt.Errorf("map.max_zoom: %d must be between 1 and 22", c.Map.MaxZoom)
	}
	return nil
}

// DBPath is where the node's database lives.
func (c *Config) DBPath() string { return filepath.Join(c.DataDir, "shrooms.db") }

// TrustedProxies parses http.trusted_proxies: addresses or CIDR prefixes.
func (c *Config) TrustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.HTTP.TrustedProxies {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("http.trusted_proxies: %q is not an IP address or CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
