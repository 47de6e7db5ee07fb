package dynamostore

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// createAll creates the requests with a few writers at once.
func createAll(t *testing.T, s *Store, rs []*queue.Request) {
	t.Helper()
	const writers = 8
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < len(rs); i += writers {
				if err := s.Create(t.Context(), rs[i]); err != nil {
					errs <- fmt.Errorf("create %s: %w", rs[i].ID, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// listAll follows the cursors from the first page and returns every id in
// listing order and the number of pages, failing on a page that is not full
// but not the last.
func listAll(t *testing.T, s *Store, q queue.ListQuery) (ids []string, pages int) {
	t.Helper()
	for {
		page, err := s.List(t.Context(), q)
		if err != nil {
			t.Fatalf("List %+v: %v", q, err)
		}
		pages++
		for _, r := range page.Requests {
			ids = append(ids, r.ID)
		}
		if page.NextCursor == "" {
			return ids, pages
		}
		if len(page.Requests) != q.Limit {
			t.Fatalf("page %d has %d requests and a cursor, want %d", pages,
				len(page.Requests), q.Limit)
		}
		q.Cursor = page.NextCursor
	}
}

// C12: 3,000 pending requests, two of them due at 09:00:00 and 09:00:00.5.
// Every one is reached by following cursors, once, in due order.
func TestLongQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("3,000 requests")
	}
	t.Parallel()
	s := newStore(t, Options{})
	nine := time.Date(2027, 7, 1, 9, 0, 0, 0, time.UTC)
	rs := []*queue.Request{
		// ids in the opposite order of their due times, so that only the
		// due key can put them right.
		queuetest.NewRequest("r-a-half", "half@example.com", nine.Add(500*time.Millisecond)),
		queuetest.NewRequest("r-b-nine", "nine@example.com", nine),
	}
	for i := range 2998 {
		due := nine.Add(time.Duration(i*7919%2998-1500) * time.Minute)
		id := fmt.Sprintf("r-%04d", i)
		rs = append(rs, queuetest.NewRequest(id, id+"@example.com", due))
	}
	start := time.Now()
	createAll(t, s, rs)
	t.Logf("3,000 creates in %s", time.Since(start))

	want := queuetest.InDueOrder(rs, "")
	for _, status := range []queue.Status{queue.StatusScheduled, ""} {
		start := time.Now()
		got, pages := listAll(t, s, queue.ListQuery{Status: status, Limit: 50})
		t.Logf("listing %q: %d pages in %s", status, pages, time.Since(start))
		if !slices.Equal(got, want) {
			t.Errorf("listing %q: %d ids, not the %d in due order", status, len(got), len(want))
		}
		if pages != 60 {
			t.Errorf("listing %q took %d pages of 50, want 60", status, pages)
		}
	}
	at := slices.Index(want, "r-b-nine")
	if at < 0 || want[at+1] != "r-a-half" {
		t.Errorf("09:00:00 is not right before 09:00:00.5 in %v", want[max(at-1, 0):at+2])
	}
}

// A page is filled even when one query response holds fewer items: here
// DynamoDB's 1 MB limit per response cuts 400 requests of 4 KB each.
func TestPageSpansResponses(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	var rs []*queue.Request
	for i := range 400 {
		r := queuetest.NewRequest(fmt.Sprintf("r-%03d", i), fmt.Sprintf("u%d@example.com", i),
			queuetest.Base.Add(time.Duration(i)*time.Second))
		r.Result = strings.Repeat("x", 4000)
		rs = append(rs, r)
	}
	createAll(t, s, rs)
	out, err := s.client.Query(t.Context(), &dynamodb.QueryInput{
		TableName: aws.String(s.table), IndexName: aws.String(IndexByDue),
		KeyConditionExpression:    aws.String("#k = :k"),
		ExpressionAttributeNames:  map[string]string{"#k": attrKind},
		ExpressionAttributeValues: item{":k": str(kindRequest)},
	})
	if err != nil || len(out.Items) >= 400 || out.LastEvaluatedKey == nil {
		t.Fatalf("one query returned %d items (err %v): the test proves nothing",
			len(out.Items), err)
	}

	page, err := s.List(t.Context(), queue.ListQuery{Limit: 400})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(page.Requests) != 400 || page.NextCursor != "" {
		t.Errorf("List of 400 = %d requests, cursor %q; want 400 and none",
			len(page.Requests), page.NextCursor)
	}
}

// Finished requests past their retention are skipped by Get and List, as
// DynamoDB's TTL deletes them only later (and dynalite never).
func TestExpiredIgnored(t *testing.T) {
	t.Parallel()
	past := newClock(time.Now().Add(-3 * 365 * 24 * time.Hour))
	old := newStore(t, Options{Clock: past.Now})
	s := New(old.client, old.table, Options{})
	var expired []*queue.Request
	for i := range 12 {
		id, due := fmt.Sprintf("r-old-%02d", i), queuetest.Base.Add(time.Duration(i)*time.Minute)
		r := queuetest.NewRequest(id, id+"@example.com", due)
		create(t, old, r)
		move(t, old, r, queue.StatusCancelled)
		expired = append(expired, r)
	}
	live := queuetest.NewRequest("r-live", "live@example.com", queuetest.Base.Add(time.Hour))
	done := queuetest.NewRequest("r-done", "done@example.com", queuetest.Base.Add(2*time.Hour))
	create(t, s, live)
	create(t, s, done)
	move(t, s, done, queue.StatusCancelled)

	if _, err := s.Get(t.Context(), expired[0].ID); !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("Get of an expired request: err = %v, want ErrNotFound", err)
	}
	if rawItem(t, s, requestKey(expired[0].ID)) == nil {
		t.Error("the expired item is gone: the test proves nothing")
	}
	for q, want := range map[queue.Status][]string{
		"": {"r-live", "r-done"}, queue.StatusCancelled: {"r-done"},
	} {
		got, _ := listAll(t, s, queue.ListQuery{Status: q, Limit: 1})
		if !slices.Equal(got, want) {
			t.Errorf("List %q by 1 = %v, want %v", q, got, want)
		}
	}
}

// A cursor is a position: the listing goes on after it even when the request
// it came from has changed status meanwhile.
func TestCursorAfterChange(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	var rs []*queue.Request
	for i := range 6 {
		r := queuetest.NewRequest(fmt.Sprintf("r-%d", i), fmt.Sprintf("u%d@example.com", i),
			queuetest.Base.Add(time.Duration(i)*time.Hour))
		create(t, s, r)
		rs = append(rs, r)
	}
	q := queue.ListQuery{Status: queue.StatusScheduled, Limit: 3}
	first, err := s.List(t.Context(), q)
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	move(t, s, rs[2], queue.StatusCancelled)

	q.Cursor = first.NextCursor
	got, _ := listAll(t, s, q)
	if want := []string{"r-3", "r-4", "r-5"}; !slices.Equal(got, want) {
		t.Errorf("after the cursor = %v, want %v", got, want)
	}
}

// A cursor is accepted only by the listing that made it, and only intact.
func TestBadCursors(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	for i := range 3 {
		r := queuetest.NewRequest(fmt.Sprintf("r-%d", i), fmt.Sprintf("u%d@example.com", i),
			queuetest.Base.Add(time.Duration(i)*time.Hour))
		create(t, s, r)
	}
	all, _ := s.List(t.Context(), queue.ListQuery{Limit: 1})
	scheduled, _ := s.List(t.Context(), queue.ListQuery{Status: queue.StatusScheduled, Limit: 1})
	forge := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	due := "2027-04-01T07:00:00.000000000Z"

	for name, q := range map[string]queue.ListQuery{
		"all's cursor on scheduled": {Status: queue.StatusScheduled, Cursor: all.NextCursor},
		"scheduled's on cancelled":  {Status: queue.StatusCancelled, Cursor: scheduled.NextCursor},
		"scheduled's on all":        {Cursor: scheduled.NextCursor},
		"padded base64":             {Cursor: all.NextCursor + "=="},
		"not JSON":                  {Cursor: forge("{")},
		"a guard's key": {Cursor: forge(`{"pk":"LOGIN#u0@example.com","kind":"request",` +
			`"due_key":"` + due + `#r-0"}`)},
		"another id in the due key": {Cursor: forge(`{"pk":"REQ#r-0","kind":"request",` +
			`"due_key":"` + due + `#r-1"}`)},
		"a short due key": {Cursor: forge(`{"pk":"REQ#r-0","kind":"request",` +
			`"due_key":"2027-04-01T07:00:00Z#r-0"}`)},
		"an extra key": {Cursor: forge(`{"pk":"REQ#r-0","kind":"request","x":"y",` +
			`"due_key":"` + due + `#r-0"}`)},
	} {
		_, err := s.List(t.Context(), q)
		var input *queue.InputError
		if !errors.As(err, &input) || input.Field != "cursor" {
			t.Errorf("%s: err = %v, want an *InputError for field cursor", name, err)
		}
	}

	q := queue.ListQuery{Cursor: forge(`{"pk":"REQ#r-0","kind":"request",` +
		`"due_key":"` + due + `#r-0"}`)}
	if got, _ := listAll(t, s, q); !slices.Equal(got, []string{"r-1", "r-2"}) {
		t.Errorf("a well-formed cursor after r-0 lists %v, want [r-1 r-2]", got)
	}
}

func create(t *testing.T, s *Store, r *queue.Request) {
	t.Helper()
	if err := s.Create(t.Context(), r); err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
}

// move updates r to status next from its current status.
func move(t *testing.T, s *Store, r *queue.Request, next queue.Status) {
	t.Helper()
	from := r.Status
	r.Status = next
	if err := s.Update(t.Context(), r, from); err != nil {
		t.Fatalf("Update %s from %s to %s: %v", r.ID, from, next, err)
	}
}
