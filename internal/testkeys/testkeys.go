// Package testkeys serves tests pre-generated RSA key pairs. Generating a
// key took most of the time of the store's tests and a third of the
// end-to-end tests': every node, user and group is an actor with its own
// key. The keys in keys.txt are public, made for tests by gen.go: never
// use them, or this package, outside tests.
package testkeys

import (
	"crypto/rsa"
	_ "embed"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"

	shrooms "github.com/shrooms-org/shrooms"
)

//go:generate go run gen.go -n 1024

//go:embed keys.txt
var keysTxt string

var (
	lines = sync.OnceValue(func() []string { return strings.Fields(keysTxt) })
	next  atomic.Int64
)

// NewKeyPair has shrooms.NewKeyPair's signature. It serves the pool's
// keys in turn and starts over once it has served them all, so that
// -count=N and a growing suite stay fast. A key thus repeats only after
// 1,024 others: a test would need that many actors between two of its
// own for them to share a key (the store's tests already give one shared
// key to the actors that need no key of their own). Sharing could only
// make a signature that should fail verify, never the reverse, so it
// cannot hide a bug from a test, only fail one.
func NewKeyPair() (privatePEM, publicPEM string, err error) {
	primes := lines()
	i := int((next.Add(1)-1)%int64(len(primes)/2)) * 2
	key, err := decode(primes[i], primes[i+1])
	if err != nil {
		return "", "", fmt.Errorf("test key %d: %w", i/2, err)
	}
	return shrooms.EncodeKeyPair(key)
}

// decode rebuilds the private key of two base64 primes.
func decode(p64, q64 string) (*rsa.PrivateKey, error) {
	var primes []*big.Int
	for _, s := range []string{p64, q64} {
		b, err := base64.RawStdEncoding.DecodeString(s)
		if err != nil {
			return nil, err
		}
		primes = append(primes, new(big.Int).SetBytes(b))
	}
	one := big.NewInt(1)
	p, q := primes[0], primes[1]
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		Primes:    primes,
	}
	if key.D = new(big.Int).ModInverse(big.NewInt(int64(key.E)), phi); key.D == nil {
		return nil, fmt.Errorf("e has no inverse")
	}
	key.Precompute()
	if err := key.Validate(); err != nil {
		return nil, err
	}
	if key.N.BitLen() != shrooms.KeyBits {
		return nil, fmt.Errorf("%d bits, want %d", key.N.BitLen(), shrooms.KeyBits)
	}
	return key, nil
}
