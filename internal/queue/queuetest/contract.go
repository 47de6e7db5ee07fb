// Package queuetest holds what tests of the queue's ports share: the contract
// every queue.Store passes, and fakes of the directory and the scheduler.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// Base is the due time the contract's requests are spread around.
var Base = time.Date(2027, 4, 1, 7, 0, 0, 0, time.UTC)

// NewRequest returns a scheduled request with every field set, as the service
// would create it.
func NewRequest(id, login string, due time.Time) *queue.Request {
	created := due.Add(-48 * time.Hour)
	return &queue.Request{
		ID:        id,
		Login:     login,
		LoginKey:  queue.LoginKey(login),
		TimeZone:  "Europe/Berlin",
		Start:     due.In(berlin()).Format("2006-01-02T15:04:05"),
		DueAt:     due,
		SendEmail: true,
		Status:    queue.StatusScheduled,
		CreatedBy: "helpdesk@example.com",
		CreatedAt: created,
		UpdatedAt: created,
		History: []queue.Event{{
			At: created, Actor: "helpdesk@example.com", Event: queue.EventScheduled,
		}},
	}
}

func berlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}

// RunStoreContract runs the tests every queue.Store must pass. newStore returns
// an empty store and registers its cleanup.
func RunStoreContract(t *testing.T, newStore func(t *testing.T) queue.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s queue.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"GetUnknown", testGetUnknown},
		{"CreateTakenID", testCreateTakenID},
		{"OneOpenRequestPerLogin", testOneOpenPerLogin},
		{"LoginFreedByFinalStatus", testLoginFreed},
		{"ConcurrentCreates", testConcurrentCreates},
		{"UpdateConditions", testUpdateConditions},
		{"ConcurrentClaims", testConcurrentClaims},
		{"ListByStatusPages", testListByStatusPages},
		{"ListAllPages", testListAllPages},
		{"ListFollowsChanges", testListFollowsChanges},
		{"ListBadCursor", testListBadCursor},
		{"ListSubSecondOrder", testListSubSecondOrder},
		{"ListLongQueue", func(t *testing.T, s queue.Store) { RunLongQueue(t, s, 300) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

func testRoundTrip(t *testing.T, s queue.Store) {
	ctx := context.Background()
	r := NewRequest("r-round-trip", "ops#lead@example.com", Base.Add(1500*time.Millisecond))
	r.Offset = "+01:00"
	r.SendEmail = false
	r.Result = "waiting"
	r.History = append(r.History, queue.Event{
		At: Base.Add(-time.Hour + 123456789), Actor: "ada@example.com",
		Event: queue.EventRescheduled, Detail: "from 08:00 to 09:00",
	})
	mustCreate(t, s, r)
	want := r.Clone()
	r.History[0].Detail = "changed by the caller after Create"

	got := mustGet(t, s, r.ID)
	SameRequest(t, got, want)

	got.Status = queue.StatusRunning
	got.Attempts = 2
	got.ClaimedAt = Base.Add(987654321)
	got.Result = "running"
	got.History = append(got.History, queue.Event{
		At: got.ClaimedAt, Actor: "dayone-worker", Event: queue.EventClaimed})
	before := got.Version
	if err := s.Update(ctx, got, queue.StatusScheduled); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.Version != before+1 {
		t.Errorf("Version after Update = %d, want %d", got.Version, before+1)
	}
	SameRequest(t, mustGet(t, s, r.ID), got)
	roundTripRetry(t, s, got)
}

// roundTripRetry checks that a retry time is kept exactly, and that clearing
// it on the next claim leaves it zero.
func roundTripRetry(t *testing.T, s queue.Store, r *queue.Request) {
	t.Helper()
	r.Status, r.RetryAt = queue.StatusScheduled, Base.Add(30*time.Second+123456789)
	mustUpdate(t, s, r, queue.StatusRunning)
	got := mustGet(t, s, r.ID)
	SameRequest(t, got, r)

	got.Status, got.RetryAt = queue.StatusRunning, time.Time{}
	mustUpdate(t, s, got, queue.StatusScheduled)
	if again := mustGet(t, s, r.ID); !again.RetryAt.IsZero() {
		t.Errorf("RetryAt after clearing = %v, want zero", again.RetryAt)
	}
}

// SameRequest fails the test unless got and want agree on every field. Times
// are compared with Equal.
func SameRequest(t *testing.T, got, want *queue.Request) {
	t.Helper()
	type pair struct {
		name      string
		got, want any
	}
	for _, p := range []pair{
		{"ID", got.ID, want.ID}, {"Login", got.Login, want.Login},
		{"LoginKey", got.LoginKey, want.LoginKey}, {"TimeZone", got.TimeZone, want.TimeZone},
		{"Start", got.Start, want.Start}, {"Offset", got.Offset, want.Offset},
		{"SendEmail", got.SendEmail, want.SendEmail}, {"Status", got.Status, want.Status},
		{"Result", got.Result, want.Result}, {"Attempts", got.Attempts, want.Attempts},
		{"CreatedBy", got.CreatedBy, want.CreatedBy}, {"Version", got.Version, want.Version},
		{"len(History)", len(got.History), len(want.History)},
	} {
		if p.got != p.want {
			t.Errorf("%s = %v, want %v", p.name, p.got, p.want)
		}
	}
	sameTime(t, "DueAt", got.DueAt, want.DueAt)
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	sameTime(t, "ClaimedAt", got.ClaimedAt, want.ClaimedAt)
	sameTime(t, "RetryAt", got.RetryAt, want.RetryAt)
	for i := range min(len(got.History), len(want.History)) {
		g, w := got.History[i], want.History[i]
		sameTime(t, fmt.Sprintf("History[%d].At", i), g.At, w.At)
		g.At, w.At = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("History[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func sameTime(t *testing.T, name string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", name, got.UTC().Format(time.RFC3339Nano),
			want.UTC().Format(time.RFC3339Nano))
	}
}

func testGetUnknown(t *testing.T, s queue.Store) {
	_, err := s.Get(context.Background(), "no-such-id")
	if !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("Get of an unknown id: err = %v, want ErrNotFound", err)
	}
}

func testCreateTakenID(t *testing.T, s queue.Store) {
	first := NewRequest("r-taken", "first@example.com", Base)
	mustCreate(t, s, first)

	second := NewRequest("r-taken", "second@example.com", Base.Add(time.Hour))
	if err := s.Create(context.Background(), second); err == nil {
		t.Fatal("Create with an id already taken: err = nil")
	}
	SameRequest(t, mustGet(t, s, "r-taken"), first)
}

func testOneOpenPerLogin(t *testing.T, s queue.Store) {
	ctx := context.Background()
	first := NewRequest("r-first", "ada.lovelace@example.com", Base)
	mustCreate(t, s, first)

	for _, status := range []queue.Status{queue.StatusScheduled, queue.StatusRunning} {
		if status == queue.StatusRunning {
			move(t, s, first, queue.StatusRunning)
		}
		second := NewRequest("r-second-"+string(status), "Ada.Lovelace@Example.com", Base)
		err := s.Create(ctx, second)
		checkOpenRequestError(t, err, first.ID)
		if _, err := s.Get(ctx, second.ID); !errors.Is(err, queue.ErrNotFound) {
			t.Errorf("refused request was saved: Get err = %v", err)
		}
	}
	if ids := listIDs(t, s, queue.ListQuery{}); !slices.Equal(ids, []string{first.ID}) {
		t.Errorf("List after refused creates = %v, want only %s", ids, first.ID)
	}
}

func checkOpenRequestError(t *testing.T, err error, existing string) {
	t.Helper()
	var open *queue.OpenRequestError
	if !errors.As(err, &open) {
		t.Fatalf("err = %v, want an *OpenRequestError", err)
	}
	if open.ExistingID != existing {
		t.Errorf("ExistingID = %q, want %q", open.ExistingID, existing)
	}
	if !errors.Is(err, queue.ErrOpenRequestExists) {
		t.Errorf("errors.Is(err, ErrOpenRequestExists) = false for %v", err)
	}
}

func testLoginFreed(t *testing.T, s queue.Store) {
	paths := map[queue.Status][]queue.Status{
		queue.StatusActivated: {queue.StatusRunning, queue.StatusActivated},
		queue.StatusFailed:    {queue.StatusRunning, queue.StatusFailed},
		queue.StatusCancelled: {queue.StatusCancelled},
	}
	for final, path := range paths {
		login := "grace-" + string(final) + "@example.com"
		first := NewRequest("r-first-"+string(final), login, Base)
		mustCreate(t, s, first)
		for _, next := range path {
			move(t, s, first, next)
		}

		second := NewRequest("r-second-"+string(final), strings.ToUpper(login), Base)
		if err := s.Create(context.Background(), second); err != nil {
			t.Errorf("Create after the first request became %s: %v", final, err)
			continue
		}
		third := NewRequest("r-third-"+string(final), login, Base)
		checkOpenRequestError(t, s.Create(context.Background(), third), second.ID)
	}
}

func testConcurrentCreates(t *testing.T, s queue.Store) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := NewRequest(fmt.Sprintf("r-race-%d", i), "race@example.com", Base)
			errs[i] = s.Create(context.Background(), r)
		})
	}
	wg.Wait()

	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("both r-race-%d and r-race-%d were created", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no create succeeded: %v", errs)
	}
	for i, err := range errs {
		if i != winner {
			checkOpenRequestError(t, err, fmt.Sprintf("r-race-%d", winner))
		}
	}
	if ids := listIDs(t, s, queue.ListQuery{}); len(ids) != 1 {
		t.Errorf("List = %v, want one request", ids)
	}
}

func testUpdateConditions(t *testing.T, s queue.Store) {
	ctx := context.Background()
	r := NewRequest("r-update", "update@example.com", Base)
	mustCreate(t, s, r)
	created := mustGet(t, s, r.ID)

	stale := created.Clone()
	stale.Version--
	stale.Result = "stale"
	if err := s.Update(ctx, stale, queue.StatusScheduled); !errors.Is(err, queue.ErrConflict) {
		t.Errorf("Update with a stale version: err = %v, want ErrConflict", err)
	}
	wrong := created.Clone()
	wrong.Result = "wrong from"
	if err := s.Update(ctx, wrong, queue.StatusRunning); !errors.Is(err, queue.ErrConflict) {
		t.Errorf("Update from the wrong status: err = %v, want ErrConflict", err)
	}
	unknown := NewRequest("r-unknown", "unknown@example.com", Base)
	err := s.Update(ctx, unknown, queue.StatusScheduled)
	if !errors.Is(err, queue.ErrNotFound) && !errors.Is(err, queue.ErrConflict) {
		t.Errorf("Update of an unknown id: err = %v, want ErrNotFound or ErrConflict", err)
	}
	if _, err := s.Get(ctx, unknown.ID); !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("Update of an unknown id saved it: Get err = %v", err)
	}
	SameRequest(t, mustGet(t, s, r.ID), created)

	next := created.Clone()
	next.Result = "updated"
	if err := s.Update(ctx, next, queue.StatusScheduled); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if next.Version != created.Version+1 {
		t.Errorf("Version = %d, want %d", next.Version, created.Version+1)
	}
	SameRequest(t, mustGet(t, s, r.ID), next)
}

func testConcurrentClaims(t *testing.T, s queue.Store) {
	r := NewRequest("r-claim", "claim@example.com", Base)
	mustCreate(t, s, r)
	read := mustGet(t, s, r.ID)

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			mine := read.Clone()
			mine.Status = queue.StatusRunning
			mine.Result = fmt.Sprintf("claimed by %d", i)
			errs[i] = s.Update(context.Background(), mine, queue.StatusScheduled)
		})
	}
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("claims %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, queue.ErrConflict):
			t.Errorf("losing claim %d: err = %v, want ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no claim won: %v", errs)
	}
	got := mustGet(t, s, r.ID)
	if want := fmt.Sprintf("claimed by %d", winner); got.Result != want ||
		got.Status != queue.StatusRunning || got.Version != read.Version+1 {
		t.Errorf("stored %s/%q/v%d, want running/%q/v%d",
			got.Status, got.Result, got.Version, want, read.Version+1)
	}
}

// spread creates n scheduled requests whose due times are out of creation
// order, some of them equal, so that order by id decides among those.
func spread(t *testing.T, s queue.Store, n int) []*queue.Request {
	var all []*queue.Request
	for i := range n {
		due := Base.Add(time.Duration((i*7)%n/2) * time.Minute)
		r := NewRequest(fmt.Sprintf("r-%03d", (i*11)%n+n), fmt.Sprintf("u%d@example.com", i), due)
		mustCreate(t, s, r)
		all = append(all, r)
	}
	return all
}

// InDueOrder returns the ids of the requests with status (any when empty),
// sorted by due time, then id: the order every listing must give.
func InDueOrder(all []*queue.Request, status queue.Status) []string {
	var keep []*queue.Request
	for _, r := range all {
		if status == "" || r.Status == status {
			keep = append(keep, r)
		}
	}
	slices.SortFunc(keep, func(a, b *queue.Request) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ids := make([]string, len(keep))
	for i, r := range keep {
		ids[i] = r.ID
	}
	return ids
}

func testListByStatusPages(t *testing.T, s queue.Store) {
	all := spread(t, s, 30)
	for i, r := range all {
		switch i % 3 {
		case 1:
			move(t, s, r, queue.StatusCancelled)
		case 2:
			move(t, s, r, queue.StatusRunning)
		}
	}

	for _, status := range []queue.Status{queue.StatusScheduled, queue.StatusRunning,
		queue.StatusCancelled, queue.StatusActivated} {
		got := listIDs(t, s, queue.ListQuery{Status: status, Limit: 7})
		if want := InDueOrder(all, status); !slices.Equal(got, want) {
			t.Errorf("List %s by 7 = %v, want %v", status, got, want)
		}
	}
}

func testListAllPages(t *testing.T, s queue.Store) {
	all := spread(t, s, 30)
	move(t, s, all[4], queue.StatusCancelled)
	move(t, s, all[9], queue.StatusRunning)
	move(t, s, all[9], queue.StatusActivated)

	got := listIDs(t, s, queue.ListQuery{Limit: 7})
	if want := InDueOrder(all, ""); !slices.Equal(got, want) {
		t.Errorf("List all by 7 = %v, want %v", got, want)
	}
}

func testListFollowsChanges(t *testing.T, s queue.Store) {
	all := spread(t, s, 10)
	move(t, s, all[0], queue.StatusRunning)
	later := all[1]
	later.DueAt = Base.Add(24 * time.Hour)
	if err := s.Update(context.Background(), later, queue.StatusScheduled); err != nil {
		t.Fatalf("Update the due time: %v", err)
	}

	for _, status := range []queue.Status{queue.StatusScheduled, queue.StatusRunning, ""} {
		got := listIDs(t, s, queue.ListQuery{Status: status, Limit: 3})
		want := InDueOrder(all, status)
		if !slices.Equal(got, want) {
			t.Errorf("List %q after changes = %v, want %v", status, got, want)
		}
	}
}

func testListBadCursor(t *testing.T, s queue.Store) {
	spread(t, s, 3)
	for _, cursor := range []string{"%%%", "bm9wZQ", "not a cursor"} {
		for _, status := range []queue.Status{"", queue.StatusScheduled} {
			q := queue.ListQuery{Status: status, Cursor: cursor}
			_, err := s.List(context.Background(), q)
			var input *queue.InputError
			if !errors.As(err, &input) || input.Field != "cursor" {
				t.Errorf("List %+v: err = %v, want an *InputError for field cursor", q, err)
			}
		}
	}
}

// testListSubSecondOrder is C12: a text key without fixed-width fractions
// would sort 09:00:00.5 before 09:00:00.
func testListSubSecondOrder(t *testing.T, s queue.Store) {
	nine := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	dues := map[string]time.Time{
		"r-a": nine.Add(time.Hour), "r-b": nine.Add(500 * time.Millisecond),
		"r-c": nine, "r-d": nine.Add(-100 * time.Millisecond), "r-e": nine.Add(time.Second),
	}
	for _, id := range []string{"r-a", "r-b", "r-c", "r-d", "r-e"} {
		mustCreate(t, s, NewRequest(id, id+"@example.com", dues[id]))
	}

	want := []string{"r-d", "r-c", "r-b", "r-e", "r-a"}
	for _, status := range []queue.Status{"", queue.StatusScheduled} {
		got := listIDs(t, s, queue.ListQuery{Status: status, Limit: 2})
		if !slices.Equal(got, want) {
			t.Errorf("List %q = %v, want %v", status, got, want)
		}
	}
}

// RunLongQueue is C12 at scale: with n pending requests, following the
// cursors from the first page reaches every one, once and in order.
func RunLongQueue(t *testing.T, s queue.Store, n int) {
	var all []*queue.Request
	for i := range n {
		due := Base.Add(time.Duration(i*7919%n) * 250 * time.Millisecond)
		r := NewRequest(fmt.Sprintf("r-long-%05d", i), fmt.Sprintf("long%d@example.com", i), due)
		mustCreate(t, s, r)
		all = append(all, r)
	}

	for _, status := range []queue.Status{queue.StatusScheduled, ""} {
		got := listIDs(t, s, queue.ListQuery{Status: status})
		if want := InDueOrder(all, ""); !slices.Equal(got, want) {
			t.Errorf("List %q of %d requests: got %d ids, want %d in due order",
				status, n, len(got), len(want))
		}
	}
}

// listIDs follows every cursor and returns the ids in listing order. It fails
// the test when a page is larger than asked, or empty but not the last.
func listIDs(t *testing.T, s queue.Store, q queue.ListQuery) []string {
	t.Helper()
	limit := q.Limit
	if limit <= 0 {
		limit = queue.DefaultPageSize
	}

	var ids []string
	for pages := 0; ; pages++ {
		page, err := s.List(context.Background(), q)
		if err != nil {
			t.Fatalf("List %+v: %v", q, err)
		}
		n := len(page.Requests)
		if n > limit || (n == 0 && page.NextCursor != "") {
			t.Fatalf("List %+v: page %d has %d requests and cursor %q",
				q, pages, n, page.NextCursor)
		}
		for _, r := range page.Requests {
			ids = append(ids, r.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		q.Cursor = page.NextCursor
	}
}

func mustCreate(t *testing.T, s queue.Store, r *queue.Request) {
	t.Helper()
	if err := s.Create(context.Background(), r); err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
}

func mustGet(t *testing.T, s queue.Store, id string) *queue.Request {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return r
}

// move updates r to status next from its current status.
func move(t *testing.T, s queue.Store, r *queue.Request, next queue.Status) {
	t.Helper()
	from := r.Status
	r.Status = next
	if err := s.Update(context.Background(), r, from); err != nil {
		t.Fatalf("Update %s from %s to %s: %v", r.ID, from, next, err)
	}
}

func mustUpdate(t *testing.T, s queue.Store, r *queue.Request, from queue.Status) {
	t.Helper()
	if err := s.Update(context.Background(), r, from); err != nil {
		t.Fatalf("Update %s from %s: %v", r.ID, from, err)
	}
}
