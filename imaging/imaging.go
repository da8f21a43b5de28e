// Package imaging scales pictures for the node: the thumbnails of uploads
// (handlers) and the local copies of partners' thumbnails (federation).
// It imports no HTTP and no store, so that both may use it.
package imaging

import (
	"bytes"
	"image"
	"image/color"
	_ "image/gif" // decoders of what partners and members send
	"image/jpeg"
	_ "image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	shrooms "github.com/shrooms-org/shrooms"
)

// ScaleToFit shrinks an image to fit side×side, keeping its proportions;
// a smaller image is copied as it is.
func ScaleToFit(src image.Image, side int) image.Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// JPEGThumbnail decodes a JPEG, PNG, GIF or WebP file, refuses one of
// more than maxPixels before decoding it (a small file can unpack into
// gigabytes), scales it to fit side×side and re-encodes it as a JPEG on a
// white background: nothing of the original file but its pixels is kept
// (no EXIF, no trailing payload). Errors are EINVALID.
func JPEGThumbnail(data []byte, side, maxPixels int) (*shrooms.Media, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "not a PNG, JPEG, GIF or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, shrooms.Errorf(shrooms.EINVALID, "the image is too large (%d×%d pixels)", cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "the image is damaged")
	}
	scaled := ScaleToFit(src, side)
	// JPEG has no transparency: transparent pixels would turn black.
	flat := image.NewRGBA(scaled.Bounds())
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), scaled, scaled.Bounds().Min, draw.Over)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, flat, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return &shrooms.Media{ContentType: "image/jpeg", Width: flat.Bounds().Dx(), Height: flat.Bounds().Dy(), Data: b.Bytes()}, nil
}
