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
// or early delivery is a no-op. An error wrapping ErrTemporary means the
// attempt failed for a reason that may pass: the request is scheduled again
// and the caller should retry later. ErrNotFound when the id is unknown.
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
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	from := r.Status
	if !s.claimable(r, takeOver) {
		return r, nil
	}

	r.Status = StatusRunning
	r.Attempts++
	r.ClaimedAt = s.now()
	event := EventClaimed
	if from == StatusRunning {
		event = EventResumed
	}
	r.record(r.ClaimedAt, workerActor, event, fmt.Sprintf("attempt %d", r.Attempts))
	if err := s.store.Update(ctx, r, from); err != nil {
		return s.lostClaim(ctx, id, err)
	}

	attempt, cancel := withReserve(ctx, outcomeReserve)
	defer cancel()
	return s.finish(ctx, r, s.activate(attempt, r))
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
		return !now.Before(r.DueAt.Add(-EarlyTolerance))
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

// finish records the outcome of an attempt.
func (s *Service) finish(ctx context.Context, r *Request, out outcome) (*Request, error) {
	now := s.now()
	r.Result = out.result

	switch {
	case out.temporary && r.Attempts < s.cfg.MaxAttempts:
		r.Status = StatusScheduled
		r.Result = fmt.Sprintf("attempt %d failed, will retry: %s", r.Attempts, out.result)
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
		return r, fmt.Errorf("%w: %s", ErrTemporary, out.result)
	}
	return r, nil
}
