package handlers

import (
	"bytes"
	"errors"
	"image"
	_ "image/gif" // decoders for uploads
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	_ "golang.org/x/image/webp"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/imaging"
)

// Image limits: the largest picture decoded (pixels), so that a small
// file cannot unpack into gigabytes, and the side of stored images.
const (
	maxImagePixels = 40_000_000
	avatarSide     = 256
	logoSide       = 512
	// photoSide and thumbSide bound item photos and their thumbnails.
	photoSide = 1600
	thumbSide = 320
)

// readImage reads an uploaded image from a form field, checks it, scales
// it to fit side×side and re-encodes it as PNG (or JPEG when that is much
// smaller), which drops every metadata block, EXIF positions included.
// It returns nil, nil when the field is empty.
func readImage(r *http.Request, field string, side int) (*shrooms.Media, error) {
	f, hdr, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil // no file chosen, or a form sent without files
	} else if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the file could not be read", field)
	}
	defer f.Close()
	if hdr.Size > maxUploadBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s: the image must be at most %d MB", field, maxUploadBytes>>20)
	}
	return decodeImage(f, field, side)
}

// readImages reads every file of a multiple file input, each as
// readImage does. Empty file parts (no file chosen) are skipped.
func readImages(r *http.Request, field string, side int) ([]*shrooms.Media, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []*shrooms.Media
	for _, hdr := range r.MultipartForm.File[field] {
		if hdr.Size == 0 && hdr.Filename == "" {
			continue
		}
		if hdr.Size > maxUploadBytes {
			return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s: the image must be at most %d MB", field, maxUploadBytes>>20)
		}
		f, err := hdr.Open()
		if err != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the file could not be read", field)
		}
		m, err := decodeImage(f, field, side)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// thumbnail returns a copy of an already re-encoded image scaled to fit
// side×side, in the original's format (JPEG stays JPEG, PNG stays PNG),
// for the small pictures of lists and item pages.
func thumbnail(m *shrooms.Media, side int) (*shrooms.Media, error) {
	src, _, err := image.Decode(bytes.NewReader(m.Data))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "the image is damaged")
	}
	img := imaging.ScaleToFit(src, side)
	t := &shrooms.Media{ContentType: m.ContentType, Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), OwnerID: m.OwnerID}
	var b bytes.Buffer
	if m.ContentType == "image/jpeg" {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	} else {
		t.ContentType = "image/png"
		err = png.Encode(&b, img)
	}
	if err != nil {
		return nil, err
	}
	t.Data = b.Bytes()
	return t, nil
}

// maxUploadBytes is the largest image file accepted before re-encoding.
const maxUploadBytes = 2 * shrooms.MaxMediaBytes

// decodeImage reads an image file of at most maxUploadBytes from rd,
// checks it, scales it to fit side×side and re-encodes it (see
// readImage). field names the input in error messages.
func decodeImage(rd io.Reader, field string, side int) (*shrooms.Media, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rd, maxUploadBytes+1)); err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the file could not be read", field)
	}
	if buf.Len() > maxUploadBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s: the image must be at most %d MB", field, maxUploadBytes>>20)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: not a PNG, JPEG, GIF or WebP image", field)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxImagePixels {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the image is too large (at most %d megapixels)", field, maxImagePixels/1_000_000)
	}
	src, _, err := image.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the image is damaged", field)
	}
	return encodeImage(imaging.ScaleToFit(src, side))
}

func encodeImage(img image.Image) (*shrooms.Media, error) {
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		return nil, err
	}
	m := &shrooms.Media{ContentType: "image/png", Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Data: p.Bytes()}
	if opaque(img) {
		var j bytes.Buffer
		if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 88}); err == nil && j.Len() < p.Len()/2 {
			m.ContentType, m.Data = "image/jpeg", j.Bytes()
		}
	}
	if len(m.Data) > shrooms.MaxMediaBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "the image is too large once converted")
	}
	return m, nil
}

func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}
