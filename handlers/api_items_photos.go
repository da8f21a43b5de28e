package handlers

import (
	"mime"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiAddItemPhoto stores the image of the multipart field "file" as the
// item's last photo: scaled to fit photoSide, re-encoded (which drops
// EXIF, the camera's position included), with a thumbnail, as the web
// form does. It answers 201 with the photo.
func (s *server) apiAddItemPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, `Content-Type: send the image as multipart/form-data in the field "file"`).Keyed("items.error.photo_content_type").On("file"), http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > maxFormBytes {
		s.fail(w, r, shrooms.Errorf(shrooms.ETOOLARGE, "file: the image must be at most %d MB", maxUploadBytes>>20).Keyed("core.error.image_too_large", "Max", maxUploadBytes>>20).On("file"), 0)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseMultipartForm(maxFormBytes); err != nil {
		s.fail(w, r, shrooms.Errorf(shrooms.ETOOLARGE, "file: the form could not be read or is too large").Keyed("items.error.photo_form").On("file"), 0)
		return
	}
	photo, err := s.readImage(r, "file", photoSide)
	if err == nil && photo == nil {
		err = shrooms.Errorf(shrooms.EINVALID, `file: send the image in the multipart field "file"`).Keyed("items.error.photo_field").On("file")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	thumb, err := s.thumbnail(r.Context(), photo, thumbSide)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	p, err := s.Items.AddItemPhoto(r.Context(), id, photo, thumb)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *server) apiDeleteItemPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	mediaID, err := apiPathID(r, "media_id")
	if err == nil {
		err = s.Items.DeleteItemPhoto(r.Context(), id, mediaID)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
