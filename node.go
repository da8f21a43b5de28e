package shrooms

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
)

// NodeInit is everything the first start of a node creates.
type NodeInit struct {
	Node Node
	// OrgName and OrgSummary describe the Organization actor.
	OrgName    string
	OrgSummary string
	// ManuallyApprovesFollowers is the organisation's follow policy.
	ManuallyApprovesFollowers bool
	// Admin is the first admin account; nil creates none (the browser
	// setup creates it later).
	Admin         *User
	AdminPassword string
}

// NodeService holds the node's identity and settings.
type NodeService interface {
	// InitNode creates the node record, the Organization actor (with a new
	// key pair) and the optional first admin, in one transaction. Returns
	// ECONFLICT if the node exists, EINVALID naming a bad field.
	InitNode(ctx context.Context, init NodeInit) (*Actor, error)

	// FindNode returns the stored node, or ENOTFOUND before InitNode.
	FindNode(ctx context.Context) (*Node, error)

	// NodeStats returns the usage counts for NodeInfo.
	NodeStats(ctx context.Context) (NodeStats, error)
}

// KeyBits is the size of every actor's RSA key.
const KeyBits = 2048

// NewKeyPair generates an actor key pair: a PKCS#1 private key and a PKIX
// public key, both PEM encoded, as Mastodon publishes them.
func NewKeyPair() (privatePEM, publicPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return "", "", err
	}
	return EncodeKeyPair(key)
}

// EncodeKeyPair encodes key as NewKeyPair does; tests use it for keys
// they did not generate on the spot.
func EncodeKeyPair(key *rsa.PrivateKey) (privatePEM, publicPEM string, err error) {
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	privatePEM = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	publicPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return privatePEM, publicPEM, nil
}
