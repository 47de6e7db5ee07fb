// Package awsched arms dayone's triggers on Amazon EventBridge Scheduler: one
// one-time schedule per request, in the request's own time zone, invoking the
// worker Lambda with the request id. Requests due within moments are handed
// straight to the worker instead.
package awsched

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/dayone/dayone/internal/lambdainvoke"
	"github.com/dayone/dayone/internal/queue"
)

// wallLayout is the form of a request's Start and of an at() expression.
const wallLayout = "2006-01-02T15:04:05"

// maxDescription is the scheduler's limit for a schedule's description.
const maxDescription = 512

// Scheduler is a queue.Scheduler on EventBridge Scheduler.
type Scheduler struct {
	client *scheduler.Client
	cfg    Config
}

var _ queue.Scheduler = (*Scheduler)(nil)

// New returns a Scheduler that manages schedules in cfg.GroupName. The error
// lists every invalid setting by its environment variable's name.
func New(client *scheduler.Client, cfg Config) (*Scheduler, error) {
	if client == nil {
		return nil, errors.New("awsched: a scheduler client is required")
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Scheduler{client: client, cfg: cfg}, nil
}

// Schedule creates the one-time schedule of r, or invokes the worker at once
// when r is due within Config.DirectWithin. A schedule that already exists
// for the same time, zone and target is success, so that a retried call is
// harmless; one that exists with other settings is an error wrapping
// queue.ErrConflict. Throttling and server faults that outlast the SDK's
// retries wrap queue.ErrTemporary.
func (s *Scheduler) Schedule(ctx context.Context, r *queue.Request) error {
	if s.dueSoon(r) {
		return s.invoke(ctx, r.ID)
	}

	p, err := planOf(r)
	if err != nil {
		return err
	}
	return s.create(ctx, p)
}

// Reschedule moves the schedule of r to r's new time and zone. A schedule
// that does not exist (r was once due too soon to get one) is created; a new
// time within Config.DirectWithin deletes the schedule and invokes the
// worker at once. Errors as for Schedule.
func (s *Scheduler) Reschedule(ctx context.Context, r *queue.Request) error {
	if s.dueSoon(r) {
		// queue.Service refuses to move a request to less than
		// queue.EarlyTolerance ahead, since the store keeps the old time until
		// this returns; this branch serves other callers.
		if err := s.Cancel(ctx, r.ID); err != nil {
			return err
		}
		return s.invoke(ctx, r.ID)
	}

	p, err := planOf(r)
	if err != nil {
		return err
	}
	// UpdateSchedule replaces the whole schedule, so it gets every field that
	// CreateSchedule gets: the two inputs are one struct type in the SDK.
	in := scheduler.UpdateScheduleInput(*s.input(p))
	in.ClientToken = aws.String(clientToken("update", p))
	_, err = s.client.UpdateSchedule(ctx, &in)
	switch {
	case isA[*types.ResourceNotFoundException](err):
		return s.create(ctx, p)
	case err != nil:
		return wrap("update", p.name, err)
	}
	return nil
}

// Retry arms the retry of r at at: the schedule of r, under its usual name,
// at at as a UTC wall clock rounded up to the whole second, with every other
// setting as Schedule gives it. A schedule of that name that still exists
// (the one whose delivery failed, not yet deleted, or an earlier retry) is
// replaced. It never invokes the worker directly, even for a time close by,
// as that would skip the back-off. Errors as for Schedule, but never
// queue.ErrConflict.
//
// TODO(retry-race): when the replaced schedule is the one whose delivery
// failed, the scheduler's own deletion after completion may still remove it;
// the documentation does not say whether an update in between prevents that.
func (s *Scheduler) Retry(ctx context.Context, r *queue.Request, at time.Time) error {
	p, err := retryPlanOf(r, at)
	if err != nil {
		return err
	}
	in := s.input(p)
	in.ClientToken = aws.String(clientToken("retry", p))
	_, err = s.client.CreateSchedule(ctx, in)
	switch {
	case isA[*types.ConflictException](err):
		return s.replace(ctx, p)
	case err != nil:
		return wrap("create", p.name, err)
	}
	return nil
}

// replace updates the existing schedule of p's name to p with every field,
// or creates it when it was deleted meanwhile.
func (s *Scheduler) replace(ctx context.Context, p plan) error {
	in := scheduler.UpdateScheduleInput(*s.input(p))
	in.ClientToken = aws.String(clientToken("retry-update", p))
	_, err := s.client.UpdateSchedule(ctx, &in)
	if !isA[*types.ResourceNotFoundException](err) {
		if err != nil {
			return wrap("update", p.name, err)
		}
		return nil
	}

	again := s.input(p)
	again.ClientToken = aws.String(clientToken("retry-create", p))
	if _, err := s.client.CreateSchedule(ctx, again); err != nil {
		return wrap("create", p.name, err)
	}
	return nil
}

// Cancel deletes the schedule of request id. A schedule already gone (it
// fired and deleted itself, or never existed) is not an error.
func (s *Scheduler) Cancel(ctx context.Context, id string) error {
	name := ScheduleName(id)
	_, err := s.client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{
		Name:      aws.String(name),
		GroupName: aws.String(s.cfg.GroupName),
	})
	if err != nil && !isA[*types.ResourceNotFoundException](err) {
		return wrap("delete", name, err)
	}
	return nil
}

// dueSoon reports whether r is due too soon for a schedule.
func (s *Scheduler) dueSoon(r *queue.Request) bool {
	return r.DueAt.Sub(s.cfg.Clock()) <= s.cfg.DirectWithin
}

func (s *Scheduler) invoke(ctx context.Context, id string) error {
	if err := s.cfg.Invoker.InvokeAsync(ctx, id); err != nil {
		return fmt.Errorf("awsched: invoke the worker for %s: %w", id, err)
	}
	return nil
}

// create creates the schedule, or accepts the one already there if it is
// the same.
func (s *Scheduler) create(ctx context.Context, p plan) error {
	in := s.input(p)
	in.ClientToken = aws.String(clientToken("create", p))
	_, err := s.client.CreateSchedule(ctx, in)
	switch {
	case isA[*types.ConflictException](err):
		return s.checkExisting(ctx, p)
	case err != nil:
		return wrap("create", p.name, err)
	}
	return nil
}

// checkExisting accepts an existing schedule that would fire the same worker
// with the same input at the same time.
func (s *Scheduler) checkExisting(ctx context.Context, p plan) error {
	got, err := s.client.GetSchedule(ctx, &scheduler.GetScheduleInput{
		Name:      aws.String(p.name),
		GroupName: aws.String(s.cfg.GroupName),
	})
	if err != nil {
		return wrap("read", p.name, err)
	}

	same := aws.ToString(got.ScheduleExpression) == p.expression &&
		aws.ToString(got.ScheduleExpressionTimezone) == p.zone &&
		got.Target != nil &&
		aws.ToString(got.Target.Arn) == s.cfg.WorkerARN &&
		aws.ToString(got.Target.Input) == p.input
	if !same {
		return fmt.Errorf("awsched: schedule %s already exists for %s in %s: %w",
			p.name, aws.ToString(got.ScheduleExpression),
			aws.ToString(got.ScheduleExpressionTimezone), queue.ErrConflict)
	}
	return nil
}

// input is the complete schedule of p, for CreateSchedule and UpdateSchedule
// alike; only the client token differs between the two.
func (s *Scheduler) input(p plan) *scheduler.CreateScheduleInput {
	return &scheduler.CreateScheduleInput{
		Name:                       aws.String(p.name),
		GroupName:                  aws.String(s.cfg.GroupName),
		ScheduleExpression:         aws.String(p.expression),
		ScheduleExpressionTimezone: aws.String(p.zone),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{
			Mode: types.FlexibleTimeWindowModeOff,
		},
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
		State:                 types.ScheduleStateEnabled,
		Description:           aws.String(p.description),
		Target: &types.Target{
			Arn:     aws.String(s.cfg.WorkerARN),
			RoleArn: aws.String(s.cfg.RoleARN),
			Input:   aws.String(p.input),
			RetryPolicy: &types.RetryPolicy{
				MaximumRetryAttempts:     aws.Int32(s.cfg.MaxRetryAttempts),
				MaximumEventAgeInSeconds: aws.Int32(int32(s.cfg.MaxEventAge / time.Second)),
			},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(s.cfg.DeadLetterARN)},
		},
	}
}

// plan is what one version of a request asks of the scheduler.
type plan struct {
	id          string
	version     int64
	attempts    int
	name        string
	expression  string
	zone        string
	input       string
	description string
}

func planOf(r *queue.Request) (plan, error) {
	expression, zone, err := expressionOf(r)
	if err != nil {
		return plan{}, err
	}
	return planAt(r, expression, zone)
}

// retryPlanOf is the plan of r's retry at at: a UTC wall clock, rounded up
// to the whole second, as at() takes no fractions.
func retryPlanOf(r *queue.Request, at time.Time) (plan, error) {
	wall := at.UTC()
	if whole := wall.Truncate(time.Second); !whole.Equal(wall) {
		wall = whole.Add(time.Second)
	}
	return planAt(r, "at("+wall.Format(wallLayout)+")", "UTC")
}

// planAt is the plan of r at the expression, read in zone.
func planAt(r *queue.Request, expression, zone string) (plan, error) {
	// The same event a direct invoke sends, so the worker reads one shape.
	input, err := json.Marshal(lambdainvoke.Event{RequestID: r.ID})
	if err != nil {
		return plan{}, fmt.Errorf("awsched: encode the input of %s: %w", r.ID, err)
	}

	name := ScheduleName(r.ID)
	description := "dayone activation " + r.ID
	if len(description) > maxDescription {
		description = "dayone activation " + name
	}
	return plan{
		id: r.ID, version: r.Version, attempts: r.Attempts, name: name,
		expression: expression, zone: zone,
		input: string(input), description: description,
	}, nil
}

// expressionOf returns the at() expression of r and the zone to read it in.
//
// Normally that is r's wall clock in r's own zone, as the person chose it.
// When the wall clock happens twice (the hour the clocks go back) and the
// person chose one of the two (r.Offset), "at(02:30) in Europe/Berlin" would
// be ambiguous and the scheduler would pick one itself; the chosen instant
// is then sent as a UTC wall clock, which names exactly one moment.
func expressionOf(r *queue.Request) (expression, zone string, err error) {
	if r.Offset != "" {
		return "at(" + r.DueAt.UTC().Format(wallLayout) + ")", "UTC", nil
	}

	wall, err := time.Parse(wallLayout, r.Start)
	if err != nil {
		return "", "", fmt.Errorf("awsched: start %q of %s is not a wall clock like %s",
			r.Start, r.ID, wallLayout)
	}
	return "at(" + wall.Format(wallLayout) + ")", r.TimeZone, nil
}
