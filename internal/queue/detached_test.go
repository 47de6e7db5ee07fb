package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// A browser that goes away while Okta activates must not leave the request
// running: the account was activated, and the outcome is recorded.
func TestActivateNowFinishesWhenTheCallerLeaves(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	ctx, leave := context.WithCancel(context.Background())
	f.accounts.ActivateHook = func(context.Context, string) error {
		leave() // the browser closes the tab while Okta answers
		return nil
	}

	r, err := f.svc.ActivateNow(ctx, queue.ActivateInput{Login: "ada@example.com"})
	if err != nil {
		t.Fatalf("ActivateNow: %v", err)
	}
	if got := f.get(t, r.ID); got.Status != queue.StatusActivated {
		t.Errorf("stored %s (%s), want activated", got.Status, got.Result)
	}
}

// A scheduler failure is recorded even when the caller has gone, so that the
// request never looks scheduled without a trigger.
func TestScheduleFailureIsRecordedWhenTheCallerLeaves(t *testing.T) {
	f := newFixture(t, queue.Config{})
	ctx, leave := context.WithCancel(context.Background())
	f.sched.ScheduleErr = errors.New("awsched: throttled")
	f.sched.Hook = func(queuetest.SchedulerCall) { leave() }

	r, err := f.svc.Schedule(ctx, queue.ScheduleInput{
		Login: "ada@example.com", Start: c3Start, TimeZone: "Europe/Berlin"})
	if err == nil {
		t.Fatal("Schedule succeeded, want the scheduler's error")
	}
	if got := f.get(t, r.ID); got.Status != queue.StatusFailed {
		t.Errorf("stored %s, want failed", got.Status)
	}
}

type unreachable struct{}

func (unreachable) Run(context.Context, string) error {
	return errors.New("lambda: throttled")
}

// When the worker cannot be invoked at all, Activate now says so and the
// request does not stay scheduled for a trigger it never got.
func TestActivateNowWhenTheWorkerCannotBeReached(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.svc.SetRunner(unreachable{})

	r, err := f.svc.ActivateNow(context.Background(), queue.ActivateInput{
		Login: "ada@example.com"})
	if err == nil || r == nil {
		t.Fatalf("ActivateNow = %v, %v; want the request and the error", r, err)
	}
	got := f.get(t, r.ID)
	if got.Status != queue.StatusFailed ||
		!strings.Contains(got.Result, "worker could not be reached") {
		t.Errorf("stored %s: %q", got.Status, got.Result)
	}
	if _, err := f.svc.ActivateNow(context.Background(), queue.ActivateInput{
		Login: "ada@example.com"}); errors.Is(err, queue.ErrOpenRequestExists) {
		t.Error("the login is still blocked by the failed request")
	}
}

// A shutdown that cancels an attempt mid-call must not fail the request for
// good: the user may well still be STAGED.
func TestAnAttemptCutByShutdownIsRetried(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	r := f.schedule(t, "ada@example.com", c3Start, true)
	f.clock.Set(r.DueAt)

	ctx, shutdown := context.WithCancel(context.Background())
	f.accounts.ActivateHook = func(ctx context.Context, _ string) error {
		shutdown()
		return ctx.Err() // what an HTTP client returns: a plain context error
	}
	got, err := f.svc.Fire(ctx, r.ID)
	if err != nil {
		t.Fatalf("Fire: %v", err)
	}
	if got.Status != queue.StatusScheduled || len(f.sched.Retries()) != 1 {
		t.Errorf("after the cut attempt: %s (%s), %d retries armed; want scheduled with one",
			got.Status, got.Result, len(f.sched.Retries()))
	}
}
