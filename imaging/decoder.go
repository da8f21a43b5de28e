package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders of what partners and members send
	"image/jpeg"
	_ "image/png"
	"runtime/debug"
	"sync"

	_ "golang.org/x/image/webp"

	shrooms "github.com/shrooms-org/shrooms"
)

// DefaultBudget is the memory one decode may take: the decoded picture
// and the decoder's buffers, as ReadHeader works them out. With the
// upload, the scaled copy and its encoding, a whole upload stays under
// 64 MB. It admits an 8-bit RGBA PNG of 8 megapixels, a 16-bit one of 4,
// a baseline 4:2:0 JPEG of 22 megapixels (a 12 MP phone photo takes
// 18 MB), a 4:4:4 one of 11 and a progressive 4:2:0 one of 4.
const DefaultBudget = 32 << 20

// Decoder decodes pictures within a memory budget, one at a time (or a
// few: its slots), so that a node's memory does not grow with the number
// of uploads or partners' thumbnails in flight. Uploads and remote
// thumbnails share the node's one Decoder; fetching and reading files
// happen outside it, concurrently.
type Decoder struct {
	budget int64
	slots  chan struct{}

	mu            sync.Mutex
	running, peak int // decodes in flight, and the most there ever were
}

// NewDecoder returns a decoder that runs at most slots decodes at once,
// each within budget bytes (DefaultBudget when budget <= 0).
func NewDecoder(slots int, budget int64) *Decoder {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return &Decoder{budget: budget, slots: make(chan struct{}, max(slots, 1))}
}

// Peak is the most decodes that ever ran at once (tests and monitoring
// check that it stays within the slots).
func (d *Decoder) Peak() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peak
}

// Budget is the memory one decode may take, in bytes.
func (d *Decoder) Budget() int64 { return d.budget }

// Check reads data's header and refuses a picture that decoding would
// not fit in the budget: ETOOLARGE with a message saying so, EINVALID
// for a file that is not a supported image. It decodes no pixel.
func (d *Decoder) Check(data []byte) (Header, error) {
	h, err := ReadHeader(data)
	if err != nil {
		return h, err
	}
	if h.Width > MaxSide || h.Height > MaxSide {
		return h, shrooms.Errorf(shrooms.ETOOLARGE, "the image is too large (%d×%d pixels; at most %d pixels a side)", h.Width, h.Height, MaxSide).Keyed("core.error.image_side", "Width", h.Width, "Height", h.Height, "Max", MaxSide)
	}
	if h.Bytes > d.budget {
		need, most := (h.Bytes+1<<20-1)>>20, d.budget>>20
		return h, shrooms.Errorf(shrooms.ETOOLARGE, "the image is too large to open (%d×%d pixels would take %d MB of memory; at most %d MB): please send a smaller picture",
			h.Width, h.Height, need, most).Keyed("core.error.image_memory", "Width", h.Width, "Height", h.Height, "Need", need, "Max", most)
	}
	return h, nil
}

// Convert checks data (see Check), waits for a slot, decodes it, shrinks
// it to fit side×side (ScaleToFit) and hands the result to use, all
// within the slot: the encoding that use does is part of the job, so
// that no two jobs' buffers are alive at once. A large job's garbage is
// collected and returned to the system before the slot is given back, so that the next job reuses
// its memory instead of adding to it. Errors: those of Check, EINVALID
// for a damaged file, ctx's error when it ends while waiting, and use's.
func (d *Decoder) Convert(ctx context.Context, data []byte, side int, use func(*image.RGBA) error) error {
	h, err := d.Check(data)
	if err != nil {
		return err
	}
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	d.enter()
	defer func() {
		if h.Bytes > 4<<20 {
			// Collect the job and give its pages back to the system: the
			// next job starts from a small heap instead of a fragmented
			// large one (a few milliseconds, after a job of hundreds).
			debug.FreeOSMemory()
		}
		d.leave()
		<-d.slots
	}()
	img, err := decode(data)
	if err != nil {
		return err
	}
	out := ScaleToFit(img, side)
	img = nil // the full-size picture may go while use works
	return use(out)
}

// Scale is Convert that returns the scaled picture.
func (d *Decoder) Scale(ctx context.Context, data []byte, side int) (*image.RGBA, error) {
	var out *image.RGBA
	err := d.Convert(ctx, data, side, func(img *image.RGBA) error {
		out = img
		return nil
	})
	return out, err
}

func decode(data []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "the image is damaged").Keyed("core.error.image_damaged")
	}
	return img, nil
}

func (d *Decoder) enter() {
	d.mu.Lock()
	d.running++
	d.peak = max(d.peak, d.running)
	d.mu.Unlock()
}

func (d *Decoder) leave() {
	d.mu.Lock()
	d.running--
	d.mu.Unlock()
}

// JPEGThumbnail decodes a JPEG, PNG, GIF or WebP file within the budget
// (see Scale), scales it to fit side×side and re-encodes it as a JPEG on
// a white background: nothing of the original file but its pixels is
// kept (no EXIF, no trailing payload). Errors are those of Scale.
func (d *Decoder) JPEGThumbnail(ctx context.Context, data []byte, side int) (*shrooms.Media, error) {
	var m *shrooms.Media
	err := d.Convert(ctx, data, side, func(scaled *image.RGBA) error {
		// JPEG has no transparency: transparent pixels would turn black.
		flat := image.NewRGBA(scaled.Bounds())
		draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(flat, flat.Bounds(), scaled, scaled.Bounds().Min, draw.Over)
		var b bytes.Buffer
		if err := jpeg.Encode(&b, flat, &jpeg.Options{Quality: 85}); err != nil {
			return err
		}
		m = &shrooms.Media{ContentType: "image/jpeg", Width: flat.Bounds().Dx(), Height: flat.Bounds().Dy(), Data: b.Bytes()}
		return nil
	})
	return m, err
}
