package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// open returns a store in a new file that is closed when the test ends.
func open(t testing.TB) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "dayone.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	queuetest.RunStoreContract(t, func(t *testing.T) queue.Store { return open(t) })
}

func TestLongQueue(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("3,000 requests")
	}
	start := time.Now()
	queuetest.RunLongQueue(t, open(t), 3000)
	t.Logf("3,000 requests created and listed in %s", time.Since(start))
}

func TestSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dayone.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	kept := queuetest.NewRequest("r-kept", "kept@example.com", queuetest.Base.Add(time.Hour))
	done := queuetest.NewRequest("r-done", "done@example.com", queuetest.Base)
	for _, r := range []*queue.Request{kept, done} {
		if err := s.Create(ctx, r); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
	done.Status = queue.StatusCancelled
	if err := s.Update(ctx, done, queue.StatusScheduled); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	got, err := s.Get(ctx, kept.ID)
	if err != nil {
		t.Fatalf("Get after reopen: %v", err)
	}
	queuetest.SameRequest(t, got, kept)

	wantList(t, s, queue.StatusScheduled, kept.ID)
	wantList(t, s, queue.StatusCancelled, done.ID)
	wantList(t, s, "", done.ID, kept.ID)

	again := queuetest.NewRequest("r-again", "KEPT@example.com", queuetest.Base)
	var open *queue.OpenRequestError
	if err := s.Create(ctx, again); !errors.As(err, &open) || open.ExistingID != kept.ID {
		t.Errorf("Create for a guarded login after reopen: err = %v", err)
	}
	freed := queuetest.NewRequest("r-new", "done@example.com", queuetest.Base)
	if err := s.Create(ctx, freed); err != nil {
		t.Errorf("Create for a freed login after reopen: %v", err)
	}
}

func wantList(t *testing.T, s *boltstore.Store, status queue.Status, ids ...string) {
	t.Helper()
	page, err := s.List(context.Background(), queue.ListQuery{Status: status})
	if err != nil {
		t.Fatalf("List %q: %v", status, err)
	}
	var got []string
	for _, r := range page.Requests {
		got = append(got, r.ID)
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("List %q = %v, want %v", status, got, ids)
	}
}

func TestLockedByAnotherProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dayone.db")
	first, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer first.Close()

	// bbolt's flock is per open file, so a second Open in this process is
	// refused as another process would be.
	second, err := boltstore.Open(path)
	if err == nil {
		second.Close()
		t.Fatal("second Open of a held file succeeded")
	}
	if !strings.Contains(err.Error(), "database is locked by another dayone") {
		t.Errorf("err = %q, want it to say the database is locked", err)
	}
}

func TestClosedStoreFails(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "dayone.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	r := queuetest.NewRequest("r-1", "a@example.com", queuetest.Base)
	if err := s.Create(context.Background(), r); err == nil {
		t.Error("Create on a closed store: err = nil")
	}
}

func TestCancelledContext(t *testing.T) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := queuetest.NewRequest("r-1", "a@example.com", queuetest.Base)
	if err := s.Create(ctx, r); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a cancelled context: err = %v", err)
	}
	if _, err := s.Get(context.Background(), r.ID); !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("Get after a cancelled Create: err = %v, want ErrNotFound", err)
	}
}

func BenchmarkCreate(b *testing.B) {
	s := open(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := queuetest.NewRequest(fmt.Sprintf("r-%08d", i), fmt.Sprintf("u%d@example.com", i),
			queuetest.Base.Add(time.Duration(i)*time.Second))
		if err := s.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkListScheduledPage(b *testing.B) {
	s := open(b)
	ctx := context.Background()
	const n = 10000
	for i := range n {
		r := queuetest.NewRequest(fmt.Sprintf("r-%05d", i), fmt.Sprintf("u%d@example.com", i),
			queuetest.Base.Add(time.Duration(i*7919%n)*time.Second))
		if err := s.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	page, err := s.List(ctx, queue.ListQuery{Status: queue.StatusScheduled, Limit: 50})
	if err != nil {
		b.Fatal(err)
	}
	middle := queue.ListQuery{Status: queue.StatusScheduled, Limit: 50, Cursor: page.NextCursor}

	b.ReportAllocs()
	for b.Loop() {
		page, err := s.List(ctx, middle)
		if err != nil || len(page.Requests) != 50 {
			b.Fatalf("List: %d requests, %v", len(page.Requests), err)
		}
	}
}

func TestOpenRefusesAMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo", "dayone.db")
	if _, err := boltstore.Open(missing); err == nil || !strings.Contains(err.Error(), "typo") {
		t.Fatalf("Open(%s) = %v, want an error naming the path", missing, err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("Open created the folder: %v", err)
	}
}
