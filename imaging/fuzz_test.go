package imaging

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"
)

// FuzzReadHeader: whatever the bytes, the header check never panics, and
// what it accepts it describes truly: the size Go's decoders read, and a
// memory cost that decoding does not exceed. The seeds are valid small
// PNG, JPEG, GIF and WebP files and cut ones, in testdata/fuzz.
//
//	go test ./imaging -run '^$' -fuzz FuzzReadHeader -fuzztime 10s
func FuzzReadHeader(f *testing.F) {
	img := gradient(37, 21)
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, img) },
		func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:len(b.Bytes())/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(data)
		if err != nil {
			return
		}
		if h.Width <= 0 || h.Height <= 0 || h.Bytes < int64(h.Width)*int64(h.Height) {
			t.Fatalf("accepted with %+v", h)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return // the decoder refuses it: nothing is decoded
		}
		if format != h.Format || (format != "webp" && (cfg.Width != h.Width || cfg.Height != h.Height)) {
			t.Fatalf("header %+v, decoder's %s %dx%d", h, format, cfg.Width, cfg.Height)
		}
		if h.Bytes > 1<<20 {
			return // keep each run fast
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, _ = image.Decode(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		// Fixed costs of the decoders (zlib, Huffman tables, the copy of
		// a WebP bitstream) come on top of what grows with the picture,
		// and the fuzzing engine's goroutines allocate meanwhile: the
		// slack is wide, the check is for estimates that are far off.
		if alloc := int64(after.TotalAlloc - before.TotalAlloc); alloc > 2*h.Bytes+4<<20+2*int64(len(data)) {
			t.Fatalf("header %+v, decoding allocated %d bytes", h, alloc)
		}
	})
}
