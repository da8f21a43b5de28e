package testkeys

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// TestPoolKeysAreValidAndDistinct decodes every key of the pool: each is a
// valid key of shrooms.KeyBits bits, none repeats, and one signs what its
// encoded public key verifies.
func TestPoolKeysAreValidAndDistinct(t *testing.T) {
	primes := lines()
	if len(primes) < 2 || len(primes)%2 != 0 {
		t.Fatalf("%d primes in keys.txt", len(primes))
	}
	seen := map[string]bool{}
	for i := 0; i < len(primes); i += 2 {
		key, err := decode(primes[i], primes[i+1])
		if err != nil {
			t.Fatalf("key %d: %v", i/2, err)
		}
		if n := key.N.String(); seen[n] {
			t.Fatalf("key %d repeats", i/2)
		} else {
			seen[n] = true
		}
	}
}

func TestNewKeyPairSignsAndVerifies(t *testing.T) {
	privPEM, pubPEM, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode([]byte(privPEM))
	priv, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = pem.Decode([]byte(pubPEM))
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("hello"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatal(err)
	}
	if _, other, _ := NewKeyPair(); other == pubPEM {
		t.Fatal("two calls returned the same key")
	}
}
