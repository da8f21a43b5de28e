package handlers

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// Sides of stored images.
const (
	avatarSide = 256
	logoSide   = 512
	// photoSide and thumbSide bound item photos and their thumbnails.
	photoSide = 1600
	thumbSide = 320
)

// readImage reads an uploaded image from a form field, checks it, scales
// it to fit side×side and re-encodes it as PNG (or JPEG when that is much
// smaller), which drops every metadata block, EXIF positions included.
// It returns nil, nil when the field is empty. It counts against the
// account's upload limit (ETOOMANY past it).
func (s *server) readImage(r *http.Request, field string, side int) (*shrooms.Media, error) {
	f, hdr, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil // no file chosen, or a form sent without files
	} else if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the file could not be read", field).Keyed("core.error.file_unreadable").On(field)
	}
	defer f.Close()
	if hdr.Size > maxUploadBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s: the image must be at most %d MB", field, maxUploadBytes>>20).Keyed("core.error.image_too_large", "Max", maxUploadBytes>>20).On(field)
	}
	if err := s.allowUploads(r, 1); err != nil {
		return nil, err
	}
	return s.decodeImage(r.Context(), f, hdr.Size, field, side)
}

// readImages reads every file of a multiple file input, each as
// readImage does. Empty file parts (no file chosen) are skipped.
func (s *server) readImages(r *http.Request, field string, side int) ([]*shrooms.Media, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var files []*multipart.FileHeader
	for _, hdr := range r.MultipartForm.File[field] {
		if hdr.Size == 0 && hdr.Filename == "" {
			continue
		}
		if hdr.Size > maxUploadBytes {
			return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s: the image must be at most %d MB", field, maxUploadBytes>>20).Keyed("core.error.image_too_large", "Max", maxUploadBytes>>20).On(field)
		}
		files = append(files, hdr)
	}
	if err := s.allowUploads(r, len(files)); err != nil {
		return nil, err
	}
	var out []*shrooms.Media
	for _, hdr := range files {
		f, err := hdr.Open()
		if err != nil {
			return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the file could not be read", field).Keyed("core.error.file_unreadable").On(field)
		}
		m, err := s.decodeImage(r.Context(), f, hdr.Size, field, side)
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
func (s *server) thumbnail(ctx context.Context, m *shrooms.Media, side int) (*shrooms.Media, error) {
	t := &shrooms.Media{ContentType: m.ContentType, OwnerID: m.OwnerID}
	err := s.Images.Convert(ctx, m.Data, side, func(img *image.RGBA) error {
		t.Width, t.Height = img.Bounds().Dx(), img.Bounds().Dy()
		var b bytes.Buffer
		var err error
		if m.ContentType == "image/jpeg" {
			err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
		} else {
			t.ContentType = "image/png"
			err = png.Encode(&b, img)
		}
		t.Data = b.Bytes()
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// maxUploadBytes is the largest image file accepted before re-encoding.
const maxUploadBytes = 2 * shrooms.MaxMediaBytes

// decodeImage reads an image file of at most maxUploadBytes from rd
// (size bytes when known, else -1), checks its header against the
// decoder's memory budget, decodes it under the node's decoder (one at a
// time), scales it to fit side×side and re-encodes it (see readImage).
// field names the input in error messages.
func (s *server) decodeImage(ctx context.Context, rd io.Reader, size int64, field string, side int) (*shrooms.Media, error) {
	var buf bytes.Buffer
	if size >= 0 && size <= maxUploadBytes {
		buf.Grow(int(size) + bytes.MinRead) // one allocation, not a doubling series
	}
	if _, err := buf.ReadFrom(io.LimitReader(rd, maxUploadBytes+1)); err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: the file could not be read", field).Keyed("core.error.file_unreadable").On(field)
	}
	if buf.Len() > maxUploadBytes {
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "%s: the image must be at most %d MB", field, maxUploadBytes>>20).Keyed("core.error.image_too_large", "Max", maxUploadBytes>>20).On(field)
	}
	// Encoding is part of the decoder's job: one picture's buffers at a time.
	var m *shrooms.Media
	err := s.Images.Convert(ctx, buf.Bytes(), side, func(img *image.RGBA) (err error) {
		m, err = encodeImage(img)
		return err
	})
	if err != nil {
		var se *shrooms.Error
		if errors.As(err, &se) && se.Code != shrooms.EINTERNAL {
			return nil, shrooms.Errorf(se.Code, "%s: %s", field, se.Message).On(field).KeyedAs(se)
		}
		return nil, err
	}
	return m, nil
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
		return nil, shrooms.Errorf(shrooms.ETOOLARGE, "the image is too large once converted").Keyed("core.error.image_converted_large")
	}
	return m, nil
}

func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

// uploadBody reads an image sent as the request's whole body (the API's
// POST /api/v1/media), as readImage does.
func (s *server) uploadBody(w http.ResponseWriter, r *http.Request, side int) (*shrooms.Media, error) {
	if err := s.allowUploads(r, 1); err != nil {
		return nil, err
	}
	return s.decodeImage(r.Context(), http.MaxBytesReader(w, r.Body, maxUploadBytes+1), r.ContentLength, "body", side)
}
