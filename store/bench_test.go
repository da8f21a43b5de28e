package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// BenchmarkSaveInboxActivity measures the durable inbox write path under
// concurrency (run with -cpu to vary it); group commit shares one fsync
// among the waiting callers.
func BenchmarkSaveInboxActivity(b *testing.B) {
	sdb, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{PublicURL: testURL})
	if err != nil {
		b.Fatal(err)
	}
	db := store.NewServices(sdb)
	defer db.Close()
	ctx := context.Background()
	raw := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Create","actor":"https://partner.example/users/org"}`)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := &shrooms.InboxActivity{
				ActivityIRI: fmt.Sprintf("https://partner.example/activities/%d", n.Add(1)),
				ActorIRI:    "https://partner.example/users/org",
				Raw:         raw,
			}
			if _, err := db.Inbox.SaveInboxActivity(ctx, a); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	batches, largest := db.Inbox.InboxBatchStats()
	if batches > 0 {
		b.ReportMetric(float64(n.Load())/float64(batches), "saves/commit")
	}
	b.ReportMetric(float64(largest), "largest-batch")
}
