package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Config holds the rules the service applies. Zero values get the defaults.
type Config struct {
	DefaultZone   string        // default "Europe/Berlin"
	Horizon       time.Duration // how far ahead a start may be; default 400 days
	LoginDomains  []string      // allowed e-mail domains; empty allows any
	AllowReenable bool          // may activate a DEPROVISIONED account again
	MaxAttempts   int           // attempts before a temporary failure is final; default 5
	Lease         time.Duration // after this, a running claim may be taken over; default 5 min
	Clock         Clock         // default time.Now

	// SweepGrace is how long past its due time a scheduled request must be
	// before Sweep takes it for stranded; default DefaultSweepGrace.
	SweepGrace time.Duration

	// SweepLimit is the most requests one Sweep fires; default
	// DefaultSweepLimit.
	SweepLimit int

	// RetryDelay is how long after the attempt-th temporary failure the
	// request is tried again; default DefaultRetryDelay.
	RetryDelay func(attempt int) time.Duration
}

// Defaults of Config.
const (
	DefaultZone        = "Europe/Berlin"
	DefaultHorizon     = 400 * 24 * time.Hour
	DefaultMaxAttempts = 5
	DefaultLease       = 5 * time.Minute

	// EarlyTolerance is how early a delivery may come and still count as due.
	// A trigger that hands a request to the worker directly instead of
	// scheduling it must do so only within this window.
	EarlyTolerance = time.Minute

	// outcomeReserve is the part of an attempt's deadline kept for recording
	// its outcome, so that a slow Okta does not leave the request running.
	outcomeReserve = 5 * time.Second

	// settleTimeout bounds the writes that finish a change once it has begun.
	settleTimeout = 30 * time.Second

	// runTimeout bounds Activate now: longer than the worker Lambda's 90 s.
	runTimeout = 2 * time.Minute
)

// The bounds of DefaultRetryDelay.
const (
	firstRetryDelay = 30 * time.Second
	maxRetryDelay   = 15 * time.Minute
)

// DefaultRetryDelay is the wait before trying a request again after its
// attempt-th temporary failure: 30 seconds, doubling each time, at most 15
// minutes.
func DefaultRetryDelay(attempt int) time.Duration {
	d := firstRetryDelay
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// Service is the one place that changes requests. It is the same for every
// backend: stores, schedulers and directories are ports.
type Service struct {
	store    Store
	sched    Scheduler
	accounts Accounts
	runner   Runner
	cfg      Config
}

// NewService returns a service over the given ports. Until SetRunner is
// called, Activate now fires requests in this process.
func NewService(store Store, sched Scheduler, accounts Accounts, cfg Config) *Service {
	if cfg.DefaultZone == "" {
		cfg.DefaultZone = DefaultZone
	}
	if cfg.Horizon <= 0 {
		cfg.Horizon = DefaultHorizon
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.RetryDelay == nil {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.SweepGrace <= 0 {
		cfg.SweepGrace = DefaultSweepGrace
	}
	if cfg.SweepLimit <= 0 {
		cfg.SweepLimit = DefaultSweepLimit
	}
	s := &Service{store: store, sched: sched, accounts: accounts, cfg: cfg}
	s.runner = inProcess{s}
	return s
}

// SetRunner makes Activate now fire through r (for example the worker Lambda).
func (s *Service) SetRunner(r Runner) { s.runner = r }

// DefaultZone is the zone a request gets when it names none.
func (s *Service) DefaultZone() string { return s.cfg.DefaultZone }

// ScheduleInput is what a person asks for when scheduling an activation.
type ScheduleInput struct {
	Login     string
	Start     string // wall clock, "2027-07-01T09:00" or with seconds
	TimeZone  string // IANA; empty: the default zone
	Offset    string // chooses one of two instants when the wall clock repeats
	SendEmail bool
	Actor     string
}

// Schedule creates a request and arms its trigger. Errors: *InputError,
// *OpenRequestError, or a scheduler failure (the request is then recorded as
// failed, never left looking scheduled).
func (s *Service) Schedule(ctx context.Context, in ScheduleInput) (*Request, error) {
	login, err := s.checkLogin(in.Login)
	if err != nil {
		return nil, err
	}
	start, err := s.checkStart(in.Start, in.TimeZone, in.Offset)
	if err != nil {
		return nil, err
	}

	r := s.newRequest(login, start, in.SendEmail, in.Actor)
	r.record(r.CreatedAt, in.Actor, EventScheduled, describeStart(start))
	if err := s.store.Create(ctx, r); err != nil {
		return nil, err
	}

	// From here on the request exists: arm it or record why not, even if the
	// caller stops waiting, so that it never looks scheduled without a trigger.
	ctx, cancel := detached(ctx, settleTimeout)
	defer cancel()
	if err := s.sched.Schedule(ctx, r); err != nil {
		return r, s.failScheduling(ctx, r, err)
	}
	return r, nil
}

// ActivateInput is what a person asks for when activating a user right away.
type ActivateInput struct {
	Login     string
	SendEmail bool
	Actor     string
}

// ActivateNow creates a request due now and fires it at once, through the same
// path as a scheduled one. It returns the request as the attempt left it:
// finished, or scheduled again with a retry armed when the directory failed
// for a reason that may pass (see Fire). Errors: *InputError,
// *OpenRequestError, the runner's (wrapping ErrTemporary when no retry could
// be armed) or the store's.
func (s *Service) ActivateNow(ctx context.Context, in ActivateInput) (*Request, error) {
	login, err := s.checkLogin(in.Login)
	if err != nil {
		return nil, err
	}

	now := s.now()
	loc, err := LoadZone(s.cfg.DefaultZone)
	if err != nil {
		return nil, fmt.Errorf("queue: the default zone: %w", err)
	}
	start := Start{
		Wall:  now.In(loc).Format(wallLayout),
		Zone:  s.cfg.DefaultZone,
		DueAt: now,
	}
	r := s.newRequest(login, start, in.SendEmail, in.Actor)
	r.record(now, in.Actor, EventScheduled, "activate now")
	if err := s.store.Create(ctx, r); err != nil {
		return nil, err
	}

	// The attempt runs to its end even if the browser goes away meanwhile.
	ctx, cancel := detached(ctx, runTimeout)
	defer cancel()
	runErr := s.runner.Run(ctx, r.ID)
	final, err := s.store.Get(ctx, r.ID)
	if err != nil {
		return r, err
	}
	if runErr != nil && final.Status == StatusScheduled && final.Attempts == 0 {
		return final, s.failUnreached(ctx, final, runErr)
	}
	return final, runErr
}

// failUnreached records that the attempt never started (the worker could not
// be invoked), so that the request does not wait for a trigger it has not got.
func (s *Service) failUnreached(ctx context.Context, r *Request, cause error) error {
	r.Status = StatusFailed
	r.Result = "the worker could not be reached, nothing was done: " + cause.Error()
	r.record(s.now(), "dayone", EventFailed, r.Result)
	if err := s.store.Update(ctx, r, StatusScheduled); err != nil && !errors.Is(err, ErrConflict) {
		return errors.Join(cause, err)
	}
	return cause
}

// detached is ctx without its cancellation, bounded by timeout: once a change
// has begun, its bookkeeping must finish even when the caller stops waiting.
func detached(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// Cancel disarms a scheduled request and records it as cancelled; a request
// already cancelled is returned as it is. ErrConflict when it is running or
// finished; an error wrapping ErrTrigger when the scheduler refused.
func (s *Service) Cancel(ctx context.Context, id, actor string) (*Request, error) {
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusCancelled {
		return r, nil // a repeated click or a retried call
	}
	if err := checkTransition(r.Status, StatusCancelled); err != nil {
		return r, err
	}

	if err := s.sched.Cancel(ctx, r.ID); err != nil {
		return r, fmt.Errorf("%w: disarm %s: %w", ErrTrigger, r.ID, err)
	}
	r.Status, r.RetryAt = StatusCancelled, time.Time{}
	r.Result = "cancelled by " + actor
	r.record(s.now(), actor, EventCancelled, "")
	if err := s.store.Update(ctx, r, StatusScheduled); err != nil {
		return r, s.restoreTrigger(ctx, r.ID, err, s.sched.Schedule)
	}
	return r, nil
}

// RescheduleInput is a new start for a scheduled request.
type RescheduleInput struct {
	Start    string
	TimeZone string
	Offset   string
	Actor    string
}

// Reschedule moves a scheduled request to a new start. The store records the
// new time only after the scheduler accepted it. Errors: *InputError;
// ErrConflict when the request is no longer scheduled.
func (s *Service) Reschedule(ctx context.Context, id string, in RescheduleInput) (*Request, error) {
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusScheduled {
		return r, fmt.Errorf("%w: a %s request cannot be rescheduled", ErrConflict, r.Status)
	}
	start, err := s.checkStart(in.Start, in.TimeZone, in.Offset)
	if err != nil {
		return r, err
	}
	// The store keeps the old time until the trigger has moved, so a trigger
	// that fires at once would still see the old time and do nothing.
	if start.DueAt.Before(s.now().Add(EarlyTolerance)) {
		return r, invalid("start", "%s is less than a minute ahead; "+
			"cancel the request and use Activate now instead", describeStart(start))
	}

	next := r.Clone()
	next.Start, next.TimeZone = start.Wall, start.Zone
	next.Offset, next.DueAt = start.Offset, start.DueAt
	next.RetryAt = time.Time{} // the new trigger replaces a pending retry
	detail := fmt.Sprintf("from %s to %s", describeRequestStart(r), describeStart(start))
	next.record(s.now(), in.Actor, EventRescheduled, detail)

	if err := s.sched.Reschedule(ctx, next); err != nil {
		return r, fmt.Errorf("%w: move the trigger of %s: %w", ErrTrigger, r.ID, err)
	}
	if err := s.store.Update(ctx, next, StatusScheduled); err != nil {
		return r, s.restoreTrigger(ctx, r.ID, err, s.sched.Reschedule)
	}
	return next, nil
}

// restoreTrigger points the trigger of id back at the stored request when the
// store refused a change (another writer came first) after the scheduler had
// already made it; otherwise a request still scheduled could keep no trigger,
// or one at a time the store does not know. It returns cause.
func (s *Service) restoreTrigger(ctx context.Context, id string, cause error,
	arm func(context.Context, *Request) error) error {
	current, err := s.store.Get(ctx, id)
	if err != nil || current.Status != StatusScheduled {
		return cause
	}
	if current.RetryAt.After(current.DueAt) {
		// A retry was armed meanwhile: keep to its back-off.
		arm = func(ctx context.Context, r *Request) error {
			return s.sched.Retry(ctx, r, r.RetryAt)
		}
	}
	if err := arm(ctx, current); err != nil {
		return errors.Join(cause, fmt.Errorf("queue: restore the trigger of %s: %w", id, err))
	}
	return cause
}

// Get returns one request, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (*Request, error) {
	return s.store.Get(ctx, id)
}

// List returns a page of requests in due order.
func (s *Service) List(ctx context.Context, q ListQuery) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageSize
	}
	if q.Limit > MaxPageSize {
		return Page{}, invalid("limit", "limit must be at most %d", MaxPageSize)
	}
	return s.store.List(ctx, q)
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

func (s *Service) newRequest(login string, start Start, sendEmail bool, actor string) *Request {
	now := s.now()
	return &Request{
		ID:        uuid.Must(uuid.NewV7()).String(),
		Login:     login,
		LoginKey:  LoginKey(login),
		TimeZone:  start.Zone,
		Start:     start.Wall,
		Offset:    start.Offset,
		DueAt:     start.DueAt,
		SendEmail: sendEmail,
		Status:    StatusScheduled,
		CreatedBy: actor,
		CreatedAt: now,
		UpdatedAt: now,
	}
}

// failScheduling records that no trigger could be armed, so that the request
// does not look scheduled, and returns the scheduler's error.
func (s *Service) failScheduling(ctx context.Context, r *Request, cause error) error {
	r.Status = StatusFailed
	r.Result = "could not be scheduled: " + cause.Error()
	r.record(s.now(), "dayone", EventFailed, r.Result)
	if err := s.store.Update(ctx, r, StatusScheduled); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("queue: schedule %s: %w", r.ID, cause)
}

// checkStart parses the start and refuses times in the past or too far ahead.
func (s *Service) checkStart(wall, zone, offset string) (Start, error) {
	if zone == "" {
		zone = s.cfg.DefaultZone
	}
	start, err := ParseStart(wall, zone, offset)
	if err != nil {
		return Start{}, err
	}

	now := s.now()
	if !start.DueAt.After(now) {
		return Start{}, invalid("start",
			"%s is in the past; use Activate now to activate the account immediately",
			describeStart(start))
	}
	if start.DueAt.After(now.Add(s.cfg.Horizon)) {
		return Start{}, invalid("start",
			"%s is more than %d days ahead; check the year",
			describeStart(start), int(s.cfg.Horizon.Hours()/24))
	}
	return start, nil
}

// describeStart reads like "2027-07-01 09:00 Europe/Berlin (07:00 UTC)".
func describeStart(st Start) string {
	return DescribeTime(st.DueAt, st.Zone, "2006-01-02 15:04")
}

func describeRequestStart(r *Request) string {
	return describeStart(Start{Wall: r.Start, Zone: r.TimeZone, DueAt: r.DueAt})
}

// inProcess fires requests in this process; the default Runner.
type inProcess struct{ s *Service }

func (p inProcess) Run(ctx context.Context, id string) error {
	_, err := p.s.Fire(ctx, id)
	return err
}
