package queue

import (
	"context"
	"fmt"
	"time"
)

// Defaults and bounds of Sweep.
const (
	// DefaultSweepGrace is longer than the scheduler's usual delivery delay,
	// so that a sweep does not race a trigger that is merely late.
	DefaultSweepGrace = 5 * time.Minute

	// DefaultSweepLimit bounds the fires of one sweep, so that a large
	// backlog cannot outlast the sweeper's timeout; the next sweep continues.
	DefaultSweepLimit = 100

	// sweepPageSize is how many requests one listing call of a sweep reads.
	sweepPageSize = 100

	// sweepFireReserve is the least time before the context's deadline in
	// which a sweep still starts a fire: enough for a slow Okta lookup and
	// activation with their retries (see cmd/worker).
	sweepFireReserve = 90 * time.Second
)

// SweepReport is what one sweep found and did. Found is Fired + Skipped +
// Failed.
type SweepReport struct {
	Found   int // stranded requests the listings showed
	Fired   int // of them, claimed and attempted, the outcome recorded
	Skipped int // of them, no longer stranded when read again (another delivery came first)
	Failed  int // of them, whose fire returned an error; see Errors

	// Limited is true when the sweep stopped with stranded requests left,
	// at Config.SweepLimit fires or close to its context's deadline; the
	// next sweep continues with them.
	Limited bool

	FiredIDs []string // the ids of the fired requests, in the order fired
	Errors   []error  // one per failed request, naming its id
}

// Sweep fires the requests that no trigger will fire any more: scheduled
// requests more than Config.SweepGrace past their due time (or past their
// RetryAt, when a failed attempt armed a later retry), such as those whose trigger
// was never armed or whose retry could not be armed; and running requests
// whose claim is older than Config.Lease, left by an attempt that died. Each
// goes through the same path as Fire: a conditional claim, then the user's
// Okta status read before any activate call.
//
// It reads the store's status listings in due order, stops reading the
// scheduled one at the first request within the grace, and fires at most
// Config.SweepLimit requests. A request whose fire fails is counted in the
// report and does not stop the sweep. The error is a listing's error only;
// the report then holds what was done before it.
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	sw := &sweep{s: s, now: s.now()}
	passes := []struct {
		status Status
		stop   func(*Request) bool
	}{
		// Expired claims first: there are few, and they wait the longest.
		{StatusRunning, func(*Request) bool { return false }},
		// The listing is in due order: after the first request within the
		// grace, none is overdue.
		{StatusScheduled, func(r *Request) bool { return !sw.now.After(s.graceEnd(r.DueAt)) }},
	}
	for _, p := range passes {
		if err := sw.pass(ctx, p.status, p.stop); err != nil || sw.report.Limited {
			return sw.report, err
		}
	}
	return sw.report, nil
}

// sweep is the state of one Sweep.
type sweep struct {
	s      *Service
	now    time.Time
	report SweepReport
}

// pass reads the listing of status page by page and fires its stranded
// requests, until stop holds for a request, the listing ends or the bound
// is reached.
func (sw *sweep) pass(ctx context.Context, status Status, stop func(*Request) bool) error {
	q := ListQuery{Status: status, Limit: sweepPageSize}
	for {
		page, err := sw.s.store.List(ctx, q)
		if err != nil {
			return fmt.Errorf("queue: sweep: list the %s requests: %w", status, err)
		}
		for _, r := range page.Requests {
			switch {
			case stop(r):
				return nil
			case !sw.s.stranded(r, sw.now):
				continue
			case !sw.room(ctx):
				sw.report.Limited = true
				return nil
			}
			sw.fire(ctx, r.ID)
		}
		if page.NextCursor == "" {
			return nil
		}
		q.Cursor = page.NextCursor
	}
}

// room reports whether the sweep may start another fire.
func (sw *sweep) room(ctx context.Context) bool {
	if sw.report.Found >= sw.s.cfg.SweepLimit || ctx.Err() != nil {
		return false
	}
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) >= sweepFireReserve
}

// fire fires one stranded request, if it still is stranded when read again,
// and counts the outcome.
func (sw *sweep) fire(ctx context.Context, id string) {
	sw.report.Found++
	_, claimed, err := sw.s.fireIf(ctx, id, func(r *Request) bool {
		return sw.s.claimable(r, false) && sw.s.stranded(r, sw.s.now())
	})
	switch {
	case err != nil:
		sw.report.Failed++
		sw.report.Errors = append(sw.report.Errors, fmt.Errorf("queue: sweep %s: %w", id, err))
	case claimed:
		sw.report.Fired++
		sw.report.FiredIDs = append(sw.report.FiredIDs, id)
	default:
		sw.report.Skipped++
	}
}

// stranded reports whether no trigger is expected to fire r any more: a
// scheduled request past the grace after it was due, or a running request
// whose claim has expired.
func (s *Service) stranded(r *Request, now time.Time) bool {
	switch r.Status {
	case StatusScheduled:
		return now.After(s.graceEnd(r.NextTry()))
	case StatusRunning:
		return now.After(r.ClaimedAt.Add(s.cfg.Lease))
	}
	return false
}

func (s *Service) graceEnd(due time.Time) time.Time { return due.Add(s.cfg.SweepGrace) }
