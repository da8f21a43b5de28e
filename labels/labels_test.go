package labels

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pngIDAT returns the image data of a PNG: what a PDF embeds of it.
func pngIDAT(t *testing.T, png []byte) []byte {
	t.Helper()
	var out []byte
	for p := 8; p+8 <= len(png); {
		n := int(binary.BigEndian.Uint32(png[p:]))
		if string(png[p+4:p+8]) == "IDAT" {
			out = append(out, png[p+8:p+8+n]...)
		}
		p += 12 + n
	}
	if len(out) == 0 {
		t.Fatal("no IDAT")
	}
	return out
}

// pdfText inflates every compressed stream of a PDF, for searching the
// pages' text.
func pdfText(pdf []byte) string {
	var sb strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`).FindAllSubmatch(pdf, -1) {
		if zr, err := zlib.NewReader(bytes.NewReader(m[1])); err == nil {
			b, _ := io.ReadAll(zr)
			sb.Write(b)
		}
	}
	return sb.String()
}

func TestLabelQR(t *testing.T) {
	url := "https://workshop.example/items/42"
	bc, err := labelQR(url)
	if err != nil {
		t.Fatal(err)
	}
	if bc.Content() != url || bc.Metadata().Dimensions != 2 {
		t.Fatalf("content %q, metadata %+v", bc.Content(), bc.Metadata())
	}
	other, _ := labelQR("https://workshop.example/items/43")
	a, _ := qrPNG(bc)
	b, _ := qrPNG(other)
	if bytes.Equal(a, b) {
		t.Fatal("two URLs draw the same code")
	}
}

// TestWriteLabels checks a sheet of 30 labels: two A4 pages, one QR image
// a label, each the code of its item's URL, and the names in cp1252.
func TestWriteLabels(t *testing.T) {
	var labels []Label
	for i := int64(1); i <= 30; i++ {
		labels = append(labels, Label{ID: i, Name: fmt.Sprintf("Perceuse à percussion n°%d très longue à décrire sur trois lignes au moins", i),
			URL: fmt.Sprintf("https://workshop.example/items/%d", i)})
	}
	var buf bytes.Buffer
	if err := Write(&buf, "Repair Café Zürich", labels, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	if n := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1)); n != 2 {
		t.Errorf("%d pages, want 2", n)
	}
	if n := bytes.Count(pdf, []byte("/Subtype /Image")); n != 30 {
		t.Errorf("%d images, want 30", n)
	}
	if !bytes.Contains(pdf, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Error("not A4")
	}
	for _, l := range labels {
		bc, _ := labelQR(l.URL)
		img, _ := qrPNG(bc)
		if !bytes.Contains(pdf, pngIDAT(t, img)) {
			t.Errorf("label %d: no QR code of %s", l.ID, l.URL)
		}
		if !bytes.Contains(pdf, []byte("/URI ("+l.URL+")")) {
			t.Errorf("label %d: no link to %s", l.ID, l.URL)
		}
	}
	text := pdfText(pdf)
	for _, want := range []string{"(Perceuse \xe0)", "(percussion n\xb030 tr\xe8s)", "(#30)", "(Repair Caf\xe9 Z\xfcrich)", "\x85)"} {
		if !strings.Contains(text, want) {
			t.Errorf("pages lack %q", want)
		}
	}
}
