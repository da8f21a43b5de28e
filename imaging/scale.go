package imaging

import (
	"image"
	"image/draw"
)

// FitSize is the size of a w×h picture shrunk to fit side×side, keeping
// its proportions; a picture that fits already keeps its size.
func FitSize(w, h, side int) (int, int) {
	switch {
	case w <= side && h <= side:
		return w, h
	case w >= h:
		return side, max(1, int(int64(h)*int64(side)/int64(w)))
	default:
		return max(1, int(int64(w)*int64(side)/int64(h))), side
	}
}

// ScaleToFit shrinks an image to fit side×side, keeping its proportions;
// a smaller image is copied as it is. The result is a new RGBA image.
//
// It averages the source pixels each target pixel covers (an area filter,
// exact for any ratio), reading the source one row at a time: besides the
// target it needs a row of the source as RGBA and a row of sums, never a
// full-size copy. (x/image/draw's kernel scalers keep a temporary of
// 32 bytes for every target column and source row: 320 MB to shrink a
// 6320-pixel-high picture to 1600 wide.)
func ScaleToFit(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := FitSize(sw, sh, side)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	if sw <= 0 || sh <= 0 {
		return dst
	}
	if dw == sw && dh == sh {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	hsum := make([]uint64, 4*dw) // one source row, shrunk to dw columns
	vsum := make([]uint64, 4*dw) // the target row being filled
	// In units where a source pixel is dw wide (dh high) and a target
	// pixel sw wide (sh high), every overlap is a whole number: the
	// weights are exact integers and a target pixel's weights sum to
	// sw·sh.
	norm := uint64(sw) * uint64(sh)
	ty := 0
	var tyEnd int64 = int64(sh) // where target row ty ends, in source-row units of dh
	for sy := 0; sy < sh; sy++ {
		draw.Draw(row, row.Rect, src, image.Pt(b.Min.X, b.Min.Y+sy), draw.Src)
		shrinkRow(hsum, row.Pix, sw, dw)
		top, bottom := int64(sy)*int64(dh), int64(sy+1)*int64(dh)
		for top < bottom {
			part := min(bottom, tyEnd) - top
			for i, v := range hsum {
				vsum[i] += v * uint64(part)
			}
			top += part
			if top == tyEnd {
				out := dst.Pix[ty*dst.Stride : ty*dst.Stride+4*dw]
				for i, v := range vsum {
					out[i] = uint8((v + norm/2) / norm)
					vsum[i] = 0
				}
				ty++
				tyEnd += int64(sh)
				if ty == dh {
					return dst
				}
			}
		}
	}
	return dst
}

// shrinkRow sums a row of sw RGBA pixels into dw columns, each source
// pixel weighted by how much of it (in units of 1/dw) a column covers.
func shrinkRow(sum []uint64, pix []uint8, sw, dw int) {
	clear(sum)
	tx := 0
	txEnd := int64(sw) // where column tx ends, in units of 1/dw of a source pixel
	for sx := 0; sx < sw; sx++ {
		p := pix[4*sx : 4*sx+4 : 4*sx+4]
		left, right := int64(sx)*int64(dw), int64(sx+1)*int64(dw)
		for left < right {
			part := uint64(min(right, txEnd) - left)
			s := sum[4*tx : 4*tx+4 : 4*tx+4]
			s[0] += uint64(p[0]) * part
			s[1] += uint64(p[1]) * part
			s[2] += uint64(p[2]) * part
			s[3] += uint64(p[3]) * part
			left += int64(part)
			if left == txEnd {
				tx++
				txEnd += int64(sw)
				if tx == dw {
					return
				}
			}
		}
	}
}
