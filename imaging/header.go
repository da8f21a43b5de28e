package imaging

import (
	"bytes"
	"encoding/binary"

	shrooms "github.com/shrooms-org/shrooms"
)

// Header is what a file's header says about the picture, read without
// decoding a pixel.
type Header struct {
	// Format is "png", "jpeg", "gif" or "webp".
	Format        string
	Width, Height int
	// Bytes is how much memory Go's decoder of this format allocates for
	// the picture (pixels and the decoder's own buffers that grow with
	// them), an upper bound worked out from the header: bit depth,
	// channels, transparency, interlacing, chroma subsampling, progressive
	// coding. Decoding more than this is refused before it starts.
	Bytes int64
}

// MaxSide is the longest side decoded, whatever the budget: a picture
// 100,000 pixels wide and one high fits any byte budget, but the row
// buffers of decoders and of the scaler grow with the width.
const MaxSide = 16384

var (
	errFormat    = shrooms.Errorf(shrooms.EINVALID, "not a PNG, JPEG, GIF or WebP image").Keyed("core.error.image_format")
	errTruncated = shrooms.Errorf(shrooms.EINVALID, "the image is damaged").Keyed("core.error.image_damaged")
)

// ReadHeader reads the header of a PNG, JPEG, GIF or WebP file and works
// out what decoding it would cost, in a time that grows with the file's
// size only (never with its pixels): a hostile file is refused in
// microseconds to milliseconds. Errors are EINVALID: not one of those
// formats, or a header that is cut short or makes no sense.
func ReadHeader(data []byte) (Header, error) {
	var (
		h   Header
		err error
	)
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		h, err = pngHeader(data)
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		h, err = jpegHeader(data)
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		h, err = gifHeader(data)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		h, err = webpHeader(data)
	default:
		return Header{}, errFormat
	}
	if err != nil {
		return Header{}, err
	}
	if h.Width <= 0 || h.Height <= 0 {
		return Header{}, errTruncated
	}
	return h, nil
}

// pngHeader reads IHDR and the chunks before the first IDAT (a tRNS chunk
// there turns grey and truecolour pictures into NRGBA in Go's decoder).
func pngHeader(data []byte) (Header, error) {
	p := data[8:]
	if len(p) < 8+13+4 || string(p[4:8]) != "IHDR" || binary.BigEndian.Uint32(p) != 13 {
		return Header{}, errTruncated
	}
	ihdr := p[8:21]
	w, hgt := binary.BigEndian.Uint32(ihdr[0:]), binary.BigEndian.Uint32(ihdr[4:])
	depth, ctype, interlace := ihdr[8], ihdr[9], ihdr[12]
	if w == 0 || hgt == 0 || w > 1<<31-1 || hgt > 1<<31-1 {
		return Header{}, errTruncated
	}
	trns := false
	for rest := p[8+13+4:]; ; {
		if len(rest) < 8 {
			return Header{}, errTruncated // no IDAT: nothing to decode
		}
		n := int64(binary.BigEndian.Uint32(rest))
		typ := string(rest[4:8])
		if typ == "IDAT" {
			break
		}
		if typ == "tRNS" {
			trns = true
		}
		if n > int64(len(rest))-12 {
			return Header{}, errTruncated
		}
		rest = rest[12+n:]
	}
	// Bytes per pixel of the image Go's png package allocates.
	var bpp int64
	switch ctype {
	case 0: // grey
		bpp = 1
		if depth == 16 {
			bpp = 2
		}
		if trns {
			bpp = 4 * max(1, int64(depth)/8)
		}
	case 3: // paletted
		bpp = 1
	case 2, 4, 6: // truecolour, grey+alpha, truecolour+alpha
		bpp = 4 * max(1, int64(depth)/8)
	default:
		return Header{}, errTruncated
	}
	if depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16 {
		return Header{}, errTruncated
	}
	h := Header{Format: "png", Width: int(w), Height: int(hgt)}
	px := int64(w) * int64(hgt)
	h.Bytes = px * bpp
	if interlace == 1 {
		h.Bytes *= 2 // each Adam7 pass is an image of its own, merged into the whole
	}
	// Two rows of raw samples (current and previous), 8 bytes a pixel at
	// most, and zlib's window and tables.
	h.Bytes += 2*(1+int64(w)*8) + 128<<10
	return h, nil
}

// jpegHeader walks the file's markers as Go's jpeg package does, to the
// end: the frame header (SOF) gives the size, components and sampling;
// APP0 (JFIF) and APP14 (Adobe) markers, wherever they are, decide
// whether the three components are converted to an RGBA copy.
func jpegHeader(data []byte) (Header, error) {
	var (
		h                   Header
		nComp               int
		ids                 [4]byte
		hs, vs              [4]int
		progressive, jfif   bool
		adobe               bool
		adobeTransform      byte
		sawSOF, sawScanData bool
	)
	i := 2
	for i < len(data) {
		if data[i] != 0xff {
			// Entropy-coded data of a scan, or stray bytes between
			// segments, which Go's decoder skips as libjpeg does.
			j := bytes.IndexByte(data[i:], 0xff)
			if j < 0 {
				break
			}
			i += j
			continue
		}
		if i+1 >= len(data) {
			break
		}
		m := data[i+1]
		switch {
		case m == 0xff: // fill byte before a marker
			i++
			continue
		case m == 0x00 || (0xd0 <= m && m <= 0xd7) || m == 0x01:
			// Stuffed byte, restart marker: no segment.
			i += 2
			continue
		case m == 0xd9: // EOI
			i = len(data)
			continue
		}
		if i+4 > len(data) {
			return Header{}, errTruncated
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return Header{}, errTruncated
		}
		seg := data[i+4 : i+2+n]
		switch {
		case m == 0xc0 || m == 0xc1 || m == 0xc2:
			if sawSOF {
				return Header{}, errTruncated // Go refuses a second frame
			}
			sawSOF, progressive = true, m == 0xc2
			if len(seg) < 6 {
				return Header{}, errTruncated
			}
			if seg[0] != 8 {
				return Header{}, shrooms.Errorf(shrooms.EINVALID, "JPEG images of %d-bit precision are not supported", seg[0]).Keyed("core.error.jpeg_precision", "Bits", seg[0])
			}
			h.Height = int(binary.BigEndian.Uint16(seg[1:]))
			h.Width = int(binary.BigEndian.Uint16(seg[3:]))
			nComp = int(seg[5])
			if nComp != 1 && nComp != 3 && nComp != 4 || len(seg) < 6+3*nComp {
				return Header{}, errTruncated
			}
			for c := range nComp {
				ids[c] = seg[6+3*c]
				hs[c], vs[c] = int(seg[7+3*c]>>4), int(seg[7+3*c]&0x0f)
				if hs[c] < 1 || hs[c] > 4 || vs[c] < 1 || vs[c] > 4 {
					return Header{}, errTruncated
				}
			}
		case 0xc3 <= m && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return Header{}, shrooms.Errorf(shrooms.EINVALID, "this kind of JPEG (lossless, hierarchical or arithmetic-coded) is not supported").Keyed("core.error.jpeg_kind")
		case m == 0xda: // SOS: its scan data follows
			if !sawSOF {
				return Header{}, errTruncated
			}
			sawScanData = true
		case m == 0xe0:
			jfif = bytes.HasPrefix(seg, []byte("JFIF\x00"))
		case m == 0xee:
			if len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")) {
				adobe, adobeTransform = true, seg[11]
			}
		}
		i += 2 + n
	}
	if !sawSOF || !sawScanData {
		return Header{}, errTruncated
	}
	h.Format = "jpeg"
	h.Bytes = jpegBytes(h.Width, h.Height, nComp, hs, vs, progressive)
	rgb := nComp == 3 && !jfif && (adobe && adobeTransform == 0 || ids == [4]byte{'R', 'G', 'B'})
	if rgb {
		h.Bytes += 4 * int64(h.Width) * int64(h.Height) // convertToRGB's copy
	}
	if nComp == 4 {
		h.Bytes += 4 * int64(h.Width) * int64(h.Height) // applyBlack's CMYK copy
	}
	return h, nil
}

// jpegBytes is what Go's jpeg decoder allocates: planes rounded up to
// whole MCUs and, for a progressive file, 64 int32 coefficients for each
// 8×8 block of each component until the last scan.
func jpegBytes(w, h, nComp int, hs, vs [4]int, progressive bool) int64 {
	if nComp == 1 {
		hs[0], vs[0] = 1, 1 // Go's decoder ignores a grey frame's sampling
	}
	h0, v0 := int64(hs[0]), int64(vs[0])
	mxx := (int64(w) + 8*h0 - 1) / (8 * h0)
	myy := (int64(h) + 8*v0 - 1) / (8 * v0)
	var total int64
	for c := range nComp {
		// A component's plane: its own sampling, at most the luma's.
		total += 64 * mxx * myy * int64(max(hs[c], 1)) * int64(max(vs[c], 1))
		if progressive {
			total += 256 * mxx * myy * int64(hs[c]) * int64(vs[c])
		}
	}
	if nComp >= 3 {
		// Go gives both chroma planes the same size, from Cb's sampling.
		total += 64 * mxx * myy * int64(hs[1]*vs[1]-hs[2]*vs[2])
	}
	return total
}

// gifHeader reads the logical screen: Go decodes the first frame, which
// must lie within it, as one byte a pixel.
func gifHeader(data []byte) (Header, error) {
	if len(data) < 13 {
		return Header{}, errTruncated
	}
	w := int(binary.LittleEndian.Uint16(data[6:]))
	h := int(binary.LittleEndian.Uint16(data[8:]))
	return Header{Format: "gif", Width: w, Height: h, Bytes: int64(w) * int64(h)}, nil
}

// webpHeader walks the RIFF chunks to the first VP8 (lossy: YCbCr 4:2:0
// on 16-pixel macroblocks) or VP8L (lossless: 4 bytes a pixel, twice
// over when a colour-indexing transform expands it) bitstream; a VP8X
// canvas with alpha adds the alpha plane and its lossless decoding.
func webpHeader(data []byte) (Header, error) {
	h := Header{Format: "webp"}
	if int64(binary.LittleEndian.Uint32(data[4:]))+8 > int64(len(data)) {
		return Header{}, errTruncated // the RIFF size counts what follows it
	}
	var alphaBytes int64
	for rest := data[12:]; ; {
		if len(rest) < 8 {
			return Header{}, errTruncated
		}
		id := string(rest[:4])
		n := int64(binary.LittleEndian.Uint32(rest[4:]))
		body := rest[8:]
		if n > int64(len(body)) {
			// The decoder allocates what a chunk declares before it reads
			// it: an 80-byte file declaring 4 GiB would take 4 GiB.
			return Header{}, errTruncated
		}
		body = body[:n]
		switch id {
		case "VP8X":
			if len(body) < 10 {
				return Header{}, errTruncated
			}
			w := int64(body[4]) | int64(body[5])<<8 | int64(body[6])<<16 + 1
			hh := int64(body[7]) | int64(body[8])<<8 | int64(body[9])<<16 + 1
			if body[0]&0x10 != 0 {
				alphaBytes = 9 * w * hh // the lossless alpha's NRGBA (twice, see VP8L), then its plane
			}
			h.Width, h.Height = int(w), int(hh)
		case "VP8 ":
			if len(body) < 10 || body[3] != 0x9d || body[4] != 0x01 || body[5] != 0x2a {
				return Header{}, errTruncated
			}
			w := int64(binary.LittleEndian.Uint16(body[6:]) & 0x3fff)
			hh := int64(binary.LittleEndian.Uint16(body[8:]) & 0x3fff)
			mbw, mbh := (w+15)/16, (hh+15)/16
			h.Width, h.Height = max(h.Width, int(w)), max(h.Height, int(hh))
			h.Bytes = 384*mbw*mbh + 64*mbw*mbh + alphaBytes
			return h, nil
		case "VP8L":
			if len(body) < 5 || body[0] != 0x2f {
				return Header{}, errTruncated
			}
			bits := binary.LittleEndian.Uint32(body[1:])
			w := int64(bits&0x3fff) + 1
			hh := int64(bits>>14&0x3fff) + 1
			h.Width, h.Height = max(h.Width, int(w)), max(h.Height, int(hh))
			h.Bytes = 8 * w * hh
			return h, nil
		}
		adv := 8 + n + n&1 // chunks are padded to an even length
		if adv > int64(len(rest)) {
			return Header{}, errTruncated
		}
		rest = rest[adv:]
	}
}
