package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// withTLS makes the node serve HTTPS itself with a self-signed certificate
// for 127.0.0.1, written into its data dir; pool trusts it.
func withTLS(t *testing.T, pool *x509.CertPool) nodeOption {
	return func(n *testNode) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
			KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		pool.AddCert(cert)
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		certFile, keyFile := filepath.Join(n.dir, "cert.pem"), filepath.Join(n.dir, "key.pem")
		if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
			t.Fatal(err)
		}
		n.config(func(c *Config) { c.HTTP.TLSCertFile, c.HTTP.TLSKeyFile = certFile, keyFile })
	}
}

// TestHSTSWhenServingTLS: a node that serves TLS itself tells browsers to
// use HTTPS only, on every answer (pages, API, federation, errors); a node
// in plain HTTP (behind a proxy that terminates TLS) does not.
func TestHSTSWhenServingTLS(t *testing.T) {
	t.Parallel()
	pool := x509.NewCertPool()
	secure := startNode(t, newTestClock(), withTLS(t, pool))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	plain := startNode(t, newTestClock())

	paths := []string{"/healthz", "/login", "/api/v1/instance", "/.well-known/nodeinfo", "/no-such-page", "/account"}
	for _, p := range paths {
		res, err := client.Get("https://" + secure.addr + p)
		if err != nil {
			t.Fatalf("GET %s over TLS: %v", p, err)
		}
		res.Body.Close()
		if res.TLS == nil {
			t.Fatalf("GET %s: not over TLS", p)
		}
		if got := res.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Errorf("GET %s over TLS (%d): Strict-Transport-Security %q, want max-age=31536000", p, res.StatusCode, got)
		}
	}
	for _, p := range paths {
		res, err := http.Get(plain.url() + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		res.Body.Close()
		if got := res.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("GET %s in plain HTTP: Strict-Transport-Security %q, want none", p, got)
		}
	}
}
