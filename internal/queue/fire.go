package queue

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// workerActor is the actor of the events the worker records.
const workerActor = "dayone-worker"

// Fire is the worker's entry: it claims the request with a conditional
// scheduled → running write, asks the directory to activate the user and
// records the outcome. A request that is already claimed, finished, cancelled
// or not yet due is returned unchanged with a nil error, so that a duplicate
// or early delivery is a no-op. A request waiting for a retry is not due
// before its RetryAt.
//
// When the attempt fails for a reason that may pass and attempts remain, the
// request is scheduled again and the Scheduler arms a retry after
// Config.RetryDelay; Fire then returns the scheduled request, whose RetryAt
// and result name the retry time, with a nil error: nothing is left for the
// caller to do. Only when no retry could be armed does it return an error
// wrapping both ErrTemporary and the scheduler's error: the caller (the
// platform that delivered the request) should then retry later itself.
// ErrNotFound when the id is unknown; a store failure as the store returns it.
func (s *Service) Fire(ctx context.Context, id string) (*Request, error) {
	return s.fire(ctx, id, false)
}

// Resume finishes a request that a crash left running, whatever the age of
// its claim. It reads the user's status before any call, so an account that
// the lost attempt already activated is not activated again. Only call it
// when no other worker can hold the claim (at start-up of a single process).
func (s *Service) Resume(ctx context.Context, id string) (*Request, error) {
	return s.fire(ctx, id, true)
}

func (s *Service) fire(ctx context.Context, id string, takeOver bool) (*Request, error) {
	r, _, err := s.fireIf(ctx, id, func(r *Request) bool { return s.claimable(r, takeOver) })
	return r, err
}

// fireIf is fire with the claim rule given: it claims the stored request only
// when may holds for it, and reports whether this call claimed it.
func (s *Service) fireIf(ctx context.Context, id string,
	may func(*Request) bool) (*Request, bool, error) {
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	from := r.Status
	if !may(r) {
		return r, false, nil
	}

	r.Status = StatusRunning
	r.Attempts++
	r.ClaimedAt = s.now()
	r.RetryAt = time.Time{}
	event := EventClaimed
	if from == StatusRunning {
		event = EventResumed
	}
	r.record(r.ClaimedAt, workerActor, event, fmt.Sprintf("attempt %d", r.Attempts))
	if err := s.store.Update(ctx, r, from); err != nil {
		r, err := s.lostClaim(ctx, id, err)
		return r, false, err
	}

	attempt, cancel := withReserve(ctx, outcomeReserve)
	defer cancel()
	out := s.activate(attempt, r)
	if !out.activated && attempt.Err() != nil {
		// Our own deadline or a shutdown cut the attempt short, not Okta: that
		// passes. The next attempt reads the user's status first, so an
		// activation that went through meanwhile is not repeated.
		out.temporary = true
	}

	// The outcome is recorded even if the caller has given up meanwhile: the
	// account may have been activated, and the claim must not be left behind.
	record, cancelRecord := detached(ctx, settleTimeout)
	defer cancelRecord()
	r, err = s.finish(record, r, out)
	return r, true, err
}

// withReserve ends the returned context reserve before ctx's own deadline.
func withReserve(ctx context.Context, reserve time.Duration) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}

// claimable reports whether this delivery may take the request.
func (s *Service) claimable(r *Request, takeOver bool) bool {
	now := s.now()
	switch r.Status {
	case StatusScheduled:
		return !now.Before(r.NextTry().Add(-EarlyTolerance))
	case StatusRunning:
		return takeOver || now.After(r.ClaimedAt.Add(s.cfg.Lease))
	}
	return false
}

// lostClaim returns the request as the winner of a claim race left it.
func (s *Service) lostClaim(ctx context.Context, id string, err error) (*Request, error) {
	if !errors.Is(err, ErrConflict) {
		return nil, err
	}
	return s.store.Get(ctx, id)
}

// finish records the outcome of an attempt and, after a temporary failure
// with attempts left, arms the retry once the outcome is saved.
func (s *Service) finish(ctx context.Context, r *Request, out outcome) (*Request, error) {
	now := s.now()
	r.Result = out.result

	var retryAt time.Time
	switch {
	case out.temporary && r.Attempts < s.cfg.MaxAttempts:
		retryAt = now.Add(s.cfg.RetryDelay(r.Attempts))
		r.Status, r.RetryAt = StatusScheduled, retryAt
		r.Result = fmt.Sprintf("attempt %d failed, will retry at %s: %s",
			r.Attempts, retryAt.UTC().Format("15:04:05 MST"), out.result)
		r.record(now, workerActor, EventRetry, r.Result)
	case out.temporary:
		r.Status = StatusFailed
		r.Result = fmt.Sprintf("gave up after %d attempts: %s", r.Attempts, out.result)
		r.record(now, workerActor, EventFailed, r.Result)
	case out.activated:
		r.Status = StatusActivated
		r.record(now, workerActor, EventActivated, out.result)
	default:
		r.Status = StatusFailed
		r.record(now, workerActor, EventFailed, out.result)
	}

	if err := s.store.Update(ctx, r, StatusRunning); err != nil {
		return r, fmt.Errorf("queue: record the outcome of %s: %w", r.ID, err)
	}
	if r.Status == StatusScheduled {
		return r, s.armRetry(ctx, r, retryAt, out.result)
	}
	return r, nil
}

// armRetry asks the scheduler for the retry of r at at. When it cannot, the
// error wraps ErrTemporary, so that whoever delivered the attempt retries it.
//
// TODO(retry-unarmed): when Retry fails, the saved result still names the
// retry time, though only the caller's own retry follows, or Sweep up to
// Config.SweepGrace and one sweep interval after that time (a synchronous
// Activate now through the worker Lambda gets only the sweep).
func (s *Service) armRetry(ctx context.Context, r *Request, at time.Time,
	result string) error {
	if err := s.sched.Retry(ctx, r, at); err != nil {
		return fmt.Errorf("queue: arm the retry of %s (%w: %s): %w",
			r.ID, ErrTemporary, result, err)
	}
	return nil
}
