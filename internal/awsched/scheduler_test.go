package awsched_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/queue"
)

const id = "0192f0c4-7a1b-7c3d-8e9f-0a1b2c3d4e5f"

var tokenPattern = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

// wantBody is the CreateSchedule body for request id at the expression and
// zone, apart from the client token.
func wantBody(expression, zone string) map[string]any {
	return map[string]any{
		"GroupName":                  group,
		"ScheduleExpression":         expression,
		"ScheduleExpressionTimezone": zone,
		"FlexibleTimeWindow":         map[string]any{"Mode": "OFF"},
		"ActionAfterCompletion":      "DELETE",
		"State":                      "ENABLED",
		"Description":                "dayone activation " + id,
		"Target": map[string]any{
			"Arn":     worker,
			"RoleArn": role,
			"Input":   `{"request_id":"` + id + `"}`,
			"RetryPolicy": map[string]any{
				"MaximumRetryAttempts":     float64(10),
				"MaximumEventAgeInSeconds": float64(3600),
			},
			"DeadLetterConfig": map[string]any{"Arn": dlq},
		},
	}
}

// withoutToken returns the body without its client token, and the token.
func withoutToken(t *testing.T, body map[string]any) (map[string]any, string) {
	t.Helper()
	rest := maps.Clone(body)
	token, _ := rest["ClientToken"].(string)
	delete(rest, "ClientToken")
	if !tokenPattern.MatchString(token) {
		t.Errorf("ClientToken %q does not fit [a-zA-Z0-9-_], 1-64", token)
	}
	return rest, token
}

func TestScheduleCreatesAOneTimeScheduleInTheRequestsZone(t *testing.T) {
	f := setup(t)
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")

	if err := f.sched.Schedule(context.Background(), r); err != nil {
		t.Fatal(err)
	}

	got := f.stub.Requests()
	if len(got) != 1 || got[0].Op != "CreateSchedule" {
		t.Fatalf("requests %v, want one CreateSchedule", ops(f.stub))
	}
	if got[0].Name != "dayone-"+id {
		t.Errorf("name %q, want dayone-%s", got[0].Name, id)
	}
	body, _ := withoutToken(t, got[0].Body)
	want := wantBody("at(2027-04-01T08:00:00)", "Europe/Berlin")
	if !reflect.DeepEqual(body, want) {
		t.Errorf("CreateSchedule body\n got %v\nwant %v", body, want)
	}
	if len(f.invoker.calls()) != 0 {
		t.Errorf("the worker was invoked directly for a request due in a week")
	}
}

// C9: the name comes from the id, whatever the login.
func TestScheduleNamesComeFromTheIDOnly(t *testing.T) {
	logins := []string{
		"first.last+test@example.com",
		strings.Repeat("l", 58) + "@example.com", // 70 characters
	}
	for _, login := range logins {
		t.Run(login, func(t *testing.T) {
			f := setup(t)
			r := request(t, id, login, "2027-04-01T08:00:00", "Europe/Berlin", "")

			if err := f.sched.Schedule(context.Background(), r); err != nil {
				t.Fatal(err)
			}

			if _, ok := f.stub.Schedule(group, "dayone-"+id); !ok {
				t.Fatalf("no schedule dayone-%s; have %v", id, f.stub.Schedules())
			}
			for _, rec := range f.stub.Requests() {
				if strings.Contains(rec.Name, "@") || strings.Contains(rec.Name, "example") {
					t.Errorf("name %q derives from the login", rec.Name)
				}
			}
		})
	}
}

func TestScheduleNameFitsForAnyID(t *testing.T) {
	namePattern := regexp.MustCompile(`^[0-9a-zA-Z-_.]{1,64}$`)
	ids := []string{
		id, "", "a/b", "a_b", "a b", "first.last+test@example.com",
		"jürgen.groß", strings.Repeat("x", 57), strings.Repeat("x", 58),
		strings.Repeat("ü", 100), "../../etc", "dayone-" + id,
	}
	seen := map[string]string{}
	for _, in := range ids {
		name := awsched.ScheduleName(in)
		if !namePattern.MatchString(name) {
			t.Errorf("ScheduleName(%q) = %q: not 1-64 of [0-9a-zA-Z-_.]", in, name)
		}
		if awsched.ScheduleName(in) != name {
			t.Errorf("ScheduleName(%q) is not stable", in)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("ScheduleName(%q) = ScheduleName(%q) = %q", in, other, name)
		}
		seen[name] = in
	}
	clean := strings.Repeat("x", 57)
	if got := awsched.ScheduleName(clean); got != "dayone-"+clean {
		t.Errorf("a clean id of 57 characters became %q", got)
	}
}

// C9: moving a request changes the existing schedule, and sends every field
// again, since UpdateSchedule resets what it is not sent.
func TestRescheduleUpdatesTheScheduleWithEveryField(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := request(t, id, "first.last+test@example.com", "2027-04-01T08:00:00",
		"Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	later := request(t, id, r.Login, "2027-04-01T09:00:00", "Europe/Berlin", "")
	if err := f.sched.Reschedule(ctx, later); err != nil {
		t.Fatal(err)
	}

	got := f.stub.Requests()
	if !slices.Equal(ops(f.stub), []string{"CreateSchedule", "UpdateSchedule"}) {
		t.Fatalf("requests %v, want CreateSchedule then UpdateSchedule", ops(f.stub))
	}
	if got[1].Name != got[0].Name {
		t.Errorf("update named %q, create %q", got[1].Name, got[0].Name)
	}
	created, createToken := withoutToken(t, got[0].Body)
	updated, updateToken := withoutToken(t, got[1].Body)
	created["ScheduleExpression"] = "at(2027-04-01T09:00:00)"
	if !reflect.DeepEqual(updated, created) {
		t.Errorf("UpdateSchedule body\n got %v\nwant %v", updated, created)
	}
	if updateToken == createToken {
		t.Errorf("update reused the create's client token %q", createToken)
	}

	st, _ := f.stub.Schedule(group, awsched.ScheduleName(id))
	if st.ScheduleExpression != "at(2027-04-01T09:00:00)" || st.ActionAfterCompletion != "DELETE" {
		t.Errorf("stored %s with %s after completion", st.ScheduleExpression,
			st.ActionAfterCompletion)
	}
	if n := len(f.stub.Schedules()); n != 1 {
		t.Errorf("%d schedules, want 1", n)
	}
}

// C9: a create retried with the same id is not an error when the schedule
// already matches.
func TestScheduleRetriedIsNotAnError(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	// The same call again: the same client token, which the service replays.
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Errorf("retry with the same token: %v", err)
	}
	// A later version of the request at the same time: another token, so the
	// name conflicts, and the schedule found is the same.
	again := r.Clone()
	again.Version++
	if err := f.sched.Schedule(ctx, again); err != nil {
		t.Errorf("retry of a later version: %v", err)
	}

	want := []string{"CreateSchedule", "CreateSchedule", "CreateSchedule", "GetSchedule"}
	if !slices.Equal(ops(f.stub), want) {
		t.Errorf("requests %v, want %v", ops(f.stub), want)
	}
	rec := f.stub.Requests()
	_, first := withoutToken(t, rec[0].Body)
	_, second := withoutToken(t, rec[1].Body)
	_, third := withoutToken(t, rec[2].Body)
	if first != second || first == third {
		t.Errorf("client tokens %q, %q, %q: want the first two equal, the third new",
			first, second, third)
	}
	if rec[3].Query.Get("groupName") != group {
		t.Errorf("GetSchedule query %v, want groupName=%s", rec[3].Query, group)
	}
	if n := len(f.stub.Schedules()); n != 1 {
		t.Errorf("%d schedules, want 1", n)
	}
}

func TestScheduleOfAnExistingNameAtAnotherTimeFails(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	other := request(t, id, "anna@example.com", "2027-04-01T10:00:00", "Europe/Berlin", "")
	err := f.sched.Schedule(ctx, other)

	if !errors.Is(err, queue.ErrConflict) {
		t.Errorf("error = %v, want one wrapping queue.ErrConflict", err)
	}
	st, _ := f.stub.Schedule(group, awsched.ScheduleName(id))
	if st.ScheduleExpression != "at(2027-04-01T08:00:00)" {
		t.Errorf("the schedule moved to %s", st.ScheduleExpression)
	}
}

func TestCancelDeletesAndToleratesAMissingSchedule(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	if err := f.sched.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.sched.Cancel(ctx, id); err != nil {
		t.Errorf("second cancel: %v", err)
	}

	rec := f.stub.Requests()
	if !slices.Equal(ops(f.stub), []string{"CreateSchedule", "DeleteSchedule", "DeleteSchedule"}) {
		t.Fatalf("requests %v", ops(f.stub))
	}
	for _, del := range rec[1:] {
		if del.Name != "dayone-"+id || del.Query.Get("groupName") != group {
			t.Errorf("DeleteSchedule of %q with query %v", del.Name, del.Query)
		}
	}
	if n := len(f.stub.Schedules()); n != 0 {
		t.Errorf("%d schedules left", n)
	}
}

func TestCancelAfterTheScheduleFired(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	input, err := f.stub.Fire(group, awsched.ScheduleName(id))
	if err != nil || input != `{"request_id":"`+id+`"}` {
		t.Fatalf("fired with %q, %v", input, err)
	}
	if err := f.sched.Cancel(ctx, id); err != nil {
		t.Errorf("cancel after the schedule deleted itself: %v", err)
	}
}

func TestRequestsDueSoonGoStraightToTheWorker(t *testing.T) {
	tests := []struct {
		name   string
		due    time.Time
		direct bool
	}{
		{"in 45 seconds", now.Add(45 * time.Second), true},
		{"in 90 seconds, which the worker would not yet take", now.Add(90 * time.Second), false},
		{"exactly at the window's end", now.Add(awsched.DefaultDirectWithin), true},
		{"already past", now.Add(-time.Hour), true},
		{"a second after the window", now.Add(awsched.DefaultDirectWithin + time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			berlin, _ := time.LoadLocation("Europe/Berlin")
			wall := tt.due.In(berlin).Format("2006-01-02T15:04:05")
			r := request(t, id, "anna@example.com", wall, "Europe/Berlin", "")

			if err := f.sched.Schedule(context.Background(), r); err != nil {
				t.Fatal(err)
			}

			invoked := len(f.invoker.calls()) == 1 && f.invoker.calls()[0] == id
			created := slices.Equal(ops(f.stub), []string{"CreateSchedule"})
			if invoked != tt.direct || created == tt.direct {
				t.Errorf("invoked %v, requests %v; want direct=%v",
					f.invoker.calls(), ops(f.stub), tt.direct)
			}
		})
	}
}

func TestRescheduleOfARequestThatHadNoSchedule(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	// Once due within the window, so it got no schedule; then moved to later.
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")

	if err := f.sched.Reschedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	if !slices.Equal(ops(f.stub), []string{"UpdateSchedule", "CreateSchedule"}) {
		t.Errorf("requests %v, want UpdateSchedule then CreateSchedule", ops(f.stub))
	}
	if _, ok := f.stub.Schedule(group, awsched.ScheduleName(id)); !ok {
		t.Error("no schedule was created")
	}
}

func TestRescheduleIntoTheDirectWindow(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Fatal(err)
	}

	soon := request(t, id, "anna@example.com", "2027-03-25T11:01:00", "Europe/Berlin", "")
	if err := f.sched.Reschedule(ctx, soon); err != nil {
		t.Fatal(err)
	}

	if !slices.Equal(ops(f.stub), []string{"CreateSchedule", "DeleteSchedule"}) {
		t.Errorf("requests %v, want CreateSchedule then DeleteSchedule", ops(f.stub))
	}
	if !slices.Equal(f.invoker.calls(), []string{id}) {
		t.Errorf("invoked %v, want [%s]", f.invoker.calls(), id)
	}
	if n := len(f.stub.Schedules()); n != 0 {
		t.Errorf("%d schedules left", n)
	}
}

// C6 and the overlap: 02:30 on 2027-10-31 happens twice in Berlin. The one
// chosen goes out as a UTC wall clock, which names one instant.
func TestChosenOverlapInstantIsSentInUTC(t *testing.T) {
	tests := []struct{ offset, want string }{
		{"+02:00", "at(2027-10-31T00:30:00)"},
		{"+01:00", "at(2027-10-31T01:30:00)"},
	}
	for _, tt := range tests {
		t.Run(tt.offset, func(t *testing.T) {
			f := setup(t)
			r := request(t, id, "anna@example.com", "2027-10-31T02:30", "Europe/Berlin", tt.offset)

			if err := f.sched.Schedule(context.Background(), r); err != nil {
				t.Fatal(err)
			}

			body := f.stub.Requests()[0].Body
			zone := body["ScheduleExpressionTimezone"]
			if body["ScheduleExpression"] != tt.want || zone != "UTC" {
				t.Errorf("sent %v in %v, want %s in UTC", body["ScheduleExpression"],
					body["ScheduleExpressionTimezone"], tt.want)
			}
		})
	}
}

func TestThrottlingIsLeftToTheSDKThenTemporary(t *testing.T) {
	ctx := context.Background()
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")

	// The SDK's retryer handles a passing throttle (no wait between tries here).
	f := setup(t, func(o *scheduler.Options) {
		o.Retryer = retry.NewStandard(func(s *retry.StandardOptions) {
			s.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				return 0, nil
			})
		})
	})
	f.stub.FailNext(1, "ThrottlingException", http.StatusTooManyRequests)
	if err := f.sched.Schedule(ctx, r); err != nil {
		t.Errorf("a single throttle was not retried: %v", err)
	}

	// When throttling outlasts the retries, the error says it may pass.
	f = setup(t, func(o *scheduler.Options) { o.RetryMaxAttempts = 1 })
	f.stub.FailNext(1, "ThrottlingException", http.StatusTooManyRequests)
	err := f.sched.Schedule(ctx, r)
	var throttled *types.ThrottlingException
	if !errors.Is(err, queue.ErrTemporary) || !errors.As(err, &throttled) {
		t.Errorf("error = %v, want ErrTemporary and a ThrottlingException", err)
	}
}

func TestFailuresAreReturned(t *testing.T) {
	ctx := context.Background()
	r := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")

	f := setup(t)
	f.stub.FailNext(1, "ValidationException", http.StatusBadRequest)
	err := f.sched.Schedule(ctx, r)
	var invalid *types.ValidationException
	if !errors.As(err, &invalid) || errors.Is(err, queue.ErrTemporary) {
		t.Errorf("error = %v, want a ValidationException, not temporary", err)
	}

	f.invoker.err = errors.New("lambda down")
	soon := request(t, id, "anna@example.com", "2027-03-25T11:00:00", "Europe/Berlin", "")
	err = f.sched.Schedule(ctx, soon)
	if err == nil || !strings.Contains(err.Error(), "lambda down") {
		t.Errorf("error = %v, want the invoker's", err)
	}

	if err := f.sched.Schedule(ctx, &queue.Request{ID: id, Start: "soon",
		TimeZone: "Europe/Berlin", DueAt: now.Add(time.Hour)}); err == nil {
		t.Error("a request whose Start is no wall clock was scheduled")
	}
}

// retried returns request id, due a minute before now, after attempts
// failed attempts, as the service passes it to Retry.
func retried(t *testing.T, attempts int) *queue.Request {
	t.Helper()
	r := request(t, id, "anna@example.com", "2027-03-25T10:59:00", "Europe/Berlin", "")
	r.Attempts, r.Version = attempts, int64(1+2*attempts)
	return r
}

func TestRetryCreatesAOneTimeScheduleInUTC(t *testing.T) {
	f := setup(t)
	at := now.Add(30*time.Second + 200*time.Millisecond)

	if err := f.sched.Retry(context.Background(), retried(t, 1), at); err != nil {
		t.Fatal(err)
	}

	got := f.stub.Requests()
	if len(got) != 1 || got[0].Op != "CreateSchedule" || got[0].Name != "dayone-"+id {
		t.Fatalf("requests %v, want one CreateSchedule of dayone-%s", ops(f.stub), id)
	}
	body, _ := withoutToken(t, got[0].Body)
	// Rounded up to the whole second, as at() takes none of its fractions.
	want := wantBody("at(2027-03-25T10:00:31)", "UTC")
	if !reflect.DeepEqual(body, want) {
		t.Errorf("CreateSchedule body\n got %v\nwant %v", body, want)
	}
	if calls := f.invoker.calls(); len(calls) != 0 {
		t.Errorf("a retry invoked the worker directly: %v", calls)
	}
}

func TestRetryAtAWholeSecondKeepsIt(t *testing.T) {
	f := setup(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := now.Add(time.Minute).In(berlin) // the zone of the value does not matter

	if err := f.sched.Retry(context.Background(), retried(t, 2), at); err != nil {
		t.Fatal(err)
	}

	body := f.stub.Requests()[0].Body
	if body["ScheduleExpression"] != "at(2027-03-25T10:01:00)" ||
		body["ScheduleExpressionTimezone"] != "UTC" {
		t.Errorf("sent %v in %v, want at(2027-03-25T10:01:00) in UTC",
			body["ScheduleExpression"], body["ScheduleExpressionTimezone"])
	}
}

// The schedule that delivered the failed attempt may still exist: the retry
// replaces it, sending every field.
func TestRetryReplacesTheExistingSchedule(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	first := request(t, id, "anna@example.com", "2027-04-01T08:00:00", "Europe/Berlin", "")
	if err := f.sched.Schedule(ctx, first); err != nil {
		t.Fatal(err)
	}

	at := now.Add(30 * time.Second)
	if err := f.sched.Retry(ctx, retried(t, 1), at); err != nil {
		t.Fatal(err)
	}

	want := []string{"CreateSchedule", "CreateSchedule", "UpdateSchedule"}
	if !slices.Equal(ops(f.stub), want) {
		t.Fatalf("requests %v, want %v", ops(f.stub), want)
	}
	rec := f.stub.Requests()
	created, retryToken := withoutToken(t, rec[1].Body)
	updated, updateToken := withoutToken(t, rec[2].Body)
	wantRetry := wantBody("at(2027-03-25T10:00:30)", "UTC")
	if !reflect.DeepEqual(created, wantRetry) || !reflect.DeepEqual(updated, wantRetry) {
		t.Errorf("retry bodies\n create %v\n update %v\nwant %v", created, updated, wantRetry)
	}
	if rec[2].Name != "dayone-"+id || retryToken == updateToken {
		t.Errorf("update of %q with token %q after %q; want dayone-%s and a new token",
			rec[2].Name, updateToken, retryToken, id)
	}
	st, ok := f.stub.Schedule(group, awsched.ScheduleName(id))
	if !ok || st.ScheduleExpression != "at(2027-03-25T10:00:30)" ||
		st.ScheduleExpressionTimezone != "UTC" || st.ActionAfterCompletion != "DELETE" {
		t.Errorf("stored %+v, want the retry's time in UTC, deleted after completion", st)
	}
	if n := len(f.stub.Schedules()); n != 1 {
		t.Errorf("%d schedules, want 1", n)
	}
}

// Each attempt's retry sends its own client token; the same call repeated
// sends the same one.
func TestRetryTokensDifferPerAttempt(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	firstAt, secondAt := now.Add(30*time.Second), now.Add(90*time.Second)
	for _, call := range []struct {
		attempts int
		at       time.Time
	}{{1, firstAt}, {1, firstAt}, {2, secondAt}} {
		if err := f.sched.Retry(ctx, retried(t, call.attempts), call.at); err != nil {
			t.Fatalf("retry after attempt %d: %v", call.attempts, err)
		}
	}

	// The repeated call is replayed; the second attempt's retry finds the
	// first one's schedule and replaces it.
	want := []string{"CreateSchedule", "CreateSchedule", "CreateSchedule", "UpdateSchedule"}
	if !slices.Equal(ops(f.stub), want) {
		t.Fatalf("requests %v, want %v", ops(f.stub), want)
	}
	rec := f.stub.Requests()
	var tokens []string
	for _, r := range rec {
		_, token := withoutToken(t, r.Body)
		tokens = append(tokens, token)
	}
	if tokens[0] != tokens[1] || tokens[2] == tokens[0] || tokens[3] == tokens[2] {
		t.Errorf("client tokens %q: want the first two equal, then new ones", tokens)
	}
	st, _ := f.stub.Schedule(group, awsched.ScheduleName(id))
	if st.ScheduleExpression != "at(2027-03-25T10:01:30)" {
		t.Errorf("stored %s, want the second retry's time", st.ScheduleExpression)
	}
}

// The schedule that conflicted may be gone by the time of the update: the
// retry creates it after all.
func TestRetryCreatesWhenTheConflictingScheduleIsGone(t *testing.T) {
	f := setup(t)
	f.stub.FailNext(1, "ConflictException", http.StatusConflict)

	err := f.sched.Retry(context.Background(), retried(t, 1), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"CreateSchedule", "UpdateSchedule", "CreateSchedule"}
	if !slices.Equal(ops(f.stub), want) {
		t.Fatalf("requests %v, want %v", ops(f.stub), want)
	}
	body, _ := withoutToken(t, f.stub.Requests()[2].Body)
	if want := wantBody("at(2027-03-25T10:01:00)", "UTC"); !reflect.DeepEqual(body, want) {
		t.Errorf("CreateSchedule body\n got %v\nwant %v", body, want)
	}
	if _, ok := f.stub.Schedule(group, awsched.ScheduleName(id)); !ok {
		t.Error("no schedule was created")
	}
}

func TestRetryFailureIsReturned(t *testing.T) {
	f := setup(t, func(o *scheduler.Options) { o.RetryMaxAttempts = 1 })
	f.stub.FailNext(1, "AccessDeniedException", http.StatusForbidden)

	err := f.sched.Retry(context.Background(), retried(t, 1), now.Add(time.Minute))

	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") ||
		!strings.HasPrefix(err.Error(), "awsched: create schedule dayone-"+id) {
		t.Errorf("error = %v, want the create's AccessDeniedException", err)
	}
	if n := len(f.stub.Schedules()); n != 0 || len(f.invoker.calls()) != 0 {
		t.Errorf("%d schedules, invokes %v; want neither", n, f.invoker.calls())
	}
}
