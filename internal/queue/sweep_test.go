package queue_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// listRecorder is a store that records the listings asked of it and fails
// them with err when set.
type listRecorder struct {
	queue.Store
	err error

	mu      sync.Mutex
	queries []queue.ListQuery
}

func (l *listRecorder) List(ctx context.Context, q queue.ListQuery) (queue.Page, error) {
	l.mu.Lock()
	l.queries = append(l.queries, q)
	l.mu.Unlock()
	if l.err != nil {
		return queue.Page{}, l.err
	}
	return l.Store.List(ctx, q)
}

// sweeper returns a service over the fixture's ports whose store records
// the listings, as the sweeper would run beside the fixture's service.
func (f *fixture) sweeper(cfg queue.Config) (*queue.Service, *listRecorder) {
	store := &listRecorder{Store: f.store}
	cfg.Clock = f.clock.Now
	return queue.NewService(store, f.sched, f.accounts, cfg), store
}

func sweep(t *testing.T, svc *queue.Service) queue.SweepReport {
	t.Helper()
	report, err := svc.Sweep(context.Background())
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	for _, err := range report.Errors {
		t.Errorf("Sweep reports %v", err)
	}
	return report
}

// checkCounts compares the counts of a report, given as found, fired,
// skipped, failed.
func checkCounts(t *testing.T, got queue.SweepReport, want [4]int, limited bool) {
	t.Helper()
	counts := [4]int{got.Found, got.Fired, got.Skipped, got.Failed}
	if counts != want || got.Limited != limited || len(got.FiredIDs) != got.Fired {
		t.Errorf("report found/fired/skipped/failed %v, limited %t, %d ids; "+
			"want %v, %t", counts, got.Limited, len(got.FiredIDs), want, limited)
	}
}

// checkUntouched fails unless the stored request is still as r.
func (f *fixture) checkUntouched(t *testing.T, r *queue.Request, what string) {
	t.Helper()
	got := f.get(t, r.ID)
	if got.Status != r.Status || got.Version != r.Version || got.Attempts != r.Attempts {
		t.Errorf("%s: %s, version %d, %d attempts; want it untouched (%s, version %d)",
			what, got.Status, got.Version, got.Attempts, r.Status, r.Version)
	}
}

func TestSweepFiresOverdueScheduledRequests(t *testing.T) {
	f := newFixture(t, queue.Config{})
	for _, login := range []string{"overdue@example.com", "late@example.com",
		"future@example.com"} {
		f.accounts.AddUser(login, "STAGED")
	}
	overdue := f.schedule(t, "overdue@example.com", "2027-03-02T09:00", true)
	late := f.schedule(t, "late@example.com", "2027-03-02T09:09", true)
	future := f.schedule(t, "future@example.com", "2027-03-02T10:00", true)
	svc, store := f.sweeper(queue.Config{})

	// Ten minutes after the first was due; the second is one minute late,
	// within the grace, and its trigger may still come.
	f.clock.Set(overdue.DueAt.Add(10 * time.Minute))
	report := sweep(t, svc)

	checkCounts(t, report, [4]int{1, 1, 0, 0}, false)
	got := f.get(t, overdue.ID)
	if got.Status != queue.StatusActivated || got.Attempts != 1 ||
		f.accounts.ActivationsOf("overdue@example.com") != 1 {
		t.Errorf("overdue request %s after %d attempts, %d activate calls; "+
			"want activated with one", got.Status, got.Attempts,
			f.accounts.ActivationsOf("overdue@example.com"))
	}
	if report.FiredIDs[0] != overdue.ID {
		t.Errorf("fired %v, want %s", report.FiredIDs, overdue.ID)
	}
	f.checkUntouched(t, late, "the request within the grace")
	f.checkUntouched(t, future, "the request not yet due")
	checkListings(t, store)

	// A sweep right after finds nothing to do.
	checkCounts(t, sweep(t, svc), [4]int{}, false)
	if n := len(f.accounts.Activations()); n != 1 {
		t.Errorf("%d activate calls after a second sweep; want still 1", n)
	}
}

// checkListings checks that the sweep read only the status listings, and
// stopped reading the scheduled one at the first request within the grace.
func checkListings(t *testing.T, store *listRecorder) {
	t.Helper()
	var statuses []string
	for _, q := range store.queries {
		statuses = append(statuses, string(q.Status))
		if q.Cursor != "" {
			t.Errorf("listing %+v: want no second page", q)
		}
	}
	if got := strings.Join(statuses, ","); got != "running,scheduled" {
		t.Errorf("listings of %s; want running,scheduled", got)
	}
}

func TestSweepTakesOverExpiredClaims(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("lost@example.com", "STAGED")
	f.accounts.AddUser("busy@example.com", "STAGED")
	lost := f.schedule(t, "lost@example.com", "2027-03-02T09:00", true)
	busy := f.schedule(t, "busy@example.com", "2027-03-02T09:00", true)

	// The first attempt claimed it and activated the user, then died.
	f.clock.Set(lost.DueAt)
	f.force(t, lost, queue.StatusRunning)
	f.accounts.SetStatus("lost@example.com", "PROVISIONED")
	f.clock.Set(lost.DueAt.Add(4 * time.Minute))
	f.force(t, busy, queue.StatusRunning)
	svc, _ := f.sweeper(queue.Config{})

	// The first claim is 6 minutes old, past the 5-minute lease; the second 2.
	f.clock.Set(lost.DueAt.Add(6 * time.Minute))
	checkCounts(t, sweep(t, svc), [4]int{1, 1, 0, 0}, false)

	got := f.get(t, lost.ID)
	if got.Status != queue.StatusActivated || got.Attempts != 2 ||
		!strings.Contains(got.Result, "activation email already sent") {
		t.Errorf("request %s after %d attempts (%s); want activated after 2, "+
			"saying the email was already sent", got.Status, got.Attempts, got.Result)
	}
	if n := len(f.accounts.Activations()); n != 0 {
		t.Errorf("%d activate calls; want none, the user was already activated", n)
	}
	if got.History[len(got.History)-2].Event != queue.EventResumed {
		t.Errorf("history %+v; want the expired claim resumed", got.History)
	}
	f.checkUntouched(t, busy, "the request with a fresh claim")
}

func TestSweepIsBounded(t *testing.T) {
	f := newFixture(t, queue.Config{})
	const n = 120
	var last *queue.Request
	for i := range n {
		login := fmt.Sprintf("hire%03d@example.com", i)
		f.accounts.AddUser(login, "STAGED")
		last = f.schedule(t, login, "2027-03-02T09:00", true)
	}
	svc, _ := f.sweeper(queue.Config{})
	f.clock.Set(last.DueAt.Add(time.Hour))

	first := sweep(t, svc)
	checkCounts(t, first, [4]int{queue.DefaultSweepLimit, queue.DefaultSweepLimit, 0, 0}, true)
	if got := len(f.accounts.Activations()); got != queue.DefaultSweepLimit {
		t.Errorf("%d activate calls after the first sweep; want %d", got,
			queue.DefaultSweepLimit)
	}

	rest := n - queue.DefaultSweepLimit
	checkCounts(t, sweep(t, svc), [4]int{rest, rest, 0, 0}, false)
	checkCounts(t, sweep(t, svc), [4]int{}, false)
	if got := len(f.accounts.Activations()); got != n {
		t.Errorf("%d activate calls after three sweeps; want %d, one per request", got, n)
	}
}

func TestSweepStopsPagingAtTheFirstRequestNotOverdue(t *testing.T) {
	f := newFixture(t, queue.Config{})
	for i := range 3 {
		login := fmt.Sprintf("early%d@example.com", i)
		f.accounts.AddUser(login, "STAGED")
		f.schedule(t, login, "2027-03-02T09:00", true)
	}
	for i := range 150 {
		login := fmt.Sprintf("later%03d@example.com", i)
		f.accounts.AddUser(login, "STAGED")
		f.schedule(t, login, "2027-03-03T09:00", true)
	}
	svc, store := f.sweeper(queue.Config{SweepLimit: 2})
	f.clock.Set(time.Date(2027, 3, 2, 12, 0, 0, 0, time.UTC))

	checkCounts(t, sweep(t, svc), [4]int{2, 2, 0, 0}, true)
	checkCounts(t, sweep(t, svc), [4]int{1, 1, 0, 0}, false)
	checkListings(t, &listRecorder{queries: store.queries[2:]})
}

// TestSweepKeepsToTheRetryBackOff: a request waiting for its retry is not
// stranded until the retry's time and the grace have passed; when the retry
// could not be armed, the sweep then fires it.
func TestSweepKeepsToTheRetryBackOff(t *testing.T) {
	f := newFixture(t, queue.Config{RetryDelay: func(int) time.Duration { return time.Hour }})
	f.accounts.AddUser("retry@example.com", "STAGED")
	r := f.schedule(t, "retry@example.com", "2027-03-02T09:00", true)
	f.sched.RetryErr = errors.New("scheduler down")
	fail := errors.New("okta down")
	f.accounts.FindHook = func(context.Context, string) error {
		return fmt.Errorf("%w: %w", queue.ErrTemporary, fail)
	}
	if _, err := f.fireAtDue(t, r); !errors.Is(err, queue.ErrTemporary) {
		t.Fatalf("Fire: %v; want a temporary error, as no retry could be armed", err)
	}
	f.accounts.FindHook = nil
	svc, _ := f.sweeper(queue.Config{RetryDelay: func(int) time.Duration { return time.Hour }})

	f.clock.Set(r.DueAt.Add(time.Hour + queue.DefaultSweepGrace))
	checkCounts(t, sweep(t, svc), [4]int{}, false)
	if got := f.get(t, r.ID); got.Attempts != 1 {
		t.Fatalf("%d attempts; want the retry's time kept", got.Attempts)
	}

	f.clock.Set(r.DueAt.Add(time.Hour + queue.DefaultSweepGrace + time.Second))
	checkCounts(t, sweep(t, svc), [4]int{1, 1, 0, 0}, false)
	if got := f.get(t, r.ID); got.Status != queue.StatusActivated || got.Attempts != 2 {
		t.Errorf("request %s after %d attempts; want activated after 2",
			got.Status, got.Attempts)
	}
}

func TestSweepGoesOnAfterAFailedRequest(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("broken@example.com", "STAGED")
	f.accounts.AddUser("fine@example.com", "STAGED")
	broken := f.schedule(t, "broken@example.com", "2027-03-02T09:00", true)
	fine := f.schedule(t, "fine@example.com", "2027-03-02T09:01", true)
	f.sched.RetryErr = errors.New("scheduler down")
	f.accounts.FindHook = func(_ context.Context, login string) error {
		if login == "broken@example.com" {
			return fmt.Errorf("%w: rate limited", queue.ErrTemporary)
		}
		return nil
	}
	svc, _ := f.sweeper(queue.Config{})
	f.clock.Set(fine.DueAt.Add(time.Hour))

	report, err := svc.Sweep(context.Background())
	if err != nil {
		t.Fatalf("Sweep: %v; want the failure in the report only", err)
	}
	checkCounts(t, report, [4]int{2, 1, 0, 1}, false)
	if len(report.Errors) != 1 || !errors.Is(report.Errors[0], queue.ErrTemporary) ||
		!strings.Contains(report.Errors[0].Error(), "queue: sweep "+broken.ID) {
		t.Errorf("errors %v; want one naming %s, wrapping ErrTemporary", report.Errors, broken.ID)
	}
	if got := f.get(t, fine.ID); got.Status != queue.StatusActivated {
		t.Errorf("the second request is %s; want activated", got.Status)
	}
}

func TestSweepReturnsAListingError(t *testing.T) {
	f := newFixture(t, queue.Config{})
	svc, store := f.sweeper(queue.Config{})
	store.err = errors.New("table gone")

	_, err := svc.Sweep(context.Background())
	if !errors.Is(err, store.err) || !strings.HasPrefix(err.Error(), "queue: sweep: ") {
		t.Errorf("Sweep: %v; want the listing's error, prefixed queue: sweep:", err)
	}
}

// TestSweepLeavesTimeBeforeTheDeadline: with less time left than one fire
// may take, the sweep starts none and says it stopped early.
func TestSweepLeavesTimeBeforeTheDeadline(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("overdue@example.com", "STAGED")
	r := f.schedule(t, "overdue@example.com", "2027-03-02T09:00", true)
	svc, _ := f.sweeper(queue.Config{})
	f.clock.Set(r.DueAt.Add(time.Hour))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	report, err := svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, report, [4]int{}, true)
	f.checkUntouched(t, r, "the request")
}
