// Package localsched fires requests from in-process timers, for running dayone
// on one machine. It implements queue.Scheduler; Start re-arms what a store
// holds after a restart.
package localsched

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// ErrStopped is returned when arming a trigger after Stop.
var ErrStopped = errors.New("localsched: the scheduler is stopped")

// maxWait is the longest a timer sleeps before it looks at the wall clock
// again: the monotonic clock of timers stands still while a host sleeps.
const maxWait = time.Hour

// Options tune a Scheduler. Zero values get the defaults.
type Options struct {
	MaxConcurrent int          // fires at the same time; default 4
	Logger        *slog.Logger // default slog.Default()
	Clock         queue.Clock  // default time.Now; must move with real time

	// RetryDelay is how long to wait before the attempt-th retry of a request
	// whose fire returned an error (the service arms its own retries, through
	// Retry, and returns nil then); default DefaultRetryDelay.
	RetryDelay func(attempt int) time.Duration
}

// DefaultRetryDelay doubles from 30 seconds up to 15 minutes, as
// queue.DefaultRetryDelay.
func DefaultRetryDelay(attempt int) time.Duration { return queue.DefaultRetryDelay(attempt) }

// Scheduler keeps one timer per request id and calls fire when it goes off,
// at most MaxConcurrent at a time. It is safe for concurrent use.
type Scheduler struct {
	fire func(ctx context.Context, id string) error
	opts Options
	log  *slog.Logger
	sem  chan struct{}

	// runCtx is the context of every fire; Stop cancels it when its own
	// context ends before the fires do.
	runCtx    context.Context
	cancelRun context.CancelFunc
	running   sync.WaitGroup

	mu      sync.Mutex
	stopped bool
	timers  map[string]*timer
	retries map[string]int // temporary failures in a row, by id
}

var _ queue.Scheduler = (*Scheduler)(nil)

// timer is the armed trigger of one request.
type timer struct {
	due time.Time
	t   *time.Timer
}

// New returns a scheduler that calls fire (usually queue.Service.Fire) when a
// request is due.
func New(fire func(ctx context.Context, id string) error, opts Options) *Scheduler {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.RetryDelay == nil {
		opts.RetryDelay = DefaultRetryDelay
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		fire: fire, opts: opts, log: opts.Logger,
		sem:    make(chan struct{}, opts.MaxConcurrent),
		runCtx: ctx, cancelRun: cancel,
		timers: map[string]*timer{}, retries: map[string]int{},
	}
}

// Schedule arms the trigger of r at r.DueAt; at once when that has passed.
// Arming the same request for the same time again changes nothing.
// ErrStopped after Stop.
func (s *Scheduler) Schedule(_ context.Context, r *queue.Request) error {
	return s.arm(r.ID, r.DueAt, false)
}

// Reschedule moves the trigger of r to r.DueAt. ErrStopped after Stop.
func (s *Scheduler) Reschedule(_ context.Context, r *queue.Request) error {
	return s.arm(r.ID, r.DueAt, true)
}

// Retry arms the trigger of r at at, replacing any trigger of r. The
// service calls it from a fire, after a failure that may pass.
// ErrStopped after Stop.
func (s *Scheduler) Retry(_ context.Context, r *queue.Request, at time.Time) error {
	return s.arm(r.ID, at, true)
}

// Cancel disarms the trigger of id. A fire already under way goes on; the
// service's conditional claim decides whether it does anything.
func (s *Scheduler) Cancel(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if tm, ok := s.timers[id]; ok {
		tm.t.Stop()
		delete(s.timers, id)
	}
	delete(s.retries, id)
	return nil
}

// Armed reports whether a trigger for id is armed, and for when.
func (s *Scheduler) Armed(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm, ok := s.timers[id]
	if !ok {
		return time.Time{}, false
	}
	return tm.due, true
}

// arm (re)places the timer of id. Unless replace is set, a timer already
// armed for the same time is kept.
func (s *Scheduler) arm(id string, due time.Time, replace bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("%w; request %s is not armed", ErrStopped, id)
	}

	old, ok := s.timers[id]
	if ok && !replace && old.due.Equal(due) {
		return nil
	}
	if ok {
		old.t.Stop()
	}
	s.start(id, &timer{due: due})
	return nil
}

// start sets tm going and makes it the timer of id. The caller holds s.mu.
func (s *Scheduler) start(id string, tm *timer) {
	wait := min(max(tm.due.Sub(s.opts.Clock()), 0), maxWait)
	tm.t = time.AfterFunc(wait, func() { s.expire(id, tm) })
	s.timers[id] = tm
}

// expire runs when the timer tm of id goes off, and fires id when it is due.
func (s *Scheduler) expire(id string, tm *timer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.timers[id] != tm {
		return // stopped, or replaced or cancelled after it went off
	}
	if tm.due.After(s.opts.Clock()) {
		s.start(id, tm) // a long wait in steps, or the wall clock was set back
		return
	}
	delete(s.timers, id)
	s.launch(id, tm.due, s.fire)
}

// launch runs call for id in its own goroutine once a slot is free. The
// caller holds s.mu and has checked that the scheduler is not stopped.
func (s *Scheduler) launch(id string, due time.Time, call func(context.Context, string) error) {
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		select {
		case s.sem <- struct{}{}:
		case <-s.runCtx.Done():
			return
		}
		defer func() { <-s.sem }()
		if s.isStopped() {
			return // still scheduled in the store; the next Start re-arms it
		}

		s.logLate(id, due)
		s.settle(id, call(s.runCtx, id))
	}()
}

func (s *Scheduler) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// logLate tells when a trigger fires noticeably after its time: after a
// restart, or when every slot was busy.
func (s *Scheduler) logLate(id string, due time.Time) {
	late := s.opts.Clock().Sub(due)
	if late >= time.Second {
		s.log.Info("localsched: fired "+late.Round(time.Second).String()+" late",
			"id", id, "due", due.UTC().Format(time.RFC3339))
	}
}

// settle arms id again after RetryDelay when its fire returned an error:
// temporary, as the service could not arm its own retry, or because the
// store could not be read or written. A repeated fire is safe, as the service
// claims a request only once. A trigger armed meanwhile (a retry, a
// reschedule) is kept.
func (s *Scheduler) settle(id string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err == nil || errors.Is(err, queue.ErrNotFound) {
		delete(s.retries, id)
		if err != nil {
			s.log.Error("localsched: fire failed", "id", id, "err", err)
		}
		return
	}
	s.retries[id]++
	delay := s.opts.RetryDelay(s.retries[id])
	level := slog.LevelError
	if errors.Is(err, queue.ErrTemporary) {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "localsched: fire failed, will try again",
		"id", id, "retry", s.retries[id], "in", delay, "err", err)

	if _, armed := s.timers[id]; armed || s.stopped {
		return // rescheduled meanwhile, or shutting down: Start re-arms it
	}
	s.start(id, &timer{due: s.opts.Clock().Add(delay)})
}

// Start re-arms every scheduled request of store at its due time, or at its
// retry time when a retry is pending (queue.Request.NextTry), firing overdue
// ones at once, and calls resume (usually queue.Service.Resume) for every
// running request, which only a crash can have left so. Call it once, before anything else
// can schedule or fire requests. Errors come from listing the store.
func (s *Scheduler) Start(ctx context.Context, store queue.Store,
	resume func(ctx context.Context, id string) error) error {
	// Both lists are read before anything fires, so that a request this
	// start claims is never mistaken for one a crash left running.
	running, err := listAll(ctx, store, queue.StatusRunning)
	if err != nil {
		return err
	}
	scheduled, err := listAll(ctx, store, queue.StatusScheduled)
	if err != nil {
		return err
	}

	now := s.opts.Clock()
	overdue := 0
	for _, r := range scheduled {
		// A retry pending at shutdown keeps its back-off.
		at := r.NextTry()
		if !at.After(now) {
			overdue++
		}
		if err := s.arm(r.ID, at, false); err != nil {
			return err
		}
	}
	s.resumeAll(running, resume)

	s.log.Info("localsched: started", "scheduled", len(scheduled), "overdue", overdue,
		"resumed", len(running))
	return nil
}

func (s *Scheduler) resumeAll(running []*queue.Request,
	resume func(ctx context.Context, id string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	for _, r := range running {
		s.log.Info("localsched: resuming a request left running", "id", r.ID,
			"claimed_at", r.ClaimedAt.UTC().Format(time.RFC3339))
		s.launch(r.ID, r.DueAt, resume)
	}
}

func listAll(ctx context.Context, store queue.Store,
	status queue.Status) ([]*queue.Request, error) {
	var all []*queue.Request
	q := queue.ListQuery{Status: status, Limit: queue.MaxPageSize}
	for {
		page, err := store.List(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("localsched: list %s requests: %w", status, err)
		}
		all = append(all, page.Requests...)
		if page.NextCursor == "" {
			return all, nil
		}
		q.Cursor = page.NextCursor
	}
}

// Stop disarms every timer and waits for the fires under way. When ctx ends
// first, it cancels their context and returns ctx's error; a request left
// running then is resumed by the next Start.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	for id, tm := range s.timers {
		tm.t.Stop()
		delete(s.timers, id)
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.cancelRun()
		s.log.Info("localsched: stopped")
		return nil
	case <-ctx.Done():
		s.cancelRun()
		<-done
		return fmt.Errorf("localsched: stop: fires cut short: %w", ctx.Err())
	}
}
