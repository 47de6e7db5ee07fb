package queuetest

import (
	"context"
	"sync"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// Scheduler is a fake queue.Scheduler that records its calls and arms nothing.
// Set the errors and the hook before use.
type Scheduler struct {
	ScheduleErr   error // returned by every Schedule call when set
	RescheduleErr error // returned by every Reschedule call when set
	CancelErr     error // returned by every Cancel call when set
	RetryErr      error // returned by every Retry call when set

	// Hook, when set, sees each call before it returns.
	Hook func(call SchedulerCall)

	mu    sync.Mutex
	calls []SchedulerCall
}

var _ queue.Scheduler = (*Scheduler)(nil)

// SchedulerCall is one recorded call. DueAt and Request are unset for Cancel.
type SchedulerCall struct {
	Op      string // "schedule", "reschedule", "cancel" or "retry"
	ID      string
	DueAt   time.Time
	At      time.Time      // the retry's time; set for Retry only
	Request *queue.Request // a copy, as the caller passed it
}

// Schedule records the call and returns ScheduleErr.
func (s *Scheduler) Schedule(_ context.Context, r *queue.Request) error {
	s.record(SchedulerCall{Op: "schedule", ID: r.ID, DueAt: r.DueAt, Request: r.Clone()})
	return s.ScheduleErr
}

// Reschedule records the call and returns RescheduleErr.
func (s *Scheduler) Reschedule(_ context.Context, r *queue.Request) error {
	s.record(SchedulerCall{Op: "reschedule", ID: r.ID, DueAt: r.DueAt, Request: r.Clone()})
	return s.RescheduleErr
}

// Cancel records the call and returns CancelErr.
func (s *Scheduler) Cancel(_ context.Context, id string) error {
	s.record(SchedulerCall{Op: "cancel", ID: id})
	return s.CancelErr
}

// Retry records the call and returns RetryErr.
func (s *Scheduler) Retry(_ context.Context, r *queue.Request, at time.Time) error {
	s.record(SchedulerCall{Op: "retry", ID: r.ID, DueAt: r.DueAt, At: at, Request: r.Clone()})
	return s.RetryErr
}

// Retries returns the recorded Retry calls, in order.
func (s *Scheduler) Retries() []SchedulerCall {
	var retries []SchedulerCall
	for _, c := range s.Calls() {
		if c.Op == "retry" {
			retries = append(retries, c)
		}
	}
	return retries
}

func (s *Scheduler) record(call SchedulerCall) {
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	if s.Hook != nil {
		s.Hook(call)
	}
}

// Calls returns the recorded calls, in order.
func (s *Scheduler) Calls() []SchedulerCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SchedulerCall(nil), s.calls...)
}
