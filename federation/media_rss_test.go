package federation

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/peakrss"
)

// TestRemoteThumbsPeakRSS is the partner attack, measured in a
// process of its own (this test binary run again): a partner serves a
// round of eight 7071×7071 16-bit PNGs, then a round of eight pictures at
// the edge of the decoding budget. The fetches run side by side as the
// media worker runs them; the node's peak RSS (VmHWM, reset first) must
// rise by 64 MB at most, and the hostile pictures give no thumbnail.
func TestRemoteThumbsPeakRSS(t *testing.T) {
	if os.Getenv("SHROOMS_RSS_CHILD") != "" {
		remoteThumbsRSSChild(t)
		return
	}
	if runtime.GOOS != "linux" || peakrss.Race {
		t.Skip("reads /proc/self/status; the race detector multiplies memory")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRemoteThumbsPeakRSS$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SHROOMS_RSS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	_, after, ok := bytes.Cut(out, []byte("peak RSS rise: "))
	var rise int64
	if _, err := fmt.Sscan(string(after), &rise); !ok || err != nil {
		t.Fatalf("child said no rise:\n%s", out)
	}
	t.Logf("peak RSS rise over 16 partner thumbnails: %.1f MB", float64(rise)/(1<<20))
	if rise > 64<<20 {
		t.Fatalf("peak RSS rose by %d MB, at most 64 MB allowed\n%s", rise>>20, out)
	}
}

func remoteThumbsRSSChild(t *testing.T) {
	deep := zeroPNG(t, 7071, 7071, 16, 6)
	edge := image.NewNRGBA(image.Rect(0, 0, 2880, 2880)) // 33 MB decoded: just within the budget
	for y := range 2880 {
		for x := range 2880 {
			edge.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var edgePNG bytes.Buffer
	if err := png.Encode(&edgePNG, edge); err != nil {
		t.Fatal(err)
	}
	edge = nil
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		if strings.HasPrefix(r.URL.Path, "/deep") {
			_, _ = w.Write(deep)
		} else {
			_, _ = w.Write(edgePNG.Bytes())
		}
	}))
	defer srv.Close()
	f := New(Config{IRIs: shrooms.IRIs{Base: "http://node.example"}, AllowPrivateAddresses: true}, Services{})
	org := testSigner(t)
	round := func(kind string) []*shrooms.RemoteMediaJob {
		var jobs []*shrooms.RemoteMediaJob
		for i := range mediaBatch {
			jobs = append(jobs, &shrooms.RemoteMediaJob{ObjectID: int64(i + 1), ObjectIRI: srv.URL + "/items/" + strconv.Itoa(i),
				SourceURL: fmt.Sprintf("%s/%s/%d.png", srv.URL, kind, i)})
		}
		return jobs
	}
	// Warm up: the client, the decoder's code paths.
	f.fetchThumbs(context.Background(), round("edge")[:1], org)
	debug.FreeOSMemory()
	base := peakrss.Reset(t)
	for _, o := range f.fetchThumbs(context.Background(), round("deep"), org) {
		if o.err == nil || shrooms.ErrorCode(o.err) != shrooms.ETOOLARGE || !o.permanent {
			t.Errorf("hostile thumbnail: %+v", o)
		}
	}
	for _, o := range f.fetchThumbs(context.Background(), round("edge"), org) {
		if o.err != nil || o.m.Width != remoteThumbSide {
			t.Errorf("edge thumbnail: %+v", o)
		}
	}
	fmt.Printf("peak RSS rise: %d\n", peakrss.Read(t, "VmHWM")-base)
}
