package localsched_test

import (
	"context"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/localsched"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// createRetrying stores a request whose first attempt failed: overdue, with a
// retry pending at retryAt, as a shutdown would have left it.
func createRetrying(t *testing.T, e *env, id, login string, retryAt time.Time) *queue.Request {
	t.Helper()
	r := queuetest.NewRequest(id, login, time.Now().Add(-time.Minute))
	r.Attempts, r.RetryAt = 1, retryAt
	if err := e.store.Create(context.Background(), r); err != nil {
		t.Fatalf("Create %s: %v", id, err)
	}
	return r
}

// TestStartKeepsAPendingRetry: after a restart, a retry pending at shutdown is
// armed at its retry time, not at the long-passed due time; one whose time
// has passed fires at once.
func TestStartKeepsAPendingRetry(t *testing.T) {
	t.Parallel()
	accounts := queuetest.NewAccounts()
	accounts.AddUser("ada@example.com", "STAGED")
	accounts.AddUser("bob@example.com", "STAGED")
	e := newEnv(t, dbPath(t), accounts, localsched.Options{})
	pending := createRetrying(t, e, "r-pending", "ada@example.com",
		time.Now().Add(1500*time.Millisecond))
	passed := createRetrying(t, e, "r-passed", "bob@example.com",
		time.Now().Add(-10*time.Second))

	if err := e.sched.Start(context.Background(), e.store, resumer(e.svc)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if at, ok := e.sched.Armed(pending.ID); !ok || !at.Equal(pending.RetryAt) {
		t.Errorf("Armed after Start = %s, %t; want the retry time %s",
			at, ok, pending.RetryAt)
	}

	e.waitStatus(t, passed.ID, queue.StatusActivated)
	got := e.waitStatus(t, pending.ID, queue.StatusActivated)
	if at := e.firedAt(pending.ID); len(at) != 1 || at[0].Before(pending.RetryAt) {
		t.Errorf("fired at %v; want once, not before %s", at, pending.RetryAt)
	}
	if got.Attempts != 2 || !got.RetryAt.IsZero() {
		t.Errorf("attempts %d, RetryAt %s; want 2 and cleared", got.Attempts, got.RetryAt)
	}
	if n := len(accounts.Activations()); n != 2 {
		t.Errorf("Activate calls = %d, want 2 (one per request)", n)
	}
}
