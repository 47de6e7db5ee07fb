package localsched_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/testenv"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/localsched"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// deadline bounds every wait; generous for a loaded machine.
const deadline = 10 * time.Second

// env is a service over a real store, a fake directory and the scheduler.
type env struct {
	path     string
	store    *boltstore.Store
	accounts *queuetest.Accounts
	svc      *queue.Service
	sched    *localsched.Scheduler
	logs     *testenv.SyncBuffer

	mu    sync.Mutex
	fired []string // ids the scheduler fired, in order
	at    map[string][]time.Time
}

func newEnv(t *testing.T, path string, accounts *queuetest.Accounts,
	opts localsched.Options) *env {
	t.Helper()
	return newEnvWith(t, path, accounts, opts, queue.Config{})
}

// newEnvWith is newEnv with the service's configuration.
func newEnvWith(t *testing.T, path string, accounts *queuetest.Accounts,
	opts localsched.Options, qcfg queue.Config) *env {
	t.Helper()
	store, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	e := &env{path: path, store: store, accounts: accounts, logs: &testenv.SyncBuffer{},
		at: map[string][]time.Time{}}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	}
	e.sched = localsched.New(e.fire, opts)
	e.svc = queue.NewService(store, e.sched, accounts, qcfg)

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		e.sched.Stop(ctx)
		e.store.Close()
		if t.Failed() {
			t.Logf("scheduler log:\n%s", e.logs)
		}
	})
	return e
}

func (e *env) fire(ctx context.Context, id string) error {
	e.mu.Lock()
	e.fired = append(e.fired, id)
	e.at[id] = append(e.at[id], time.Now())
	e.mu.Unlock()

	_, err := e.svc.Fire(ctx, id)
	return err
}

// firedAt returns when the scheduler fired id, once per fire.
func (e *env) firedAt(id string) []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.at[id])
}

// schedule asks for an activation of login at least ahead from now, on a
// whole second.
func (e *env) schedule(t *testing.T, login string, ahead time.Duration) *queue.Request {
	t.Helper()
	start := time.Now().Add(ahead).Truncate(time.Second).Add(time.Second)
	r, err := e.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: login, Start: start.UTC().Format("2006-01-02T15:04:05"), TimeZone: "UTC",
		SendEmail: true, Actor: "helpdesk@example.com",
	})
	if err != nil {
		t.Fatalf("Schedule %s: %v", login, err)
	}
	return r
}

// waitStatus polls the store until id has the status.
func (e *env) waitStatus(t *testing.T, id string, want queue.Status) *queue.Request {
	t.Helper()
	var r *queue.Request
	waitFor(t, fmt.Sprintf("%s to be %s", id, want), func() bool {
		var err error
		r, err = e.store.Get(context.Background(), id)
		return err == nil && r.Status == want
	})
	return r
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dbPath(t *testing.T) string { return filepath.Join(t.TempDir(), "dayone.db") }

func TestFiresOnceWhenDue(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})

	r := e.schedule(t, "ada@example.com", 300*time.Millisecond)
	if due, ok := e.sched.Armed(r.ID); !ok || !due.Equal(r.DueAt) {
		t.Fatalf("Armed = %s, %t; want %s", due, ok, r.DueAt)
	}
	e.waitStatus(t, r.ID, queue.StatusActivated)

	if n := len(accounts.Activations()); n != 1 {
		t.Errorf("Activate calls = %d, want 1", n)
	}
	if at := e.firedAt(r.ID); len(at) != 1 || at[0].Before(r.DueAt) {
		t.Errorf("fired at %v, want once, not before %s", at, r.DueAt)
	}
	if _, ok := e.sched.Armed(r.ID); ok {
		t.Error("still armed after firing")
	}
}

func TestCancelDisarms(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	accounts.AddUser("marker@example.com", "STAGED")
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})

	// Two seconds of headroom for the cancel, even on a loaded machine.
	r := e.schedule(t, "ada@example.com", 2*time.Second)
	marker := e.schedule(t, "marker@example.com", 3*time.Second)
	if _, err := e.svc.Cancel(context.Background(), r.ID, "helpdesk@example.com"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if _, ok := e.sched.Armed(r.ID); ok {
		t.Error("still armed after Cancel")
	}

	// The marker is due a second later, so the cancelled one's time has passed.
	e.waitStatus(t, marker.ID, queue.StatusActivated)
	if at := e.firedAt(r.ID); len(at) != 0 {
		t.Errorf("cancelled request fired at %v", at)
	}
	if n := accounts.ActivationsOf("ada@example.com"); n != 0 {
		t.Errorf("Activate calls for the cancelled request = %d, want 0", n)
	}
}

func TestRescheduleMoves(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})

	r := e.schedule(t, "ada@example.com", 2*time.Second)
	// The service refuses moves to less than a minute ahead, so the test moves
	// the trigger and the stored time itself, in the service's order.
	later := r.DueAt.Add(2 * time.Second)
	moved := r.Clone()
	moved.DueAt, moved.Start = later, later.Format("2006-01-02T15:04:05")
	if err := e.sched.Reschedule(context.Background(), moved); err != nil {
		t.Fatalf("Reschedule: %v", err)
	}
	if err := e.store.Update(context.Background(), moved, queue.StatusScheduled); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if due, ok := e.sched.Armed(r.ID); !ok || !due.Equal(later) {
		t.Fatalf("Armed = %s, %t; want %s", due, ok, later)
	}

	e.waitStatus(t, moved.ID, queue.StatusActivated)
	if at := e.firedAt(r.ID); len(at) != 1 || at[0].Before(later) {
		t.Errorf("fired at %v, want once, not before the new time %s", at, later)
	}
	if n := len(accounts.Activations()); n != 1 {
		t.Errorf("Activate calls = %d, want 1", n)
	}
}

func TestRestartRearms(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	path := dbPath(t)
	first := newEnv(t, path, accounts, localsched.Options{})
	r := first.schedule(t, "ada@example.com", time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := first.sched.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := first.store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if time.Now().After(r.DueAt) {
		t.Skip("the machine was too slow to stop before the request was due")
	}

	second := newEnv(t, path, accounts, localsched.Options{})
	if err := second.sched.Start(ctx, second.store, resumer(second.svc)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if due, ok := second.sched.Armed(r.ID); !ok || !due.Equal(r.DueAt) {
		t.Errorf("Armed after Start = %s, %t; want %s", due, ok, r.DueAt)
	}
	second.waitStatus(t, r.ID, queue.StatusActivated)

	if at := first.firedAt(r.ID); len(at) != 0 {
		t.Errorf("the stopped scheduler fired at %v", at)
	}
	if at := second.firedAt(r.ID); len(at) != 1 || at[0].Before(r.DueAt) {
		t.Errorf("fired at %v, want once, not before %s", at, r.DueAt)
	}
	if n := len(accounts.Activations()); n != 1 {
		t.Errorf("Activate calls = %d, want 1", n)
	}
}

func resumer(svc *queue.Service) func(context.Context, string) error {
	return func(ctx context.Context, id string) error {
		_, err := svc.Resume(ctx, id)
		return err
	}
}

func TestStartFiresOverdue(t *testing.T) {
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})
	due := time.Now().Add(-3*time.Minute - 12*time.Second).Truncate(time.Second)
	r := queuetest.NewRequest("r-overdue", "ada@example.com", due)
	if err := e.store.Create(context.Background(), r); err != nil {
		t.Fatalf("Create: %v", err)
	}

	if err := e.sched.Start(context.Background(), e.store, resumer(e.svc)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	got := e.waitStatus(t, r.ID, queue.StatusActivated)

	if n := len(accounts.Activations()); n != 1 || got.Attempts != 1 {
		t.Errorf("Activate calls = %d, attempts = %d; want 1 and 1", n, got.Attempts)
	}
	late := regexp.MustCompile(`level=INFO msg="localsched: fired 3m1[2-9]s late" id=r-overdue`)
	waitFor(t, "the lateness in the log", func() bool { return late.MatchString(e.logs.String()) })
}

func TestStartResumesRunning(t *testing.T) {
	ctx := context.Background()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("done@example.com", "PROVISIONED")
	accounts.AddUser("todo@example.com", "STAGED")
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})

	// A crash left both claimed a minute ago, well within the lease: only
	// Resume may take them over. The first one's activate call had gone
	// through before the crash.
	var left []*queue.Request
	for _, login := range []string{"done@example.com", "todo@example.com"} {
		r := queuetest.NewRequest("r-"+login, login, time.Now().Add(-2*time.Minute))
		if err := e.store.Create(ctx, r); err != nil {
			t.Fatalf("Create: %v", err)
		}
		r.Status, r.Attempts, r.ClaimedAt = queue.StatusRunning, 1, time.Now().Add(-time.Minute)
		if err := e.store.Update(ctx, r, queue.StatusScheduled); err != nil {
			t.Fatalf("Update: %v", err)
		}
		left = append(left, r)
	}

	if err := e.sched.Start(ctx, e.store, resumer(e.svc)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	done := e.waitStatus(t, left[0].ID, queue.StatusActivated)
	todo := e.waitStatus(t, left[1].ID, queue.StatusActivated)

	if n := accounts.ActivationsOf("done@example.com"); n != 0 {
		t.Errorf("Activate calls for the already provisioned user = %d, want 0", n)
	}
	if !strings.Contains(done.Result, "activation email already sent") {
		t.Errorf("Result = %q, want it to say the email was already sent", done.Result)
	}
	if n := accounts.ActivationsOf("todo@example.com"); n != 1 || todo.Attempts != 2 {
		t.Errorf("staged user: %d Activate calls, attempts %d; want 1 and 2", n, todo.Attempts)
	}
}

func TestMaxConcurrent(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	var mu sync.Mutex
	inFlight, peak := 0, 0
	release := make(chan struct{})
	accounts.ActivateHook = func(ctx context.Context, _ string) error {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		defer func() {
			mu.Lock()
			inFlight--
			mu.Unlock()
		}()
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	e := newEnv(t, dbPath(t), accounts, localsched.Options{MaxConcurrent: 2})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before the env's cleanup stops the scheduler

	var ids []string
	start := time.Now().Add(300 * time.Millisecond).Truncate(time.Second).Add(time.Second)
	for i := range 6 {
		login := fmt.Sprintf("user%d@example.com", i)
		accounts.AddUser(login, "STAGED")
		r, err := e.svc.Schedule(context.Background(), queue.ScheduleInput{
			Login: login, Start: start.UTC().Format("2006-01-02T15:04:05"), TimeZone: "UTC",
		})
		if err != nil {
			t.Fatalf("Schedule: %v", err)
		}
		ids = append(ids, r.ID)
	}

	waitFor(t, "all timers to go off and two activations in flight", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return inFlight == 2 && len(e.firedAtAll()) == 2 && noneArmed(e.sched, ids)
	})
	counts := countStatuses(t, e.store)
	if counts[queue.StatusRunning] != 2 || counts[queue.StatusScheduled] != 4 {
		t.Errorf("while two are blocked: %v, want 2 running and 4 scheduled", counts)
	}

	unblock()
	for _, id := range ids {
		e.waitStatus(t, id, queue.StatusActivated)
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != 2 {
		t.Errorf("peak of concurrent activations = %d, want 2", peak)
	}
}

// firedAtAll returns every id fired so far.
func (e *env) firedAtAll() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.fired)
}

func noneArmed(s *localsched.Scheduler, ids []string) bool {
	for _, id := range ids {
		if _, ok := s.Armed(id); ok {
			return false
		}
	}
	return true
}

func countStatuses(t *testing.T, s queue.Store) map[queue.Status]int {
	t.Helper()
	page, err := s.List(context.Background(), queue.ListQuery{Limit: queue.MaxPageSize})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	counts := map[queue.Status]int{}
	for _, r := range page.Requests {
		counts[r.Status]++
	}
	return counts
}

// TestTemporaryErrorRetried: the service arms each retry through Retry, at
// its own time, and the scheduler fires it then; its own re-arm is not used.
func TestTemporaryErrorRetried(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	var mu sync.Mutex
	failures := 2
	accounts.FindHook = func(context.Context, string) error {
		mu.Lock()
		defer mu.Unlock()
		if failures == 0 {
			return nil
		}
		failures--
		return fmt.Errorf("okta: 429 rate limited: %w", queue.ErrTemporary)
	}
	var ownDelays []int
	const serviceDelay = 200 * time.Millisecond
	e := newEnvWith(t, dbPath(t), accounts, localsched.Options{
		RetryDelay: func(attempt int) time.Duration {
			mu.Lock()
			ownDelays = append(ownDelays, attempt)
			mu.Unlock()
			return time.Hour
		},
	}, queue.Config{RetryDelay: func(int) time.Duration { return serviceDelay }})

	r := e.schedule(t, "ada@example.com", 300*time.Millisecond)
	got := e.waitStatus(t, r.ID, queue.StatusActivated)

	fired := e.firedAt(r.ID)
	if len(fired) != 3 || got.Attempts != 3 {
		t.Fatalf("fired %d times, attempts %d; want 3 and 3", len(fired), got.Attempts)
	}
	retries := eventsOf(got, queue.EventRetry)
	if len(retries) != 2 {
		t.Fatalf("%d retry events, want 2: %+v", len(retries), got.History)
	}
	for i, ev := range retries {
		if at := ev.At.Add(serviceDelay); fired[i+1].Before(at) {
			t.Errorf("retry %d fired at %s, before the service's time %s",
				i+1, fired[i+1].Format(time.StampMicro), at.Format(time.StampMicro))
		}
	}
	if n := len(accounts.Activations()); n != 1 {
		t.Errorf("Activate calls = %d, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ownDelays) != 0 {
		t.Errorf("the scheduler re-armed on its own after attempts %v, want never", ownDelays)
	}
}

func eventsOf(r *queue.Request, event string) []queue.Event {
	var out []queue.Event
	for _, ev := range r.History {
		if ev.Event == event {
			out = append(out, ev)
		}
	}
	return out
}

// TestRetryReplacesTheTrigger: Retry moves an armed trigger to its time.
func TestRetryReplacesTheTrigger(t *testing.T) {
	t.Parallel()
	fired := make(chan time.Time, 2)
	s := localsched.New(func(context.Context, string) error {
		fired <- time.Now()
		return nil
	}, localsched.Options{})
	t.Cleanup(func() { s.Stop(context.Background()) })

	r := &queue.Request{ID: "r-1", DueAt: time.Now().Add(time.Hour)}
	if err := s.Schedule(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(100 * time.Millisecond)
	if err := s.Retry(context.Background(), r, at); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if due, ok := s.Armed(r.ID); !ok || !due.Equal(at) {
		t.Fatalf("Armed = %s, %t; want %s", due, ok, at)
	}

	select {
	case when := <-fired:
		if when.Before(at) {
			t.Errorf("fired at %s, before the retry time %s", when, at)
		}
	case <-time.After(deadline):
		t.Fatal("the retry never fired")
	}
	if _, ok := s.Armed(r.ID); ok {
		t.Error("still armed after the retry fired: the hour-ahead trigger was kept")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(context.Background(), r, at); !errors.Is(err, localsched.ErrStopped) {
		t.Errorf("Retry after Stop: err = %v, want ErrStopped", err)
	}
}

// TestTemporaryErrorWithoutRetryIsRearmed: a fire that returns ErrTemporary
// (the service could not arm a retry) is armed again by the scheduler.
func TestTemporaryErrorWithoutRetryIsRearmed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	var delays []int
	s := localsched.New(func(context.Context, string) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return fmt.Errorf("queue: arm the retry of r-1 (%w): %w",
				queue.ErrTemporary, errors.New("no trigger"))
		}
		return nil
	}, localsched.Options{
		Logger: slog.New(slog.DiscardHandler),
		RetryDelay: func(attempt int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			delays = append(delays, attempt)
			return 50 * time.Millisecond
		},
	})
	t.Cleanup(func() { s.Stop(context.Background()) })

	if err := s.Schedule(context.Background(),
		&queue.Request{ID: "r-1", DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second fire", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return calls == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(delays, []int{1}) {
		t.Errorf("RetryDelay asked for attempts %v, want [1]", delays)
	}
}

func TestStopWaitsThenCancels(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	entered := make(chan struct{})
	var hookErr error
	accounts.ActivateHook = func(ctx context.Context, _ string) error {
		close(entered)
		<-ctx.Done()
		hookErr = ctx.Err()
		return hookErr
	}
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})
	r := e.schedule(t, "ada@example.com", 100*time.Millisecond)
	select {
	case <-entered:
	case <-time.After(deadline):
		t.Fatal("the activation never started")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := e.sched.Stop(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop with a fire in flight: err = %v, want DeadlineExceeded", err)
	}
	if !errors.Is(hookErr, context.Canceled) {
		t.Errorf("the fire's context: %v, want cancelled", hookErr)
	}
	if err := e.sched.Schedule(context.Background(), r); !errors.Is(err, localsched.ErrStopped) {
		t.Errorf("Schedule after Stop: err = %v, want ErrStopped", err)
	}
}

func TestDefaultRetryDelay(t *testing.T) {
	want := map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 5: 8 * time.Minute,
		6: 15 * time.Minute, 50: 15 * time.Minute,
	}
	for attempt, d := range want {
		if got := localsched.DefaultRetryDelay(attempt); got != d {
			t.Errorf("DefaultRetryDelay(%d) = %s, want %s", attempt, got, d)
		}
	}
}

// TestFireErrorsRetried: a store failure is tried again, an unknown id is not.
func TestFireErrorsRetried(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]int{}
	fire := func(_ context.Context, id string) error {
		mu.Lock()
		defer mu.Unlock()
		calls[id]++
		switch {
		case id == "r-store" && calls[id] == 1:
			return errors.New("boltstore: read r-store: input/output error")
		case id == "r-gone":
			return fmt.Errorf("boltstore: r-gone: %w", queue.ErrNotFound)
		}
		return nil
	}
	logs := &testenv.SyncBuffer{}
	s := localsched.New(fire, localsched.Options{
		Logger:     slog.New(slog.NewTextHandler(logs, nil)),
		RetryDelay: func(int) time.Duration { return 50 * time.Millisecond },
	})
	t.Cleanup(func() { s.Stop(context.Background()) })

	now := time.Now()
	for id, due := range map[string]time.Time{
		"r-store": now, "r-gone": now, "r-marker": now.Add(500 * time.Millisecond),
	} {
		r := &queue.Request{ID: id, DueAt: due}
		if err := s.Schedule(context.Background(), r); err != nil {
			t.Fatalf("Schedule %s: %v", id, err)
		}
	}
	waitFor(t, "the marker and the retry", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return calls["r-marker"] == 1 && calls["r-store"] == 2
	})

	mu.Lock()
	defer mu.Unlock()
	if calls["r-gone"] != 1 {
		t.Errorf("an unknown id fired %d times, want 1", calls["r-gone"])
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("no error logged:\n%s", logs)
	}
}

func TestScheduleAgainIsIdempotent(t *testing.T) {
	s := localsched.New(func(context.Context, string) error { return nil }, localsched.Options{})
	t.Cleanup(func() { s.Stop(context.Background()) })
	due := time.Now().Add(time.Hour)
	r := &queue.Request{ID: "r-1", DueAt: due}

	for range 2 {
		if err := s.Schedule(context.Background(), r); err != nil {
			t.Fatalf("Schedule: %v", err)
		}
	}
	if got, ok := s.Armed("r-1"); !ok || !got.Equal(due) {
		t.Errorf("Armed = %s, %t; want %s", got, ok, due)
	}
	if err := s.Cancel(context.Background(), "never-armed"); err != nil {
		t.Errorf("Cancel of an unknown id: %v", err)
	}
}

// Stop lets the fires under way finish but starts none of those still
// waiting for a slot: they stay scheduled for the next Start.
func TestStopStartsNoWaitingFire(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	inFlight := make(chan struct{}, 3)
	release := make(chan struct{})
	accounts.ActivateHook = func(ctx context.Context, _ string) error {
		inFlight <- struct{}{}
		<-release
		return nil
	}
	e := newEnv(t, dbPath(t), accounts, localsched.Options{MaxConcurrent: 1})

	var ids []string
	for i := range 3 {
		login := fmt.Sprintf("wait%d@example.com", i)
		accounts.AddUser(login, "STAGED")
		ids = append(ids, e.schedule(t, login, 300*time.Millisecond).ID)
	}
	<-inFlight // one fire holds the only slot; two wait for it

	stopped := make(chan error, 1)
	go func() { stopped <- e.sched.Stop(context.Background()) }()
	waitFor(t, "the scheduler to be stopping", func() bool {
		return e.sched.Schedule(context.Background(), &queue.Request{ID: "probe"}) != nil
	})
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}

	if n := len(accounts.Activations()); n != 1 {
		t.Errorf("%d activations after Stop, want only the one under way", n)
	}
	scheduled := 0
	for _, id := range ids {
		if r, err := e.store.Get(context.Background(), id); err == nil &&
			r.Status == queue.StatusScheduled {
			scheduled++
		}
	}
	if scheduled != 2 {
		t.Errorf("%d requests still scheduled, want 2", scheduled)
	}
}
