package queue_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// clock is a settable queue.Clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is a service over a real bbolt store, a fake directory, a recording
// scheduler and a settable clock.
type fixture struct {
	svc      *queue.Service
	store    *boltstore.Store
	accounts *queuetest.Accounts
	sched    *queuetest.Scheduler
	clock    *clock
}

// marchNow is when most tests run: before the DST change of 2027-03-28.
var marchNow = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, cfg queue.Config) *fixture {
	t.Helper()
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "dayone.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	f := &fixture{store: store, accounts: queuetest.NewAccounts(),
		sched: &queuetest.Scheduler{}, clock: &clock{now: marchNow}}
	cfg.Clock = f.clock.Now
	f.svc = queue.NewService(store, f.sched, f.accounts, cfg)
	return f
}

// schedule asks for an activation of login at start in Europe/Berlin.
func (f *fixture) schedule(t *testing.T, login, start string, sendEmail bool) *queue.Request {
	t.Helper()
	r, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: login, Start: start, TimeZone: "Europe/Berlin", SendEmail: sendEmail,
		Actor: "helpdesk@example.com",
	})
	if err != nil {
		t.Fatalf("Schedule %s at %s: %v", login, start, err)
	}
	return r
}

func (f *fixture) get(t *testing.T, id string) *queue.Request {
	t.Helper()
	r, err := f.store.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return r
}

// fireAtDue sets the clock to r's due time and fires it.
func (f *fixture) fireAtDue(t *testing.T, r *queue.Request) (*queue.Request, error) {
	t.Helper()
	f.clock.Set(r.DueAt)
	return f.svc.Fire(context.Background(), r.ID)
}

// countAll returns how many requests the store holds.
func (f *fixture) countAll(t *testing.T) int {
	t.Helper()
	page, err := f.store.List(context.Background(), queue.ListQuery{Limit: queue.MaxPageSize})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return len(page.Requests)
}

// inputError fails the test unless err is an *InputError for field.
func inputError(t *testing.T, err error, field string) *queue.InputError {
	t.Helper()
	var input *queue.InputError
	if !errors.As(err, &input) {
		t.Fatalf("err = %v, want an *InputError for %s", err, field)
	}
	if input.Field != field {
		t.Errorf("InputError field = %q, want %q (%s)", input.Field, field, input.Message)
	}
	if !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
	}
	return input
}

// waitFor polls ok until it holds, for at most ten seconds.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// force moves r through the statuses straight in the store, as a worker
// elsewhere would have.
func (f *fixture) force(t *testing.T, r *queue.Request, statuses ...queue.Status) {
	t.Helper()
	for _, next := range statuses {
		from := r.Status
		r.Status = next
		if next == queue.StatusRunning {
			r.Attempts++
			r.ClaimedAt = f.clock.Now()
		}
		if err := f.store.Update(context.Background(), r, from); err != nil {
			t.Fatalf("Update %s from %s to %s: %v", r.ID, from, next, err)
		}
	}
}

func lastEvent(r *queue.Request) queue.Event {
	if len(r.History) == 0 {
		return queue.Event{}
	}
	return r.History[len(r.History)-1]
}
