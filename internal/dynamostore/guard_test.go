package dynamostore

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// checkOpen fails the test unless err is an *OpenRequestError naming existing.
func checkOpen(t *testing.T, err error, existing string) {
	t.Helper()
	var open *queue.OpenRequestError
	if !errors.As(err, &open) || open.ExistingID != existing {
		t.Fatalf("err = %v, want an *OpenRequestError naming %s", err, existing)
	}
}

// holderOf returns the request id the login's guard names, or "" when there
// is no guard.
func holderOf(t *testing.T, s *Store, login string) string {
	t.Helper()
	return stringAt(rawItem(t, s, guardKey(queue.LoginKey(login))), attrHolder)
}

// A create that crashed after its guard and before its request leaves a
// guard without a request: it blocks the login for the grace period only.
func TestGuardWithoutRequest(t *testing.T) {
	t.Parallel()
	clk := newClock(queuetest.Base.Add(-72 * time.Hour))
	s := newStore(t, Options{Clock: clk.Now})
	crashed := queuetest.NewRequest("r-crashed", "anna@example.com", queuetest.Base)
	if err := s.claimLogin(t.Context(), crashed); err != nil {
		t.Fatalf("claimLogin: %v", err)
	}

	next := queuetest.NewRequest("r-next", "Anna@example.com", queuetest.Base)
	clk.Add(guardGrace - time.Second)
	checkOpen(t, s.Create(t.Context(), next), crashed.ID)

	clk.Add(time.Second)
	if err := s.Create(t.Context(), next); err != nil {
		t.Fatalf("Create once the grace period is over: %v", err)
	}
	if got := holderOf(t, s, next.Login); got != next.ID {
		t.Errorf("guard names %q, want %q", got, next.ID)
	}
	third := queuetest.NewRequest("r-third", "anna@example.com", queuetest.Base)
	checkOpen(t, s.Create(t.Context(), third), next.ID)
}

// An update that crashed after finishing its request and before deleting the
// guard leaves a guard naming a finished request: the login is free at once.
func TestGuardOfFinishedRequest(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	done := queuetest.NewRequest("r-done", "ben@example.com", queuetest.Base)
	if err := s.Create(t.Context(), done); err != nil {
		t.Fatalf("Create: %v", err)
	}
	done.Status = queue.StatusCancelled
	if err := s.putRequest(t.Context(), done, 1, stillAt(queue.StatusScheduled, 0)); err != nil {
		t.Fatalf("finish without releasing the guard: %v", err)
	}
	if got := holderOf(t, s, done.Login); got != done.ID {
		t.Fatalf("guard names %q before the test, want %q", got, done.ID)
	}

	next := queuetest.NewRequest("r-next", "ben@example.com", queuetest.Base)
	if err := s.Create(t.Context(), next); err != nil {
		t.Fatalf("Create over a guard of a finished request: %v", err)
	}
	if got := holderOf(t, s, next.Login); got != next.ID {
		t.Errorf("guard names %q, want %q", got, next.ID)
	}
}

// Creates racing to take over one stale guard: exactly one wins, the others
// are told which request holds the login.
func TestConcurrentTakeOver(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	done := queuetest.NewRequest("r-done", "cleo@example.com", queuetest.Base)
	if err := s.Create(t.Context(), done); err != nil {
		t.Fatalf("Create: %v", err)
	}
	done.Status = queue.StatusFailed
	if err := s.putRequest(t.Context(), done, 1, stillAt(queue.StatusScheduled, 0)); err != nil {
		t.Fatalf("finish without releasing the guard: %v", err)
	}

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := queuetest.NewRequest(fmt.Sprintf("r-%d", i), "cleo@example.com", queuetest.Base)
			errs[i] = s.Create(t.Context(), r)
		})
	}
	wg.Wait()

	winner := ""
	for i, err := range errs {
		if err == nil {
			if winner != "" {
				t.Fatalf("%s and r-%d were both created", winner, i)
			}
			winner = fmt.Sprintf("r-%d", i)
		}
	}
	if winner == "" {
		t.Fatalf("no create won: %v", errs)
	}
	for _, err := range errs {
		if err != nil {
			checkOpen(t, err, winner)
		}
	}
	if got := holderOf(t, s, "cleo@example.com"); got != winner {
		t.Errorf("guard names %q, want the winner %q", got, winner)
	}
}

// A create retried after an unseen success fails on the taken id and keeps
// the login guarded; finishing the request removes the guard.
func TestGuardLifecycle(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	r := queuetest.NewRequest("r-1", "dora@example.com", queuetest.Base)
	if err := s.Create(t.Context(), r); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := s.Create(t.Context(), r.Clone()); !errors.Is(err, queue.ErrConflict) {
		t.Errorf("Create retried: err = %v, want ErrConflict", err)
	}
	if got := holderOf(t, s, r.Login); got != r.ID {
		t.Fatalf("guard after a retried create names %q, want %q", got, r.ID)
	}

	r.Status = queue.StatusRunning
	if err := s.Update(t.Context(), r, queue.StatusScheduled); err != nil {
		t.Fatalf("Update to running: %v", err)
	}
	if got := holderOf(t, s, r.Login); got != r.ID {
		t.Fatalf("guard of a running request names %q, want %q", got, r.ID)
	}
	r.Status = queue.StatusActivated
	if err := s.Update(t.Context(), r, queue.StatusRunning); err != nil {
		t.Fatalf("Update to activated: %v", err)
	}
	if it := rawItem(t, s, guardKey(r.LoginKey)); it != nil {
		t.Errorf("guard after the request finished = %v, want none", it)
	}
}
