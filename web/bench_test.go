package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// benchHandler is the web over a real store holding n scheduled requests.
func benchHandler(b *testing.B, n int) http.Handler {
	store, err := boltstore.Open(filepath.Join(b.TempDir(), "dayone.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })

	clock := func() time.Time { return fixedNow }
	svc := queue.NewService(store, &queuetest.Scheduler{}, queuetest.NewAccounts(),
		queue.Config{Clock: clock})
	for i := range n {
		start := fixedNow.Add(time.Duration(i+1) * time.Hour).Format("2006-01-02T15:04")
		_, err := svc.Schedule(context.Background(), queue.ScheduleInput{
			Login: fmt.Sprintf("hire%04d@example.com", i), Start: start, TimeZone: "UTC",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return NewHandler(svc, Options{Logger: slog.New(slog.DiscardHandler), Clock: clock})
}

func benchGet(b *testing.B, path string) {
	h := benchHandler(b, 300)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
		io.Copy(io.Discard, rec.Body)
	}
}

// BenchmarkQueuePage renders the queue page: 50 rows of 300 requests.
func BenchmarkQueuePage(b *testing.B) { benchGet(b, "/queue?status=scheduled") }

// BenchmarkAPIList answers the JSON listing: 50 of 300 requests.
func BenchmarkAPIList(b *testing.B) { benchGet(b, "/api/requests?status=scheduled") }
