package federation

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"sync"

	"github.com/go-fed/httpsig"

	shrooms "github.com/shrooms-org/shrooms"
)

// Headers signed on outgoing requests, as Mastodon signs and requires them.
var (
	postHeaders = []string{httpsig.RequestTarget, "host", "date", "digest"}
	getHeaders  = []string{httpsig.RequestTarget, "host", "date"}
)

// sign adds Date, Host, Digest (with a body) and Signature to req. One
// httpsig signer is made per request: they are not safe for concurrent use.
func (c *Client) sign(req *http.Request, body []byte, signer *shrooms.Actor) error {
	key, err := c.keys.private(signer)
	if err != nil {
		return err
	}
	headers := getHeaders
	if body != nil {
		headers = postHeaders
	}
	s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return err
	}
	req.Header.Set("Date", c.now().UTC().Format(http.TimeFormat))
	// httpsig reads "host" from the header map; Go sends req.Host.
	req.Header.Set("Host", req.URL.Host)
	req.Host = req.URL.Host
	return s.SignRequest(key, signer.KeyID, req, body)
}

// bodyDigest is the Digest header value of body.
func bodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// keyCache keeps parsed keys, and the actors owning the keys that signed
// recent requests: parsing a PEM RSA key costs more than using it, and a
// database read per request costs more than the signature check (the
// inbox benchmark measured it).
type keyCache struct {
	mu      sync.Mutex
	privs   map[string]*rsa.PrivateKey // by local key id
	publics map[string]*rsa.PublicKey  // by PEM text
	owners  map[string]*shrooms.Actor  // by key id; read-only values
}

// maxCached bounds each map; a full map starts again empty.
const maxCached = 4096

func newKeyCache() *keyCache {
	return &keyCache{privs: map[string]*rsa.PrivateKey{}, publics: map[string]*rsa.PublicKey{}, owners: map[string]*shrooms.Actor{}}
}

// owner returns the cached actor that owns keyID, or nil.
func (k *keyCache) owner(keyID string) *shrooms.Actor {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.owners[keyID]
}

// remember caches an actor by its key id. The caller must not change a
// after handing it over.
func (k *keyCache) remember(a *shrooms.Actor) {
	if a == nil || a.KeyID == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.owners) >= maxCached {
		clear(k.owners)
	}
	k.owners[a.KeyID] = a
}

func (k *keyCache) private(a *shrooms.Actor) (*rsa.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.privs[a.KeyID+"\x00"+a.PublicKeyPEM]; ok {
		return key, nil
	}
	key, err := parsePrivateKey(a.PrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	k.privs[a.KeyID+"\x00"+a.PublicKeyPEM] = key
	return key, nil
}

// public parses a public key, remembering the last few thousand.
func (k *keyCache) public(pemText string) (*rsa.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.publics[pemText]; ok {
		return key, nil
	}
	key, err := parsePublicKey(pemText)
	if err != nil {
		return nil, err
	}
	if len(k.publics) >= maxCached {
		clear(k.publics)
	}
	k.publics[pemText] = key
	return key, nil
}

func parsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("actor has no usable private key")
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("actor key is not RSA")
	}
	return rsaKey, nil
}

func parsePublicKey(pemText string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor's publicKeyPem is not PEM").Keyed("federation.error.key_not_pem")
	}
	if key, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		if rsaKey, ok := key.(*rsa.PublicKey); ok {
			return rsaKey, nil
		}
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor's key is not RSA").Keyed("federation.error.key_not_rsa")
	}
	key, err := x509.ParsePKCS1PublicKey(block.Bytes)
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor's publicKeyPem is not an RSA public key").Keyed("federation.error.key_not_rsa")
	}
	return key, nil
}
