package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/shrooms-org/shrooms/internal/peakrss"
)

// maxUploadRSSRise is the target: any accepted upload or
// thumbnail raises the node's peak RSS by at most 64 MB.
const maxUploadRSSRise = 64 << 20

// TestUploadPeakRSS measures, in a process of its own (this test binary
// run again), how much the node's peak RSS (VmHWM) rises while it is sent
// the hostile 16-bit PNG and the largest pictures it accepts: a
// 12 MP phone JPEG, a PNG at the edge of the decoding budget, and four
// phone JPEGs at once. The peak is reset first (clear_refs), so that the
// node's start-up does not hide the uploads' peak.
func TestUploadPeakRSS(t *testing.T) {
	if dir := os.Getenv("SHROOMS_RSS_CHILD"); dir != "" {
		uploadRSSChild(t, dir)
		return
	}
	if runtime.GOOS != "linux" || peakrss.Race {
		t.Skip("reads /proc/self/status; the race detector multiplies memory")
	}
	// The child process measures only itself: the parent may share the
	// machine with other tests.
	t.Parallel()
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"hostile.png": zeroPNG(t, 6320, 6320, 16, 6),
		"phone.jpg":   phoneJPEG(t),
		"edge.png":    edgePNG(t),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUploadPeakRSS$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SHROOMS_RSS_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	_, after, ok := bytes.Cut(out, []byte("peak RSS rise: "))
	if !ok {
		t.Fatalf("child said no rise:\n%s", out)
	}
	var rise int64
	if _, err := fmt.Sscan(string(after), &rise); err != nil {
		t.Fatal(err)
	}
	t.Logf("peak RSS rise over the uploads: %.1f MB", float64(rise)/(1<<20))
	if rise > maxUploadRSSRise {
		t.Fatalf("peak RSS rose by %d MB, at most %d MB allowed\n%s", rise>>20, maxUploadRSSRise>>20, out)
	}
}

func uploadRSSChild(t *testing.T, dir string) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	hostile, phone, edge := read("hostile.png"), read("phone.jpg"), read("edge.png")
	n := startNode(t, newTestClock(), withUploadLimit(1000))
	tk := newInventoryTokens(t, n)
	item := n.apiNewItem(tk.staff, map[string]any{"name": "Camera", "audience": "public"})
	path := fmt.Sprintf("/api/v1/items/%d/photos", item)
	upload := func(name string, data []byte, want int) {
		ct, body := apiMultipart(t, "file", name, data)
		if status, _, raw := n.apiSend("POST", path, tk.staff, ct, body); status != want {
			t.Errorf("%s: %d %.200s, want %d", name, status, raw, want)
		}
		if status, _, raw := n.apiSend("POST", "/api/v1/media?use=avatar", tk.member, "image/png", data); status != want {
			t.Errorf("%s as an avatar: %d %.200s, want %d", name, status, raw, want)
		}
	}
	// Warm up: code paths, pools and the database's cache.
	upload("small.png", testPNG(t, 800, 600), 201)
	debug.FreeOSMemory()
	base := peakrss.Reset(t)

	step := func(what string) {
		t.Logf("after %s: %s", what, peakrss.Rise(t, base))
	}
	upload("hostile.png", hostile, 413)
	step("hostile")
	upload("phone.jpg", phone, 201)
	step("phone")
	upload("edge.png", edge, 201)
	step("edge")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { upload("phone.jpg", phone, 201) })
	}
	wg.Wait()
	if p := n.m.Images.Peak(); p != 1 {
		t.Errorf("%d decodes ran at once, want 1", p)
	}
	fmt.Printf("peak RSS rise: %d\n", peakrss.Read(t, "VmHWM")-base)
}
