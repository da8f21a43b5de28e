package handlers

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/imaging"
)

// TestThumbnail checks that a thumbnail fits its box, keeps the
// proportions and the original's format.
func TestThumbnail(t *testing.T) {
	s := &server{Deps: Deps{Images: imaging.NewDecoder(1, 0)}}
	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	for x := 0; x < 800; x++ {
		for y := 0; y < 400; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	for _, ct := range []string{"image/jpeg", "image/png"} {
		var b bytes.Buffer
		if ct == "image/jpeg" {
			_ = jpeg.Encode(&b, img, nil)
		} else {
			_ = png.Encode(&b, img)
		}
		m := &shrooms.Media{ContentType: ct, Width: 800, Height: 400, Data: b.Bytes()}
		th, err := s.thumbnail(context.Background(), m, 320)
		if err != nil {
			t.Fatal(err)
		}
		if th.ContentType != ct || th.Width != 320 || th.Height != 160 {
			t.Errorf("%s: got %s %dx%d, want %s 320x160", ct, th.ContentType, th.Width, th.Height, ct)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(th.Data))
		if err != nil || cfg.Width != 320 || "image/"+format != ct {
			t.Errorf("%s: decoded %v %s %v", ct, cfg, format, err)
		}
	}
	if _, err := s.thumbnail(context.Background(), &shrooms.Media{ContentType: "image/png", Data: []byte("nope")}, 320); shrooms.ErrorCode(err) != shrooms.EINVALID {
		t.Errorf("damaged image: got %v, want EINVALID", err)
	}
}
