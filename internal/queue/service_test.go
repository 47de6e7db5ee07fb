package queue_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

func TestScheduleArmsTheTrigger(t *testing.T) {
	f := newFixture(t, queue.Config{})
	var storedAtCall *queue.Request
	f.sched.Hook = func(call queuetest.SchedulerCall) {
		storedAtCall, _ = f.store.Get(context.Background(), call.ID)
	}

	r := f.schedule(t, "  Ada.Lovelace@Example.com ", c3Start, true)

	calls := f.sched.Calls()
	if len(calls) != 1 || calls[0].Op != "schedule" || calls[0].ID != r.ID ||
		!calls[0].DueAt.Equal(utc("2027-04-01T06:00:00Z")) {
		t.Fatalf("scheduler calls = %+v, want one schedule at 06:00Z", calls)
	}
	if storedAtCall == nil || storedAtCall.Status != queue.StatusScheduled {
		t.Errorf("the request was not stored before its trigger was armed: %+v", storedAtCall)
	}

	want := &queue.Request{
		ID: r.ID, Login: "Ada.Lovelace@Example.com", LoginKey: "ada.lovelace@example.com",
		TimeZone: "Europe/Berlin", Start: "2027-04-01T08:00:00",
		DueAt: utc("2027-04-01T06:00:00Z"), SendEmail: true, Status: queue.StatusScheduled,
		CreatedBy: "helpdesk@example.com", CreatedAt: marchNow, UpdatedAt: marchNow,
		Version: r.Version,
		History: []queue.Event{{At: marchNow, Actor: "helpdesk@example.com",
			Event: queue.EventScheduled, Detail: "2027-04-01 08:00 Europe/Berlin (06:00 UTC)"}},
	}
	queuetest.SameRequest(t, f.get(t, r.ID), want)
	queuetest.SameRequest(t, r, want)
}

func TestScheduleWhenTheSchedulerFails(t *testing.T) {
	f := newFixture(t, queue.Config{})
	refused := errors.New("scheduler: throttled")
	f.sched.ScheduleErr = refused

	r, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: "ada@example.com", Start: c3Start, TimeZone: "Europe/Berlin"})
	if !errors.Is(err, refused) {
		t.Fatalf("err = %v, want the scheduler's error", err)
	}
	stored := f.get(t, r.ID)
	if stored.Status != queue.StatusFailed ||
		stored.Result != "could not be scheduled: scheduler: throttled" {
		t.Errorf("stored %s %q, want failed, could not be scheduled", stored.Status, stored.Result)
	}
	page, _ := f.store.List(context.Background(), queue.ListQuery{Status: queue.StatusScheduled})
	if len(page.Requests) != 0 {
		t.Errorf("%d requests look scheduled, want 0", len(page.Requests))
	}

	f.sched.ScheduleErr = nil
	f.schedule(t, "ada@example.com", c3Start, true)
}

func TestCancel(t *testing.T) {
	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ada@example.com", c3Start, true)
	var statusAtCancel queue.Status
	f.sched.Hook = func(call queuetest.SchedulerCall) {
		statusAtCancel = f.get(t, call.ID).Status
	}
	f.clock.Set(marchNow.Add(90))

	got, err := f.svc.Cancel(context.Background(), r.ID, "lead@example.com")
	if err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	calls := f.sched.Calls()
	if len(calls) != 2 || calls[1].Op != "cancel" || calls[1].ID != r.ID {
		t.Fatalf("scheduler calls = %+v, want schedule then cancel", calls)
	}
	if statusAtCancel != queue.StatusScheduled {
		t.Errorf("status when the trigger was disarmed = %s, want scheduled", statusAtCancel)
	}
	stored := f.get(t, r.ID)
	queuetest.SameRequest(t, stored, got)
	e := lastEvent(stored)
	if stored.Status != queue.StatusCancelled ||
		stored.Result != "cancelled by lead@example.com" ||
		e.Event != queue.EventCancelled || e.Actor != "lead@example.com" ||
		!e.At.Equal(marchNow.Add(90)) {
		t.Errorf("stored %s %q, last event %+v", stored.Status, stored.Result, e)
	}
	f.schedule(t, "ada@example.com", c3Start, true)
}

func TestCancelTwiceIsOneCancel(t *testing.T) {
	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ada@example.com", c3Start, true)
	first, err := f.svc.Cancel(context.Background(), r.ID, "lead@example.com")
	if err != nil {
		t.Fatal(err)
	}

	again, err := f.svc.Cancel(context.Background(), r.ID, "lead@example.com")
	if err != nil {
		t.Fatalf("second Cancel: %v, want nil", err)
	}
	queuetest.SameRequest(t, again, first)
	queuetest.SameRequest(t, f.get(t, r.ID), first)
	if n := len(f.sched.Calls()); n != 2 {
		t.Errorf("scheduler calls = %d, want the schedule and one cancel", n)
	}
}

func TestCancelOnlyScheduled(t *testing.T) {
	paths := map[queue.Status][]queue.Status{
		queue.StatusRunning:   {queue.StatusRunning},
		queue.StatusActivated: {queue.StatusRunning, queue.StatusActivated},
		queue.StatusFailed:    {queue.StatusRunning, queue.StatusFailed},
	}
	for status, path := range paths {
		t.Run(string(status), func(t *testing.T) {
			f := newFixture(t, queue.Config{})
			r := f.schedule(t, "ada@example.com", c3Start, true)
			f.force(t, r, path...)
			before := f.get(t, r.ID)

			_, err := f.svc.Cancel(context.Background(), r.ID, "lead@example.com")
			if !errors.Is(err, queue.ErrConflict) {
				t.Errorf("Cancel of a %s request: err = %v, want ErrConflict", status, err)
			}
			queuetest.SameRequest(t, f.get(t, r.ID), before)
			if n := len(f.sched.Calls()); n != 1 {
				t.Errorf("scheduler calls = %d, want only the schedule", n)
			}
		})
	}
}

func TestCancelErrors(t *testing.T) {
	f := newFixture(t, queue.Config{})
	_, err := f.svc.Cancel(context.Background(), "nope", "x")
	if !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("Cancel of an unknown id: err = %v, want ErrNotFound", err)
	}

	r := f.schedule(t, "ada@example.com", c3Start, true)
	f.sched.CancelErr = errors.New("scheduler: unavailable")
	_, err = f.svc.Cancel(context.Background(), r.ID, "x")
	if !errors.Is(err, f.sched.CancelErr) {
		t.Errorf("Cancel with a failing scheduler: err = %v", err)
	}
	queuetest.SameRequest(t, f.get(t, r.ID), r)
}

func TestReschedule(t *testing.T) {
	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ada@example.com", c3Start, true)
	var storedAtCall *queue.Request
	f.sched.Hook = func(call queuetest.SchedulerCall) { storedAtCall = f.get(t, call.ID) }

	got, err := f.svc.Reschedule(context.Background(), r.ID, queue.RescheduleInput{
		Start: "2027-04-01T09:30", TimeZone: "America/New_York", Actor: "lead@example.com"})
	if err != nil {
		t.Fatalf("Reschedule: %v", err)
	}

	newDue := utc("2027-04-01T13:30:00Z")
	calls := f.sched.Calls()
	if len(calls) != 2 || calls[1].Op != "reschedule" || !calls[1].DueAt.Equal(newDue) ||
		calls[1].Request.TimeZone != "America/New_York" {
		t.Fatalf("scheduler calls = %+v, want a reschedule to 13:30Z New York", calls)
	}
	if !storedAtCall.DueAt.Equal(r.DueAt) {
		t.Errorf("the store had %s when the scheduler moved, want still %s",
			storedAtCall.DueAt, r.DueAt)
	}
	stored := f.get(t, r.ID)
	queuetest.SameRequest(t, stored, got)
	want := "from 2027-04-01 08:00 Europe/Berlin (06:00 UTC) " +
		"to 2027-04-01 09:30 America/New_York (13:30 UTC)"
	if !stored.DueAt.Equal(newDue) || stored.Start != "2027-04-01T09:30:00" ||
		lastEvent(stored).Detail != want || stored.Status != queue.StatusScheduled {
		t.Errorf("stored %s %s, last event %+v; want %s and %q",
			stored.DueAt, stored.Start, lastEvent(stored), newDue, want)
	}
}

func TestRescheduleRefusals(t *testing.T) {
	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ada@example.com", c3Start, true)
	ctx := context.Background()

	f.sched.RescheduleErr = errors.New("scheduler: throttled")
	_, err := f.svc.Reschedule(ctx, r.ID, queue.RescheduleInput{Start: "2027-04-02T08:00"})
	if !errors.Is(err, f.sched.RescheduleErr) {
		t.Errorf("scheduler refused: err = %v", err)
	}
	f.sched.RescheduleErr = nil

	for _, start := range []string{"2027-02-01T08:00", "2027-03-28T02:30", "soon"} {
		_, err := f.svc.Reschedule(ctx, r.ID, queue.RescheduleInput{Start: start})
		inputError(t, err, "start")
	}
	queuetest.SameRequest(t, f.get(t, r.ID), r)
	if n := len(f.sched.Calls()); n != 2 {
		t.Errorf("scheduler calls = %d, want schedule and the refused reschedule", n)
	}

	f.force(t, r, queue.StatusCancelled)
	_, err = f.svc.Reschedule(ctx, r.ID, queue.RescheduleInput{Start: "2027-04-02T08:00"})
	if !errors.Is(err, queue.ErrConflict) {
		t.Errorf("Reschedule of a cancelled request: err = %v, want ErrConflict", err)
	}
	if _, err := f.svc.Reschedule(ctx, "nope", queue.RescheduleInput{}); !errors.Is(err,
		queue.ErrNotFound) {
		t.Errorf("Reschedule of an unknown id: err = %v, want ErrNotFound", err)
	}
}

// TestTriggerRestoredAfterARace: when another writer changes the request
// between the scheduler call and the store write, the trigger is pointed back
// at what the store holds, so the request is not left without one.
func TestTriggerRestoredAfterARace(t *testing.T) {
	for _, op := range []string{"cancel", "reschedule"} {
		t.Run(op, func(t *testing.T) {
			f := newFixture(t, queue.Config{})
			r := f.schedule(t, "ada@example.com", c3Start, true)
			other := f.get(t, r.ID)
			other.DueAt = other.DueAt.Add(3600e9)
			var once sync.Once
			f.sched.Hook = func(call queuetest.SchedulerCall) {
				if call.Op == op {
					once.Do(func() { f.force(t, other, queue.StatusScheduled) })
				}
			}

			var err error
			if op == "cancel" {
				_, err = f.svc.Cancel(context.Background(), r.ID, "lead@example.com")
			} else {
				_, err = f.svc.Reschedule(context.Background(), r.ID,
					queue.RescheduleInput{Start: "2027-04-02T08:00"})
			}
			if !errors.Is(err, queue.ErrConflict) {
				t.Fatalf("err = %v, want ErrConflict", err)
			}
			calls := f.sched.Calls()
			last := calls[len(calls)-1]
			if len(calls) != 3 || !last.DueAt.Equal(other.DueAt) {
				t.Errorf("scheduler calls = %+v, want the trigger back at %s", calls, other.DueAt)
			}
			queuetest.SameRequest(t, f.get(t, r.ID), other)
		})
	}
}

func TestOneOpenRequestPerLogin(t *testing.T) {
	f := newFixture(t, queue.Config{})
	first := f.schedule(t, "  Ada.Lovelace@Example.com ", c3Start, true)

	_, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: "ada.lovelace@example.com", Start: "2027-05-01T08:00"})
	var open *queue.OpenRequestError
	if !errors.As(err, &open) || open.ExistingID != first.ID {
		t.Errorf("second Schedule: err = %v, want it to point at %s", err, first.ID)
	}
	_, err = f.svc.ActivateNow(context.Background(), queue.ActivateInput{
		Login: "ADA.LOVELACE@EXAMPLE.COM"})
	if !errors.As(err, &open) || open.ExistingID != first.ID {
		t.Errorf("ActivateNow: err = %v, want it to point at %s", err, first.ID)
	}
	if n := f.countAll(t); n != 1 || len(f.sched.Calls()) != 1 {
		t.Errorf("%d requests, %d scheduler calls; want 1 and 1", n, len(f.sched.Calls()))
	}
}

func TestLookAlikeLoginsAreOneLogin(t *testing.T) {
	f := newFixture(t, queue.Config{})
	first := f.schedule(t, "jürgen.groß@example.com", c3Start, true)

	decomposed := "ju\u0308rgen.groß@example.com" // the same name, another Unicode form
	for _, login := range []string{decomposed, "ｊüｒｇｅｎ.groß@example.com"} {
		_, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
			Login: login, Start: "2027-05-01T08:00"})
		var open *queue.OpenRequestError
		if !errors.As(err, &open) || open.ExistingID != first.ID {
			t.Errorf("%q: err = %v, want it to point at %s", login, err, first.ID)
		}
	}
	if first.Login != "jürgen.groß@example.com" {
		t.Errorf("stored login %q", first.Login)
	}
}

func TestLoginRules(t *testing.T) {
	domains := []string{"example.com", "Example.org"}
	cases := []struct {
		login string
		ok    bool
	}{
		{"ada@example.com", true},
		{"ADA@EXAMPLE.COM", true},
		{"grace@example.org", true},
		{"jürgen.groß@example.com", true},
		{"m.keller/ext@example.com", true},
		{"ada@evil.com", false},
		{"ada@sub.example.com", false},
		{"ada@example.com.evil.com", false},
		{"example.com", false},
		{"@example.com", false},
		{"ada lovelace@example.com", false},
		{"ada\t@example.com", false},
		{"ada\u00a0@example.com", false},
		{"ada\x00@example.com", false},
		{"", false},
		{"   ", false},
		{strings.Repeat("a", 58) + "@example.com", true}, // C9: 70 characters
		{strings.Repeat("a", 88) + "@example.com", true},
		{strings.Repeat("a", 89) + "@example.com", false},
		{strings.Repeat("ü", 50) + "@example.com", true}, // 62 characters, 112 bytes
		{"a@evil.com@example.com", false},
		{"x@@example.com", false},
		{"noatsign", false},
		{"x@", false},
		{"x@example", false},
		{"x@example..com", false},
		{"ada\u200b@example.com", false}, // zero-width space
		{"x\u202e@example.com", false},   // right-to-left override
		{"x\xff@example.com", false},     // not UTF-8
	}
	for _, c := range cases {
		f := newFixture(t, queue.Config{LoginDomains: domains})
		_, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
			Login: c.login, Start: c3Start, TimeZone: "Europe/Berlin"})
		if c.ok {
			if err != nil {
				t.Errorf("%q: %v", c.login, err)
			}
			continue
		}
		inputError(t, err, "login")
		if n := f.countAll(t); n != 0 || len(f.sched.Calls()) != 0 {
			t.Errorf("%q: %d requests, %d scheduler calls; want none", c.login, n,
				len(f.sched.Calls()))
		}
	}
}

func TestListLimit(t *testing.T) {
	f := newFixture(t, queue.Config{})
	_, err := f.svc.List(context.Background(), queue.ListQuery{Limit: queue.MaxPageSize + 1})
	inputError(t, err, "limit")
	for _, login := range []string{"a@example.com", "b@example.com"} {
		f.schedule(t, login, c3Start, true)
	}
	page, err := f.svc.List(context.Background(), queue.ListQuery{Limit: 1})
	if err != nil || len(page.Requests) != 1 || page.NextCursor == "" {
		t.Errorf("List by 1 = %d requests, cursor %q, %v",
			len(page.Requests), page.NextCursor, err)
	}
}

func TestRescheduleToWithinAMinuteIsRefused(t *testing.T) {
	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ada@example.com", c3Start, true)

	soon := marchNow.Add(30 * time.Second).In(berlin(t)).Format("2006-01-02T15:04:05")
	_, err := f.svc.Reschedule(context.Background(), r.ID, queue.RescheduleInput{
		Start: soon, TimeZone: "Europe/Berlin", Actor: "helpdesk@example.com"})
	var input *queue.InputError
	if !errors.As(err, &input) || input.Field != "start" ||
		!strings.Contains(input.Message, "Activate now") {
		t.Fatalf("reschedule to 30 s ahead: %v, want an input error pointing to Activate now", err)
	}
	if len(f.sched.Calls()) != 1 {
		t.Errorf("the scheduler was called: %v", f.sched.Calls())
	}
	queuetest.SameRequest(t, f.get(t, r.ID), r)
}
