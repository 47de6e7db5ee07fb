package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// failOnce makes the first Okta lookup of the fixture fail for a reason that
// may pass, then lets every later one through.
func failOnce(f *fixture) {
	failed := false
	f.accounts.FindHook = func(context.Context, string) error {
		if failed {
			return nil
		}
		failed = true
		return fmt.Errorf("okta: 503: %w", queue.ErrTemporary)
	}
}

// retrying schedules ada's activation and fails its first attempt, leaving a
// retry pending ten minutes after the due time.
func retrying(t *testing.T, f *fixture) *queue.Request {
	t.Helper()
	f.accounts.AddUser("ada@example.com", "STAGED")
	failOnce(f)
	r := f.schedule(t, "ada@example.com", c3Start, true)
	got, err := f.fireAtDue(t, r)
	if err != nil || got.Status != queue.StatusScheduled {
		t.Fatalf("first attempt: %s, %v; want scheduled with a retry", got.Status, err)
	}
	stored := f.get(t, r.ID)
	if want := r.DueAt.Add(10 * time.Minute); !stored.RetryAt.Equal(want) {
		t.Fatalf("RetryAt = %s, want %s", stored.RetryAt, want)
	}
	if !stored.DueAt.Equal(r.DueAt) {
		t.Errorf("DueAt = %s, want it kept at %s", stored.DueAt, r.DueAt)
	}
	return stored
}

func tenMinutes(int) time.Duration { return 10 * time.Minute }

// TestDuplicateDeliveryBeforeTheRetryDoesNothing: a delivery after the due
// time but before the retry's time is a no-op without any Okta call; one at
// the retry's time tries again and clears RetryAt.
func TestDuplicateDeliveryBeforeTheRetryDoesNothing(t *testing.T) {
	f := newFixture(t, queue.Config{RetryDelay: tenMinutes})
	r := retrying(t, f)
	finds, activations := len(f.accounts.Finds()), len(f.accounts.Activations())

	for _, at := range []time.Time{r.DueAt, r.RetryAt.Add(-queue.EarlyTolerance - time.Second)} {
		f.clock.Set(at)
		got, err := f.svc.Fire(context.Background(), r.ID)
		if err != nil || got.Status != queue.StatusScheduled || got.Version != r.Version {
			t.Fatalf("delivery at %s: %s v%d, %v; want scheduled v%d, untouched",
				at, got.Status, got.Version, err, r.Version)
		}
	}
	if n, m := len(f.accounts.Finds()), len(f.accounts.Activations()); n != finds ||
		m != activations {
		t.Errorf("Okta calls %d lookups, %d activations; want %d and %d, none new",
			n, m, finds, activations)
	}

	f.clock.Set(r.RetryAt)
	got, err := f.svc.Fire(context.Background(), r.ID)
	if err != nil || got.Status != queue.StatusActivated || got.Attempts != 2 {
		t.Fatalf("delivery at the retry time: %s after %d attempts, %v; want activated after 2",
			got.Status, got.Attempts, err)
	}
	if stored := f.get(t, r.ID); !stored.RetryAt.IsZero() {
		t.Errorf("RetryAt = %s after the retry, want zero", stored.RetryAt)
	}
}

// TestRescheduleAndCancelClearTheRetry: moving or cancelling a request that
// waits for a retry leaves no retry time behind.
func TestRescheduleAndCancelClearTheRetry(t *testing.T) {
	f := newFixture(t, queue.Config{RetryDelay: tenMinutes})
	r := retrying(t, f)
	ctx := context.Background()

	moved, err := f.svc.Reschedule(ctx, r.ID, queue.RescheduleInput{
		Start: "2027-04-02T08:00", TimeZone: "Europe/Berlin", Actor: "ada@example.com"})
	if err != nil {
		t.Fatalf("Reschedule: %v", err)
	}
	if stored := f.get(t, r.ID); !moved.RetryAt.IsZero() || !stored.RetryAt.IsZero() {
		t.Errorf("RetryAt after Reschedule = %s (stored %s), want zero",
			moved.RetryAt, stored.RetryAt)
	}

	f2 := newFixture(t, queue.Config{RetryDelay: tenMinutes})
	r2 := retrying(t, f2)
	if _, err := f2.svc.Cancel(ctx, r2.ID, "ada@example.com"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if stored := f2.get(t, r2.ID); !stored.RetryAt.IsZero() {
		t.Errorf("RetryAt after Cancel = %s, want zero", stored.RetryAt)
	}
}

// TestSweepKeepsToTheStoredRetryTime: the sweep reads the retry time from
// the request, not from its history: a request whose RetryAt is within the
// grace is left alone, one past it is fired.
func TestSweepKeepsToTheStoredRetryTime(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	r := f.schedule(t, "ada@example.com", c3Start, true)
	r.RetryAt = r.DueAt.Add(2 * time.Hour) // no retry event: only the field says so
	f.force(t, r, queue.StatusScheduled)
	svc, _ := f.sweeper(queue.Config{})

	f.clock.Set(r.RetryAt.Add(queue.DefaultSweepGrace))
	checkCounts(t, sweep(t, svc), [4]int{}, false)
	f.checkUntouched(t, r, "within the grace after the retry time")
	if n := len(f.accounts.Finds()); n != 0 {
		t.Errorf("%d Okta lookups, want none", n)
	}

	f.clock.Set(r.RetryAt.Add(queue.DefaultSweepGrace + time.Second))
	checkCounts(t, sweep(t, svc), [4]int{1, 1, 0, 0}, false)
	if got := f.get(t, r.ID); got.Status != queue.StatusActivated || !got.RetryAt.IsZero() {
		t.Errorf("request %s, RetryAt %s; want activated, RetryAt cleared",
			got.Status, got.RetryAt)
	}
}
