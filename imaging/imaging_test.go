package imaging

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// gradient is a w×h picture with something in it.
func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	return img
}

// rawPNG is a PNG of w×h pixels of the given bit depth and colour type
// whose pixels are all zero, written row by row: a few hundred kilobytes
// that unpack into as much as the header says.
func rawPNG(t testing.TB, w, h int, depth, ctype byte, interlace bool) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, ctype
	if interlace {
		ihdr[12] = 1
	}
	chunk("IHDR", ihdr)
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
	if ctype == 3 {
		chunk("PLTE", []byte{0, 0, 0, 255, 255, 255})
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	passes := [][4]int{{0, 0, 1, 1}}
	if interlace { // Adam7: x and y offsets and steps of each pass
		passes = [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	}
	for _, p := range passes {
		pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		row := make([]byte, 1+(pw*channels*int(depth)+7)/8)
		for range ph {
			_, _ = zw.Write(row)
		}
	}
	_ = zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// headerPNG is a PNG whose header claims w×h 8-bit RGB pixels, with an
// empty IDAT: what a decompression bomb looks like to the header check.
func headerPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// TestHeaderBytesBoundDecoding: for every kind of picture Go decodes, the
// header's estimate is at least what decoding really allocates, so that a
// picture within the budget decodes within the budget.
func TestHeaderBytesBoundDecoding(t *testing.T) {
	enc := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	src := gradient(1203, 801)
	gray := image.NewGray(src.Rect)
	rgba64 := image.NewRGBA64(src.Rect)
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	for i := range rgba64.Pix {
		rgba64.Pix[i] = uint8(i * 7)
	}
	cases := map[string][]byte{
		"png 8-bit RGBA":       enc(func(b *bytes.Buffer) error { return png.Encode(b, src) }),
		"png 16-bit RGBA":      enc(func(b *bytes.Buffer) error { return png.Encode(b, rgba64) }),
		"png grey":             enc(func(b *bytes.Buffer) error { return png.Encode(b, gray) }),
		"png zero 16-bit RGBA": rawPNG(t, 999, 777, 16, 6, false),
		"png zero grey 4-bit":  rawPNG(t, 999, 777, 4, 0, false),
		"png zero paletted":    rawPNG(t, 999, 777, 8, 3, false),
		"png interlaced RGB":   rawPNG(t, 999, 777, 8, 2, true),
		"jpeg 4:2:0":           enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, src, nil) }),
		"jpeg grey":            enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, gray, nil) }),
		"gif":                  enc(func(b *bytes.Buffer) error { return gif.Encode(b, src, nil) }),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width != h.Width || cfg.Height != h.Height {
				t.Fatalf("header %+v, DecodeConfig %+v %v", h, cfg, err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			img, _, err := image.Decode(bytes.NewReader(data))
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			// The decoders' fixed costs (zlib window, Huffman tables,
			// bufio) come on top, independent of the picture's size.
			const fixed = 256 << 10
			if alloc := int64(after.TotalAlloc - before.TotalAlloc); alloc > h.Bytes+fixed {
				t.Errorf("%T: decoding allocated %d bytes, header says %d", img, alloc, h.Bytes)
			}
		})
	}
}

// hostile are files that must never be decoded, or not be decoded at all.
func hostile(t testing.TB) map[string][]byte {
	jpegSOF := func(w, h int, comps int) []byte {
		// SOI, SOF0 claiming w×h, then an SOS with no data.
		b := []byte{0xff, 0xd8, 0xff, 0xc0, 0, byte(8 + 3*comps), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(comps)}
		for c := range comps {
			b = append(b, byte(c+1), 0x11, 0)
		}
		return append(b, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0)
	}
	good := func() []byte {
		var b bytes.Buffer
		_ = png.Encode(&b, gradient(64, 64))
		return b.Bytes()
	}()
	goodJPEG := func() []byte {
		var b bytes.Buffer
		_ = jpeg.Encode(&b, gradient(64, 64), nil)
		return b.Bytes()
	}()
	return map[string][]byte{
		"16-bit RGBA 6320×6320 PNG": rawPNG(t, 6320, 6320, 16, 6, false),
		"PNG claiming 100000²":      headerPNG(100000, 100000),
		"8-bit RGB bomb 5000×5000":  rawPNG(t, 5000, 5000, 8, 2, false),
		"JPEG claiming 65535²":      jpegSOF(65535, 65535, 3),
		"CMYK JPEG 4000×3000":       jpegSOF(4000, 3000, 4),
		"GIF screen 65535²":         []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00;"),
		"WebP VP8L 16384²":          []byte("RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\xff\xff\xff\x0f\x00"),
		// 79 bytes whose VP8 chunk declares 4 MB: the decoder allocated
		// the declared length before reading it (found by FuzzReadHeader);
		// a chunk declaring 4 GiB would have taken 4 GiB.
		"WebP VP8 chunk longer than the file": []byte("RIFF0\x00\x00\x00WEBPVP8 \n\x00A\x001\x00\x00\x9d\x01*0A0\x00"),
		"WebP RIFF longer than the file":      []byte("RIFF\xff\xff\xff\x0fWEBPVP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00\x00"),
		"truncated PNG header":                good[:20],
		"truncated JPEG header":               goodJPEG[:30],
		"not an image":                        []byte("<svg onload=alert(1)>"),
	}
}

// TestCheckRefusesHostile: every hostile file is refused from its header,
// before any decoding, with a 4xx code and a message a person can act on.
func TestCheckRefusesHostile(t *testing.T) {
	d := NewDecoder(1, 0)
	for name, data := range hostile(t) {
		t.Run(name, func(t *testing.T) {
			_, err := d.Check(data)
			code := shrooms.ErrorCode(err)
			if code != shrooms.ETOOLARGE && code != shrooms.EINVALID {
				t.Fatalf("Check: %v, want ETOOLARGE or EINVALID", err)
			}
			if _, err := d.Scale(context.Background(), data, 320); shrooms.ErrorCode(err) != code {
				t.Fatalf("Scale: %v, want %s", err, code)
			}
		})
	}
	_, err := d.Check(hostile(t)["16-bit RGBA 6320×6320 PNG"])
	if msg := shrooms.ErrorMessage(err); shrooms.ErrorCode(err) != shrooms.ETOOLARGE || !bytes.Contains([]byte(msg), []byte("6320×6320")) {
		t.Errorf("16-bit PNG: %v", err)
	}
}

// TestScaleToFit: proportions kept, colours averaged, nothing enlarged.
func TestScaleToFit(t *testing.T) {
	for _, tc := range []struct{ w, h, side, ww, wh int }{
		{800, 400, 320, 320, 160}, {400, 800, 320, 160, 320}, {100, 50, 320, 100, 50},
		{3001, 1, 320, 320, 1}, {7, 5000, 16, 1, 16}, {1601, 1600, 1600, 1600, 1599},
	} {
		got := ScaleToFit(gradient(tc.w, tc.h), tc.side)
		if got.Rect.Dx() != tc.ww || got.Rect.Dy() != tc.wh {
			t.Errorf("%dx%d in %d: %v, want %dx%d", tc.w, tc.h, tc.side, got.Rect, tc.ww, tc.wh)
		}
	}
	// A checkerboard of black and white averages to grey, in each pixel.
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range img.Pix {
		if (i%200+i/200)%2 == 0 {
			img.Pix[i] = 255
		}
	}
	out := ScaleToFit(img, 100)
	for i := 0; i < len(out.Pix); i += 4 {
		if v := out.Pix[i]; v < 127 || v > 128 || out.Pix[i+3] != 255 {
			t.Fatalf("pixel %d: %v, want mid grey", i/4, out.Pix[i:i+4])
		}
	}
}

// TestDecoderOneAtATime: however many callers, one decode runs at a time.
func TestDecoderOneAtATime(t *testing.T) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, gradient(1500, 1000), nil); err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(1, 0)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := d.JPEGThumbnail(context.Background(), b.Bytes(), 320); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if d.Peak() != 1 {
		t.Fatalf("%d decodes ran at once, want 1", d.Peak())
	}
	// A caller that gives up while waiting leaves at once.
	d.slots <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Scale(ctx, b.Bytes(), 320); err != context.Canceled {
		t.Fatalf("cancelled wait: %v", err)
	}
}

// BenchmarkCheckHostile measures how long refusing the 16-bit
// 6320×6320 PNG takes (microseconds: the header alone is read).
func BenchmarkCheckHostile(b *testing.B) {
	data := rawPNG(b, 6320, 6320, 16, 6, false)
	d := NewDecoder(1, 0)
	for b.Loop() {
		if _, err := d.Check(data); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkCheckJPEG measures the header check of a 12 MP JPEG, whose
// markers are walked to the end of the file (APP0 and APP14 may follow
// the first scan).
func BenchmarkCheckJPEG(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i * 7919 >> 3)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	d := NewDecoder(1, 0)
	for b.Loop() {
		if _, err := d.Check(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}
