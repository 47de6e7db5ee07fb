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

	// Hook, when set, sees each call before it returns.
	Hook func(call SchedulerCall)

	mu    sync.Mutex
	calls []SchedulerCall
}

var _ queue.Scheduler = (*Scheduler)(nil)

// SchedulerCall is one recorded call. DueAt and Request are unset for Cancel.
type SchedulerCall struct {
	Op      string // "schedule", "reschedule" or "cancel"
	ID      string
	DueAt   time.Time
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
