package imaging

import (
	"bytes"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestHeaderBytesGoTestdata runs the estimate over the pictures Go's own
// decoders are tested with (progressive, CMYK and every subsampling of
// JPEG; PngSuite's bit depths, colour types, interlacing and
// transparency; x/image's WebP files, lossy, lossless and with alpha):
// decoding never allocates more than the header said, but
// for the decoders' fixed costs.
func TestHeaderBytesGoTestdata(t *testing.T) {
	var files []string
	if root, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		for _, glob := range []string{"src/image/testdata/*", "src/image/png/testdata/pngsuite/*.png"} {
			m, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(root)), glob))
			files = append(files, m...)
		}
	}
	// WebP files of x/image's tests, from the module cache.
	if dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/image").Output(); err == nil {
		m, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(dir)), "testdata", "*.webp"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no Go source tree")
	}
	const fixed = 64 << 10
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || strings.HasSuffix(f, ".sng") {
			continue
		}
		h, err := ReadHeader(data)
		if err != nil {
			continue // not a format we read, or a file made to fail
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		img, _, err := image.Decode(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		if err != nil {
			continue
		}
		checked++
		if alloc := int64(after.TotalAlloc - before.TotalAlloc); alloc > h.Bytes+fixed {
			t.Errorf("%s (%T %v): decoding allocated %d bytes, header says %d", filepath.Base(f), img, img.Bounds(), alloc, h.Bytes)
		}
	}
	t.Logf("%d pictures checked", checked)
}
