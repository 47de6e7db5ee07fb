package dynamostore

import (
	"fmt"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// BenchmarkCreate measures one Create: a guard put and a request put.
func BenchmarkCreate(b *testing.B) {
	s := newStore(b, Options{})
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("r-%06d", i)
		r := queuetest.NewRequest(id, id+"@example.com", queuetest.Base.Add(time.Duration(i)))
		if err := s.Create(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkList50 measures one page of 50 out of 1,000 scheduled requests.
func BenchmarkList50(b *testing.B) {
	s := newStore(b, Options{})
	for i := range 1000 {
		id := fmt.Sprintf("r-%04d", i)
		r := queuetest.NewRequest(id, id+"@example.com", queuetest.Base.Add(time.Duration(i)))
		if err := s.Create(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}

	q := queue.ListQuery{Status: queue.StatusScheduled, Limit: 50}
	for b.Loop() {
		page, err := s.List(b.Context(), q)
		if err != nil || len(page.Requests) != 50 {
			b.Fatalf("List: %d requests, %v", len(page.Requests), err)
		}
		q.Cursor = page.NextCursor // walk the pages, then start over
	}
}
