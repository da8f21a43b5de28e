// Package labels draws the PDF sheets of item labels: each with the QR
// code of the item's page, its name, its number and the organisation's
// name. It knows nothing of HTTP or of the services: handlers find the
// items, call Write and send the file.
package labels

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"
)

// Max bounds one PDF: 500 labels are 21 sheets.
const Max = 500

// The label sheet: A4, 3 × 8 labels of 70 × 37 mm, as common Avery and
// Herma sheets (Avery 3474, Herma 4453) have them, without side margins.
const (
	labelCols, labelRows = 3, 8
	labelsPerPage        = labelCols * labelRows
	labelW, labelH       = 70.0, 37.0
	sheetTop             = (297 - labelRows*labelH) / 2
	// qrSide is the printed QR code (quiet zone included), in mm.
	qrSide = 29.0
	// qrQuiet is the white border around the code, in modules (the QR
	// standard asks for 4; the label's margin adds the rest).
	qrQuiet = 2
	// qrPixels is how many image pixels a module takes, so that viewers
	// that smooth scaled images still print sharp edges.
	qrPixels = 8
)

// Label is what one label shows.
type Label struct {
	ID   int64
	Name string
	// URL is the item's IRI, its web page: the QR code encodes it.
	URL string
}

// labelQR encodes url as the labels' QR code: error correction M, which
// survives a scratched or smudged label.
func labelQR(url string) (barcode.Barcode, error) {
	return qr.Encode(url, qr.M, qr.Auto)
}

// qrPNG draws a QR code as a black on white PNG with its quiet zone.
func qrPNG(bc barcode.Barcode) ([]byte, error) {
	n := bc.Bounds().Dx()
	side := (n + 2*qrQuiet) * qrPixels
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	b := bc.Bounds()
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if c, _, _, _ := bc.At(b.Min.X+x, b.Min.Y+y).RGBA(); c != 0 {
				continue
			}
			px, py := (x+qrQuiet)*qrPixels, (y+qrQuiet)*qrPixels
			for dy := 0; dy < qrPixels; dy++ {
				for dx := 0; dx < qrPixels; dx++ {
					img.SetGray(px+dx, py+dy, color.Gray{})
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the PDF sheets of labels: each with the QR code of the
// item's page (also a link, for the screen), its name, its number and the
// organisation's name. now dates the file.
func Write(w io.Writer, org string, labels []Label, now time.Time) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetTitle("Labels — "+org, true)
	pdf.SetCreator("SHROOMS", true)
	// Core fonts speak cp1252: é, ü and € print; what cp1252 lacks shows
	// as a dot.
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	orgText := tr(org)
	for i, l := range labels {
		if i%labelsPerPage == 0 {
			pdf.AddPage()
		}
		cell := i % labelsPerPage
		x := float64(cell%labelCols) * labelW
		y := sheetTop + float64(cell/labelCols)*labelH

		bc, err := labelQR(l.URL)
		if err != nil {
			return fmt.Errorf("label %d: %w", l.ID, err)
		}
		img, err := qrPNG(bc)
		if err != nil {
			return err
		}
		name := "qr" + strconv.FormatInt(l.ID, 10)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
		qx, qy := x+2, y+(labelH-qrSide)/2
		pdf.ImageOptions(name, qx, qy, qrSide, qrSide, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.LinkString(qx, qy, qrSide, qrSide, l.URL)

		tx, tw := x+qrSide+3, labelW-qrSide-3-3
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont("Helvetica", "B", 10)
		lines := fitLines(pdf, tr(l.Name), tw, 3)
		ty := y + 6
		for _, ln := range lines {
			pdf.Text(tx, ty, ln)
			ty += 4.5
		}
		pdf.SetFont("Helvetica", "", 9)
		pdf.Text(tx, ty+1, "#"+strconv.FormatInt(l.ID, 10))
		pdf.SetFont("Helvetica", "", 7)
		pdf.SetTextColor(80, 80, 80)
		pdf.Text(tx, y+labelH-4, fitLines(pdf, orgText, tw, 1)[0])
	}
	if len(labels) == 0 {
		pdf.AddPage()
	}
	return pdf.Output(w)
}

// fitLines wraps a cp1252 text into at most max lines of width w (mm) in
// the current font; a text too long ends with an ellipsis.
func fitLines(pdf *fpdf.Fpdf, text string, w float64, max int) []string {
	const ellipsis = "\x85" // … in cp1252
	words := strings.Fields(text)
	var lines []string
	cur := ""
	for len(words) > 0 {
		word := words[0]
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		switch {
		case pdf.GetStringWidth(try) <= w:
			cur, words = try, words[1:]
		case cur == "":
			// One word wider than the line: cut it.
			n := len(word)
			for n > 1 && pdf.GetStringWidth(word[:n]) > w {
				n--
			}
			lines, words[0] = append(lines, word[:n]), word[n:]
		default:
			lines, cur = append(lines, cur), ""
		}
		if len(lines) == max {
			break
		}
	}
	if cur != "" && len(lines) < max {
		lines, cur = append(lines, cur), ""
	}
	if len(lines) == 0 {
		return []string{""}
	}
	if len(words) > 0 || cur != "" {
		last := lines[len(lines)-1]
		for last != "" && pdf.GetStringWidth(last+ellipsis) > w {
			last = last[:len(last)-1]
		}
		lines[len(lines)-1] = strings.TrimRight(last, " ") + ellipsis
	}
	return lines
}
