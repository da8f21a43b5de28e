package node

import (
	"reflect"
	"strconv"
	"time"
)

// DefaultConfig is the embedded defaults: a node that runs with no file
// at all. config.example.yaml documents the same values.
func DefaultConfig() Config {
	var c Config
	c.Listen = "127.0.0.1:8080"
	c.PublicURL = "http://localhost:8080"
	c.DataDir = "./data"
	c.LogLevel = "info"
	c.Org.Handle = "org"
	c.Org.Name = "My organisation"
	c.Map.TileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	c.Map.Attribution = "© OpenStreetMap contributors"
	c.Map.MaxZoom = 19
	c.HTTP.ReadTimeout = 30 * time.Second
	c.HTTP.WriteTimeout = 60 * time.Second
	c.HTTP.ShutdownTimeout = 20 * time.Second
	c.HTTP.TrustedProxies = []string{}
	c.Database.BusyTimeout = 10 * time.Second
	f := &c.Federation
	f.MaxBodyBytes = 1 << 20
	f.MaxJSONDepth = 32
	f.SignatureMaxSkew = time.Hour
	f.HTTPTimeout = 10 * time.Second
	f.MaxResponseBytes = 1 << 20
	f.DeliveryWorkers = 4
	f.DeliveryMaxAge = 72 * time.Hour
	f.ActorCacheTTL = 24 * time.Hour
	f.PollInterval = time.Second
	f.ResyncInterval = 24 * time.Hour
	f.QueueRetention = 30 * 24 * time.Hour
	c.Mail.From = "SHROOMS <noreply@localhost>"
	c.Mail.SMTP.Port = 587
	c.Mail.SMTP.Security = "starttls"
	c.Mail.SMTP.Timeout = 15 * time.Second
	c.Media.UploadsPerMinute = 20
	c.Notifications.ScheduleInterval = 5 * time.Minute
	return c
}

// Settings lists every key of the configuration with its value, keyed as
// in the file ("federation.resync_interval"); durations are written as
// in the file ("72h", "15s"). shroomsd takes DefaultConfig's settings
// as its defaults, and tests write a node's settings as its config file.
func (c Config) Settings() map[string]any {
	out := make(map[string]any)
	settings(reflect.ValueOf(c), "", out)
	return out
}

func settings(v reflect.Value, prefix string, out map[string]any) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := prefix + f.Tag.Get("mapstructure")
		fv := v.Field(i)
		switch {
		case f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == "":
			settings(fv, key+".", out)
		case f.Type == reflect.TypeOf(time.Duration(0)):
			out[key] = shortDuration(time.Duration(fv.Int()))
		default:
			out[key] = fv.Interface()
		}
	}
}

// shortDuration writes whole hours as hours and whole seconds as
// seconds, as config.example.yaml does: 72h, 60s.
func shortDuration(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}
