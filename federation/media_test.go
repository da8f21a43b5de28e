package federation

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// testSigner is an organisation with a real key, for signed fetches.
func testSigner(t *testing.T) *shrooms.Actor {
	t.Helper()
	priv, pub, err := shrooms.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	return &shrooms.Actor{IRI: "http://node.example/actors/org", KeyID: "http://node.example/actors/org#main-key",
		PrivateKeyPEM: priv, PublicKeyPEM: pub, Local: true, Kind: shrooms.KindOrganization}
}

// bombPNG is a tiny PNG whose header claims width×height pixels.
func bombPNG(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

// zeroPNG is a valid PNG of w×h pixels, all zero, of the given bit depth
// and colour type, compressed row by row: a few hundred kilobytes that
// unpack into as much as the header says.
func zeroPNG(t testing.TB, w, h int, depth, ctype byte) []byte {
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
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+w*map[byte]int{2: 3, 6: 4}[ctype]*int(depth)/8)
	for range h {
		_, _ = zw.Write(row)
	}
	_ = zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestFetchThumbHostile: a partner's image is fetched from its own host
// only, redirects to another host are refused, and a non-image, a body
// over the limit or a decompression bomb give no thumbnail; a real image
// comes back as a small JPEG, signed for.
func TestFetchThumbHostile(t *testing.T) {
	var pngBody bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 800, 400))
	for x := range 800 {
		img.Set(x, x%400, color.NRGBA{200, 10, 10, 255})
	}
	if err := png.Encode(&pngBody, img); err != nil {
		t.Fatal(err)
	}
	deep := zeroPNG(t, 7071, 7071, 16, 6) // the issue's: 50 MP less a little, 400 MB decoded
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBody.Bytes())
	}))
	defer other.Close()
	signed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok.png":
			signed = r.Header.Get("Signature") != ""
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pngBody.Bytes())
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>not an image</html>"))
		case "/lying.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("<script>alert(1)</script>"))
		case "/huge.png":
			w.Header().Set("Content-Type", "image/png")
			chunk := bytes.Repeat([]byte{0}, 1<<20)
			for range 6 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/bomb.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(bombPNG(100_000, 100_000))
		case "/deep.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(deep)
		case "/cut.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pngBody.Bytes()[:pngBody.Len()/2])
		case "/away":
			http.Redirect(w, r, other.URL+"/x.png", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := New(Config{IRIs: shrooms.IRIs{Base: "http://node.example"}, AllowPrivateAddresses: true}, Services{})
	org := testSigner(t)
	obj := srv.URL + "/items/1"
	fetch := func(src string) (*shrooms.Media, bool, error) {
		return f.fetchThumb(context.Background(), &shrooms.RemoteMediaJob{ObjectID: 1, ObjectIRI: obj, SourceURL: src}, org)
	}

	m, _, err := fetch(srv.URL + "/ok.png")
	if err != nil || !signed || m.ContentType != "image/jpeg" || m.Width != remoteThumbSide || m.Height != remoteThumbSide/2 {
		t.Fatalf("good image: %+v signed %v, %v", m, signed, err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(m.Data)); err != nil {
		t.Fatalf("thumbnail is not a JPEG: %v", err)
	}
	for name, tc := range map[string]struct {
		src       string
		permanent bool
	}{
		"another host":               {other.URL + "/x.png", true},
		"a redirect to another host": {srv.URL + "/away", true},
		"not an image type":          {srv.URL + "/page", true},
		"an image type that lies":    {srv.URL + "/lying.png", true},
		"over 2 MB":                  {srv.URL + "/huge.png", true},
		"a decompression bomb":       {srv.URL + "/bomb.png", true},
		"a 16-bit 7071×7071 PNG":     {srv.URL + "/deep.png", true},
		"a cut PNG":                  {srv.URL + "/cut.png", true},
		"missing (may come back)":    {srv.URL + "/gone.png", false},
		"javascript:":                {"javascript:alert(1)", true},
	} {
		t.Run(name, func(t *testing.T) {
			m, permanent, err := fetch(tc.src)
			if err == nil || m != nil || permanent != tc.permanent {
				t.Fatalf("%s: %+v permanent %v, %v; want an error, permanent %v", tc.src, m, permanent, err, tc.permanent)
			}
			if (strings.Contains(name, "MB") || strings.Contains(name, "7071")) && shrooms.ErrorCode(err) != shrooms.ETOOLARGE {
				t.Fatalf("%s: %v, want too large", name, err)
			}
		})
	}
}
