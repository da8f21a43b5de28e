//go:build ignore

// gen writes keys.txt: n RSA keys of shrooms.KeyBits bits, one a line as
// the base64 of their two primes, for tests only. Run from this directory:
//
//	go run gen.go -n 1024
package main

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"flag"
	"log"
	"os"
	"runtime"
	"sync"

	shrooms "github.com/shrooms-org/shrooms"
)

func main() {
	n := flag.Int("n", 1024, "number of keys")
	flag.Parse()
	lines := make([]string, *n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := range next {
				key, err := rsa.GenerateKey(rand.Reader, shrooms.KeyBits)
				if err != nil {
					log.Fatal(err)
				}
				enc := base64.RawStdEncoding
				lines[i] = enc.EncodeToString(key.Primes[0].Bytes()) + " " + enc.EncodeToString(key.Primes[1].Bytes())
			}
		})
	}
	for i := range *n {
		next <- i
	}
	close(next)
	wg.Wait()
	f, err := os.Create("keys.txt")
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l + "\n")
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
