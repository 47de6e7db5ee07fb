package queue_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// c3Start is C3's start: 2027-04-01 08:00 Europe/Berlin, 06:00 UTC.
const c3Start = "2027-04-01T08:00"

// TestFireByOktaStatus is C3: what happens depends on the user's status,
// read before any activate call.
func TestFireByOktaStatus(t *testing.T) {
	cases := []struct {
		status    string
		reenable  bool
		calls     int
		want      queue.Status
		resultHas string
	}{
		{"STAGED", false, 1, queue.StatusActivated, "activated; Okta sent the activation email"},
		{"PROVISIONED", false, 0, queue.StatusActivated,
			"activation email already sent, not yet completed"},
		{"ACTIVE", false, 0, queue.StatusActivated, "already active"},
		{"LOCKED_OUT", false, 0, queue.StatusActivated, "already active"},
		{"PASSWORD_EXPIRED", false, 0, queue.StatusActivated, "already active"},
		{"RECOVERY", false, 0, queue.StatusActivated, "already active"},
		{"DEPROVISIONED", false, 0, queue.StatusFailed, "does not re-enable"},
		{"SUSPENDED", false, 0, queue.StatusFailed, "does not re-enable"},
		{"SUSPENDED", true, 0, queue.StatusFailed, "does not re-enable"},
		{"DEPROVISIONED", true, 1, queue.StatusActivated, "activated"},
		{"SOMETHING_NEW", false, 0, queue.StatusFailed, `unexpected Okta status "SOMETHING_NEW"`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/reenable=%t", c.status, c.reenable), func(t *testing.T) {
			f := newFixture(t, queue.Config{AllowReenable: c.reenable})
			user := f.accounts.AddUser("anna.test+hr@example.com", c.status)
			r := f.schedule(t, "anna.test+hr@example.com", c3Start, true)
			if !r.DueAt.Equal(utc("2027-04-01T06:00:00Z")) {
				t.Fatalf("DueAt = %s, want 06:00Z", r.DueAt)
			}

			got, err := f.fireAtDue(t, r)
			if err != nil {
				t.Fatalf("Fire: %v", err)
			}
			checkOutcome(t, f, got, c.want, c.resultHas)
			calls := f.accounts.Activations()
			if len(calls) != c.calls {
				t.Fatalf("Activate calls = %d, want %d", len(calls), c.calls)
			}
			if c.calls == 1 && (calls[0].UserID != user.ID || !calls[0].SendEmail) {
				t.Errorf("Activate call = %+v, want user %s with email", calls[0], user.ID)
			}
			if got.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", got.Attempts)
			}
		})
	}
}

// checkOutcome checks the returned request against the stored one and the
// expected final status and result.
func checkOutcome(t *testing.T, f *fixture, got *queue.Request, want queue.Status,
	resultHas string) {
	t.Helper()
	stored := f.get(t, got.ID)
	queuetest.SameRequest(t, stored, got)
	if stored.Status != want || !strings.Contains(stored.Result, resultHas) {
		t.Errorf("outcome %s %q, want %s with %q", stored.Status, stored.Result, want, resultHas)
	}
	wantEvent := queue.EventActivated
	if want == queue.StatusFailed {
		wantEvent = queue.EventFailed
	}
	if e := lastEvent(stored); e.Event != wantEvent || e.Detail != stored.Result {
		t.Errorf("last event = %+v, want %s with the result", e, wantEvent)
	}
}

func TestFireUnknownUser(t *testing.T) {
	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ops#lead@example.com", c3Start, true)

	got, err := f.fireAtDue(t, r)
	if err != nil {
		t.Fatalf("Fire: %v", err)
	}
	checkOutcome(t, f, got, queue.StatusFailed, "no Okta user has the login ops#lead@example.com")
	if finds := f.accounts.Finds(); len(finds) != 1 || finds[0] != "ops#lead@example.com" {
		t.Errorf("FindUser calls = %q, want the whole login once", finds)
	}
}

func TestFireUnknownID(t *testing.T) {
	f := newFixture(t, queue.Config{})
	_, err := f.svc.Fire(context.Background(), "no-such-id")
	if !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

// TestFirePermanentErrors is C5: a credential problem is recorded with its
// reason, is not mistaken for a missing user and is not retried.
func TestFirePermanentErrors(t *testing.T) {
	invalidToken := errors.New("okta: the API token is invalid (E0000011)")
	noPermission := errors.New("okta: the token's admin lacks permission (E0000006)")
	cases := []struct {
		name         string
		find, act    error
		resultHas    string
		finds, calls int
	}{
		{"lookup", invalidToken, nil, "user lookup failed: " + invalidToken.Error(), 1, 0},
		// After a refused call the status is read again, to see whether
		// someone else activated the user meanwhile.
		{"activate", nil, noPermission, "activation failed: " + noPermission.Error(), 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, queue.Config{})
			f.accounts.AddUser("ada@example.com", "STAGED")
			f.accounts.FindHook = func(context.Context, string) error { return c.find }
			f.accounts.ActivateHook = func(context.Context, string) error { return c.act }
			r := f.schedule(t, "ada@example.com", c3Start, true)

			got, err := f.fireAtDue(t, r)
			if err != nil {
				t.Fatalf("Fire: %v, want nil: the failure is recorded, not retried", err)
			}
			checkOutcome(t, f, got, queue.StatusFailed, c.resultHas)
			if strings.Contains(got.Result, "no Okta user") {
				t.Errorf("Result %q reads as a missing user", got.Result)
			}

			// A second delivery finds it failed and does nothing.
			f.clock.Set(r.DueAt.Add(time.Hour))
			if again, err := f.svc.Fire(context.Background(), r.ID); err != nil ||
				again.Version != got.Version {
				t.Errorf("second Fire changed the request: %v", err)
			}
			if n, m := len(f.accounts.Finds()), len(f.accounts.Activations()); n != c.finds ||
				m != c.calls {
				t.Errorf("FindUser %d, Activate %d calls; want %d and %d", n, m, c.finds, c.calls)
			}
		})
	}
}

// TestFireTemporaryErrorGivesUp: each temporary failure with attempts left
// schedules the request again and arms a retry, with a nil error; the last
// one ends it failed.
func TestFireTemporaryErrorGivesUp(t *testing.T) {
	f := newFixture(t, queue.Config{MaxAttempts: 3})
	f.accounts.AddUser("ada@example.com", "STAGED")
	f.accounts.FindHook = func(context.Context, string) error {
		return fmt.Errorf("okta: 429 rate limited: %w", queue.ErrTemporary)
	}
	r := f.schedule(t, "ada@example.com", c3Start, true)
	wantAt := []time.Time{
		utc("2027-04-01T06:00:30Z"), // 30 s after the first attempt
		utc("2027-04-01T06:01:30Z"), // a minute after the second, at the first retry
	}

	f.clock.Set(r.DueAt)
	for attempt := 1; attempt <= 2; attempt++ {
		got, err := f.svc.Fire(context.Background(), r.ID)
		if err != nil {
			t.Fatalf("attempt %d: err = %v, want nil: the retry is armed", attempt, err)
		}
		at := wantAt[attempt-1]
		want := fmt.Sprintf("attempt %d failed, will retry at %s UTC: user lookup failed",
			attempt, at.Format("15:04:05"))
		checkRetried(t, f, got, attempt, want)
		retries := f.sched.Retries()
		if len(retries) != attempt || retries[attempt-1].ID != r.ID ||
			!retries[attempt-1].At.Equal(at) ||
			retries[attempt-1].Request.Status != queue.StatusScheduled {
			t.Fatalf("attempt %d: retries %+v, want a retry of %s at %s",
				attempt, retries, r.ID, at)
		}
		f.clock.Set(at)
	}

	got, err := f.svc.Fire(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("last attempt: err = %v, want nil", err)
	}
	checkOutcome(t, f, got, queue.StatusFailed, "gave up after 3 attempts: user lookup failed")
	if n := len(f.sched.Retries()); n != 2 {
		t.Errorf("%d retries armed, want 2: none after the last attempt", n)
	}
	_, err = f.svc.Fire(context.Background(), r.ID)
	if err != nil || len(f.accounts.Finds()) != 3 {
		t.Errorf("after giving up: err %v, %d lookups; want nil, 3", err, len(f.accounts.Finds()))
	}
}

// checkRetried checks that got is stored scheduled after attempt, with the
// result and a retry event saying so.
func checkRetried(t *testing.T, f *fixture, got *queue.Request, attempt int, result string) {
	t.Helper()
	queuetest.SameRequest(t, f.get(t, got.ID), got)
	if got.Status != queue.StatusScheduled || got.Attempts != attempt ||
		!strings.HasPrefix(got.Result, result) {
		t.Errorf("attempt %d: %s, %d attempts, %q; want scheduled, %q",
			attempt, got.Status, got.Attempts, got.Result, result)
	}
	if e := lastEvent(got); e.Event != queue.EventRetry || e.Detail != got.Result {
		t.Errorf("attempt %d: last event %+v, want a retry with the result", attempt, e)
	}
}

func TestFireTemporaryErrorThenSuccess(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	var failed atomic.Bool
	f.accounts.ActivateHook = func(context.Context, string) error {
		if failed.CompareAndSwap(false, true) {
			return fmt.Errorf("okta: 503: %w", queue.ErrTemporary)
		}
		return nil
	}
	r := f.schedule(t, "ada@example.com", c3Start, true)

	if _, err := f.fireAtDue(t, r); err != nil {
		t.Fatalf("first attempt: err = %v, want nil with a retry armed", err)
	}
	retries := f.sched.Retries()
	if len(retries) != 1 || !retries[0].At.Equal(r.DueAt.Add(30*time.Second)) {
		t.Fatalf("retries %+v, want one 30 s after the due time", retries)
	}
	f.clock.Set(retries[0].At)
	got, err := f.svc.Fire(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	checkOutcome(t, f, got, queue.StatusActivated, "activated")
	if got.Attempts != 2 || len(f.accounts.Activations()) != 2 {
		t.Errorf("attempts %d, Activate calls %d; want 2 and 2",
			got.Attempts, len(f.accounts.Activations()))
	}
}

// TestFireRetryNotArmed: when the scheduler cannot arm the retry, the request
// stays scheduled and Fire says so with ErrTemporary and the scheduler's
// error, for the platform's own retry to take over.
func TestFireRetryNotArmed(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	f.accounts.FindHook = func(context.Context, string) error {
		return fmt.Errorf("okta: 503: %w", queue.ErrTemporary)
	}
	schedErr := errors.New("awsched: create schedule dayone-x: AccessDeniedException")
	f.sched.RetryErr = schedErr
	r := f.schedule(t, "ada@example.com", c3Start, true)

	got, err := f.fireAtDue(t, r)
	if !errors.Is(err, queue.ErrTemporary) || !errors.Is(err, schedErr) {
		t.Fatalf("err = %v, want ErrTemporary and the scheduler's error", err)
	}
	for _, want := range []string{r.ID, "okta: 503", "AccessDeniedException"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not name %q", err, want)
		}
	}
	checkRetried(t, f, got, 1, "attempt 1 failed, will retry at 06:00:30 UTC: user lookup")
	if n := len(f.sched.Retries()); n != 1 {
		t.Errorf("%d Retry calls, want 1", n)
	}
}

// TestFireRetryDelayFromConfig: the service asks Config.RetryDelay for the
// delay after each failed attempt.
func TestFireRetryDelayFromConfig(t *testing.T) {
	var asked []int
	f := newFixture(t, queue.Config{RetryDelay: func(attempt int) time.Duration {
		asked = append(asked, attempt)
		return time.Duration(attempt) * time.Second
	}})
	f.accounts.AddUser("ada@example.com", "STAGED")
	f.accounts.FindHook = func(context.Context, string) error {
		return fmt.Errorf("okta: 503: %w", queue.ErrTemporary)
	}
	r := f.schedule(t, "ada@example.com", c3Start, true)

	f.clock.Set(r.DueAt)
	for range 2 {
		if _, err := f.svc.Fire(context.Background(), r.ID); err != nil {
			t.Fatal(err)
		}
	}
	retries := f.sched.Retries()
	if len(retries) != 2 || !retries[0].At.Equal(r.DueAt.Add(time.Second)) ||
		!retries[1].At.Equal(r.DueAt.Add(2*time.Second)) {
		t.Errorf("retries %+v, want 1 s and 2 s after the due time", retries)
	}
	if !slices.Equal(asked, []int{1, 2}) {
		t.Errorf("RetryDelay asked for attempts %v, want [1 2]", asked)
	}
}

func TestDefaultRetryDelay(t *testing.T) {
	want := map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute,
		5: 8 * time.Minute, 6: 15 * time.Minute, 50: 15 * time.Minute,
	}
	for attempt, d := range want {
		if got := queue.DefaultRetryDelay(attempt); got != d {
			t.Errorf("DefaultRetryDelay(%d) = %s, want %s", attempt, got, d)
		}
	}
}

// TestFireWithoutEmail is C4: sendEmail=false travels to the call, the
// result says no email was sent, and a missing link is no success.
func TestFireWithoutEmail(t *testing.T) {
	for _, noLink := range []bool{false, true} {
		t.Run(fmt.Sprintf("noLink=%t", noLink), func(t *testing.T) {
			f := newFixture(t, queue.Config{})
			f.accounts.NoLink = noLink
			f.accounts.AddUser("ada@example.com", "STAGED")
			r := f.schedule(t, "ada@example.com", c3Start, false)

			got, err := f.fireAtDue(t, r)
			if err != nil {
				t.Fatalf("Fire: %v", err)
			}
			calls := f.accounts.Activations()
			if len(calls) != 1 || calls[0].SendEmail {
				t.Fatalf("Activate calls = %+v, want one without email", calls)
			}
			if noLink {
				checkOutcome(t, f, got, queue.StatusFailed, "returned no activation link")
				return
			}
			checkOutcome(t, f, got, queue.StatusActivated, "no email was sent")
		})
	}
}

// TestDeliveredTwiceWhileActivateNow is C10: ten deliveries of one request and
// an Activate now for the same user make one activate call in total.
func TestDeliveredTwiceWhileActivateNow(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.accounts.ActivateHook = func(context.Context, string) error {
		once.Do(func() { close(entered) })
		<-release
		return nil
	}
	r := f.schedule(t, "ada@example.com", c3Start, true)
	f.clock.Set(r.DueAt)

	const n = 10
	errs := make([]error, n)
	var returned atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer returned.Add(1)
			_, errs[i] = f.svc.Fire(context.Background(), r.ID)
		})
	}
	waitFor(t, "one activation in flight and the other deliveries back", func() bool {
		select {
		case <-entered:
			return returned.Load() == n-1
		default:
			return false
		}
	})

	_, err := f.svc.ActivateNow(context.Background(), queue.ActivateInput{
		Login: "Ada@Example.com", SendEmail: true, Actor: "lead@example.com"})
	var open *queue.OpenRequestError
	if !errors.As(err, &open) || open.ExistingID != r.ID {
		t.Errorf("ActivateNow during the activation: err = %v, want it to point at %s", err, r.ID)
	}
	close(release)
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	got := f.get(t, r.ID)
	if n := len(f.accounts.Activations()); n != 1 || got.Status != queue.StatusActivated ||
		got.Attempts != 1 {
		t.Errorf("%d Activate calls, %s after %d attempts; want 1, activated, 1",
			n, got.Status, got.Attempts)
	}
	if f.countAll(t) != 1 {
		t.Errorf("%d requests stored, want 1", f.countAll(t))
	}
}

// TestActivateNowAfterActivation: once the scheduled request is done, a new
// Activate now goes through its own request and reads the status first.
func TestActivateNowAfterActivation(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	r := f.schedule(t, "ada@example.com", c3Start, true)
	if _, err := f.fireAtDue(t, r); err != nil {
		t.Fatalf("Fire: %v", err)
	}

	now, err := f.svc.ActivateNow(context.Background(), queue.ActivateInput{
		Login: "ada@example.com", SendEmail: true, Actor: "lead@example.com"})
	if err != nil {
		t.Fatalf("ActivateNow: %v", err)
	}
	if now.ID == r.ID || now.Status != queue.StatusActivated ||
		!strings.Contains(now.Result, "activation email already sent") {
		t.Errorf("ActivateNow = %s %s %q, want a new request, activated, email already sent",
			now.ID, now.Status, now.Result)
	}
	if n := len(f.accounts.Activations()); n != 1 {
		t.Errorf("Activate calls = %d, want 1", n)
	}
	if !now.DueAt.Equal(r.DueAt) || now.TimeZone != "Europe/Berlin" ||
		now.Start != "2027-04-01T08:00:00" {
		t.Errorf("ActivateNow due %s %s %s, want now in the default zone",
			now.DueAt, now.Start, now.TimeZone)
	}
}

func TestEarlyDeliveryDoesNothing(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	r := f.schedule(t, "ada@example.com", c3Start, true)

	f.clock.Set(r.DueAt.Add(-time.Minute - time.Second))
	got, err := f.svc.Fire(context.Background(), r.ID)
	if err != nil || got.Status != queue.StatusScheduled || got.Version != r.Version ||
		len(f.accounts.Finds()) != 0 {
		t.Fatalf("early Fire: %s v%d, %v, %d lookups; want scheduled v%d, untouched",
			got.Status, got.Version, err, len(f.accounts.Finds()), r.Version)
	}

	f.clock.Set(r.DueAt.Add(-time.Minute))
	if got, err := f.svc.Fire(context.Background(), r.ID); err != nil ||
		got.Status != queue.StatusActivated {
		t.Errorf("Fire a minute early: %s, %v; want activated", got.Status, err)
	}
}

// TestRunningClaimAndLease: a running request is left alone while its claim
// is fresh and taken over, reading the status first, once the lease ran out.
func TestRunningClaimAndLease(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	r := f.schedule(t, "ada@example.com", c3Start, true)
	f.clock.Set(r.DueAt)
	f.force(t, r, queue.StatusRunning)
	// The lost attempt had gone through before its worker died.
	f.accounts.SetStatus("ada@example.com", "PROVISIONED")

	for _, after := range []time.Duration{time.Minute, queue.DefaultLease} {
		f.clock.Set(r.ClaimedAt.Add(after))
		got, err := f.svc.Fire(context.Background(), r.ID)
		if err != nil || got.Version != r.Version || len(f.accounts.Finds()) != 0 {
			t.Fatalf("Fire %s into the claim: v%d, %v; want untouched v%d",
				after, got.Version, err, r.Version)
		}
	}

	f.clock.Set(r.ClaimedAt.Add(queue.DefaultLease + time.Second))
	got, err := f.svc.Fire(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("Fire after the lease: %v", err)
	}
	checkOutcome(t, f, got, queue.StatusActivated, "activation email already sent")
	if got.Attempts != 2 || got.History[len(got.History)-2].Event != queue.EventResumed {
		t.Errorf("attempts %d, history %+v; want 2 with a resumed event",
			got.Attempts, got.History)
	}
	if n := len(f.accounts.Activations()); n != 0 {
		t.Errorf("Activate calls = %d, want 0", n)
	}
}

func TestResumeTakesOverAFreshClaim(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("ada@example.com", "STAGED")
	r := f.schedule(t, "ada@example.com", c3Start, true)
	f.clock.Set(r.DueAt)
	f.force(t, r, queue.StatusRunning)

	got, err := f.svc.Resume(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	checkOutcome(t, f, got, queue.StatusActivated, "activated")
	if n := len(f.accounts.Activations()); n != 1 {
		t.Errorf("Activate calls = %d, want 1", n)
	}

	if again, err := f.svc.Resume(context.Background(), r.ID); err != nil ||
		again.Version != got.Version {
		t.Errorf("Resume of a finished request changed it: %v", err)
	}
}

func TestASlowDirectoryLeavesTimeToRecordTheOutcome(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.accounts.AddUser("slow@example.com", "STAGED")
	f.accounts.FindHook = func(ctx context.Context, _ string) error {
		<-ctx.Done() // Okta answers only after the attempt's time is up
		return fmt.Errorf("%w: %w", queue.ErrTemporary, ctx.Err())
	}
	r := f.schedule(t, "slow@example.com", c3Start, true)
	f.clock.Set(r.DueAt)

	// Like a Lambda invocation: the whole attempt has a deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 5500*time.Millisecond)
	defer cancel()
	_, err := f.svc.Fire(ctx, r.ID)
	if err != nil {
		t.Fatalf("fire: %v, want nil: the outcome and the retry are recorded", err)
	}
	got := f.get(t, r.ID)
	if got.Status != queue.StatusScheduled || got.Attempts != 1 ||
		len(f.sched.Retries()) != 1 {
		t.Errorf("after the cut attempt: %s with %d attempts, %d retries; "+
			"want scheduled with 1 and a retry", got.Status, got.Attempts,
			len(f.sched.Retries()))
	}
}
