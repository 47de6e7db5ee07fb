package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsched/schedulerstub"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/lambdainvoke"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/testenv"
)

// eventFor is the testdata scheduler event with the sample id replaced.
func eventFor(t *testing.T, id string) []byte {
	t.Helper()
	sample := readTestdata(t, "scheduler-event.json")
	return bytes.Replace(sample, []byte(sampleID), []byte(id), 1)
}

func lambdaCtx(awsRequestID string) context.Context {
	return lambdacontext.NewContext(context.Background(),
		&lambdacontext.LambdaContext{AwsRequestID: awsRequestID})
}

func TestFireActivatesOnce(t *testing.T) {
	w := newWorld(t)
	login := "anna.test+hr@example.com"
	w.sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, w.web, login)

	if err := w.handler.Handle(lambdaCtx("lambda-req-1"), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusActivated || got.Attempts != 1 {
		t.Fatalf("request is %s after %d attempts (%s); want activated after 1",
			got.Status, got.Attempts, got.Result)
	}
	if n := w.sim.ActivateCalls(login); n != 1 {
		t.Fatalf("%d activate calls; want 1", n)
	}

	// The scheduler delivers the same event again (C10).
	if err := w.handler.Handle(lambdaCtx("lambda-req-2"), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle, second delivery: %v", err)
	}
	again := w.get(t, r.ID)
	if n := w.sim.ActivateCalls(login); n != 1 {
		t.Errorf("%d activate calls after a second delivery; want still 1", n)
	}
	if again.Version != got.Version || again.Status != queue.StatusActivated {
		t.Errorf("second delivery changed the request: version %d → %d, status %s",
			got.Version, again.Version, again.Status)
	}

	logs := w.logs.String()
	for _, want := range []string{`"request_id":"` + r.ID + `"`, `"status":"activated"`,
		`"attempts":1`, `"lambda_request_id":"lambda-req-1"`,
		`"lambda_request_id":"lambda-req-2"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, w.sim.Token) {
		t.Error("the logs contain the Okta token")
	}
}

func TestConcurrentDeliveriesActivateOnce(t *testing.T) {
	w := newWorld(t)
	login := "ops#lead@example.com"
	w.sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, w.web, login)

	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() { errs <- w.handler.Handle(context.Background(), eventFor(t, r.ID)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Handle: %v", err)
		}
	}

	if n := w.sim.ActivateCalls(login); n != 1 {
		t.Errorf("%d activate calls from 10 deliveries; want 1", n)
	}
	if got := w.get(t, r.ID); got.Status != queue.StatusActivated || got.Attempts != 1 {
		t.Errorf("request is %s after %d attempts; want activated after 1",
			got.Status, got.Attempts)
	}
}

func TestUnknownRequestIsNotRetried(t *testing.T) {
	w := newWorld(t)
	if err := w.handler.Handle(context.Background(), eventFor(t, sampleID)); err != nil {
		t.Fatalf("Handle of an unknown id: %v; want nil", err)
	}
	logs := w.logs.String()
	if !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, sampleID) {
		t.Errorf("want a warning naming %s; logs:\n%s", sampleID, logs)
	}
	if calls := w.sim.Calls(); len(calls) != 0 {
		t.Errorf("Okta got %d calls for an unknown request", len(calls))
	}
}

func TestBadEventsChangeNothing(t *testing.T) {
	w := newWorld(t)
	login := "m.keller@example.com"
	w.sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, w.web, login)

	events := []string{
		string(readTestdata(t, "eventbridge-rule-event.json")),
		`{"request_id":"` + r.ID + `","force":true}`,
		`{"RequestID":"` + r.ID + `"}`,
		`{"request_id":""}`,
		`"` + r.ID + `"`,
		`not json at all`,
	}
	for _, event := range events {
		if err := w.handler.Handle(context.Background(), []byte(event)); err != nil {
			t.Errorf("Handle(%s): %v; want nil, so that Lambda does not retry", event, err)
		}
	}

	w.assertUntouched(t, r)
	if n := strings.Count(w.logs.String(), `"msg":"invalid event dropped"`); n != len(events) {
		t.Errorf("%d invalid events logged; want %d", n, len(events))
	}
}

// TestTemporaryFailureIsRetried: the worker arms the retry as a one-time
// schedule in UTC and returns nil, so Lambda does not retry; the schedule's
// delivery then activates.
func TestTemporaryFailureIsRetried(t *testing.T) {
	w := newWorld(t)
	login := "jürgen.groß@example.com"
	w.sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, w.web, login)

	// Every attempt of the client's first call fails (it tries 4 times).
	w.sim.FailNext(4, 503)
	if err := w.handler.Handle(context.Background(), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle: %v; want nil, as the retry is armed", err)
	}

	got := w.get(t, r.ID)
	at := retryTime(t, got)
	if got.Status != queue.StatusScheduled || got.Attempts != 1 ||
		!strings.HasPrefix(got.Result, "attempt 1 failed, will retry at "+
			at.Format("15:04:05")+" UTC: ") {
		t.Errorf("request is %s after %d attempts (%s); want scheduled again after 1",
			got.Status, got.Attempts, got.Result)
	}
	assertRetrySchedule(t, w.stub, r.ID, at)
	if n := w.sim.ActivateCalls(login); n != 0 {
		t.Errorf("%d activate calls; want none", n)
	}
	const armed = `"msg":"attempt failed; the retry is armed"`
	if logs := w.logs.String(); !strings.Contains(logs, armed) ||
		!strings.Contains(logs, `"status":"scheduled","attempts":1`) {
		t.Errorf("logs lack %s with the status:\n%s", armed, logs)
	}

	// The retry schedule's delivery then succeeds.
	input, err := w.stub.Fire(testGroup, awsched.ScheduleName(r.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.handler.Handle(context.Background(), []byte(input)); err != nil {
		t.Fatalf("Handle, retry: %v", err)
	}
	got = w.get(t, r.ID)
	if n := w.sim.ActivateCalls(login); got.Status != queue.StatusActivated ||
		got.Attempts != 2 || n != 1 {
		t.Errorf("after the retry: %s, %d attempts, %d activate calls; "+
			"want activated, 2, 1", got.Status, got.Attempts, n)
	}
}

// retryTime is when the service armed the retry of r: 30 s after the last
// failed attempt was recorded.
func retryTime(t *testing.T, r *queue.Request) time.Time {
	t.Helper()
	last := r.History[len(r.History)-1]
	if last.Event != queue.EventRetry {
		t.Fatalf("last event %+v, want a retry", last)
	}
	return last.At.Add(queue.DefaultRetryDelay(r.Attempts))
}

// assertRetrySchedule checks that the stand-in holds the retry schedule of
// id: at(at) in UTC, rounded up to the second, invoking the worker.
func assertRetrySchedule(t *testing.T, stub *schedulerstub.Server, id string, at time.Time) {
	t.Helper()
	st, ok := stub.Schedule(testGroup, awsched.ScheduleName(id))
	if !ok {
		t.Fatalf("no retry schedule; requests %+v", stub.Requests())
	}
	want := "at(" + at.UTC().Add(time.Second-1).Truncate(time.Second).
		Format("2006-01-02T15:04:05") + ")"
	if st.ScheduleExpression != want || st.ScheduleExpressionTimezone != "UTC" ||
		st.ActionAfterCompletion != "DELETE" || st.Input != `{"request_id":"`+id+`"}` {
		t.Errorf("retry schedule %+v; want %s in UTC, deleted after completion, "+
			"for the request", st, want)
	}
}

// TestTemporaryFailureWithoutRetryIsLeftToLambda: when no retry can be armed,
// the handler returns a *TemporaryError so that Lambda retries the event.
func TestTemporaryFailureWithoutRetryIsLeftToLambda(t *testing.T) {
	w := newWorld(t)
	h := w.handlerWith(refusingScheduler{})
	login := "m.keller@example.com"
	w.sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, w.web, login)

	w.sim.FailNext(4, 503)
	err := h.Handle(context.Background(), eventFor(t, r.ID))

	var temp *TemporaryError
	if !errors.As(err, &temp) || !errors.Is(err, queue.ErrTemporary) ||
		!errors.Is(err, errNoRetry) {
		t.Fatalf("Handle: %v; want a *TemporaryError wrapping queue.ErrTemporary "+
			"and the scheduler's error", err)
	}
	if name := reflect.TypeOf(err).Elem().Name(); name != lambdainvoke.ErrorTypeTemporary {
		t.Errorf("error type %s; Lambda would report it as errorType %s, not %s",
			name, name, lambdainvoke.ErrorTypeTemporary)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusScheduled || got.Attempts != 1 {
		t.Errorf("request is %s after %d attempts; want scheduled again after 1",
			got.Status, got.Attempts)
	}
	if !strings.Contains(w.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the missing retry was not logged at Error:\n%s", w.logs)
	}

	// Lambda's retry of the same event then succeeds.
	if err := h.Handle(context.Background(), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle, retry: %v", err)
	}
	if got := w.get(t, r.ID); got.Status != queue.StatusActivated || got.Attempts != 2 {
		t.Errorf("after Lambda's retry: %s, %d attempts; want activated, 2",
			got.Status, got.Attempts)
	}
}

func TestPermanentFailureIsRecorded(t *testing.T) {
	w := newWorld(t)
	login := "nobody@example.com" // not in the directory
	r := scheduleDue(t, w.web, login)

	if err := w.handler.Handle(context.Background(), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle: %v; want nil, a permanent failure is not retried", err)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusFailed || !strings.Contains(got.Result, "no Okta user") {
		t.Errorf("request is %s (%s); want failed, saying no such user", got.Status, got.Result)
	}
	if !strings.Contains(w.logs.String(), `"status":"failed"`) {
		t.Errorf("logs lack the failed status:\n%s", w.logs.String())
	}
}

func TestStoreFailureIsReturned(t *testing.T) {
	db := testenv.DynamoClient(t)
	store := dynamostore.New(db, testenv.TableName(t), dynamostore.Options{}) // no table
	logs := &testenv.SyncBuffer{}
	svc := queue.NewService(store, refusingScheduler{}, nil, queue.Config{})
	h := &handler{fire: svc.Fire, log: slog.New(slog.NewJSONHandler(logs, nil))}

	err := h.Handle(context.Background(), eventFor(t, sampleID))
	var temp *TemporaryError
	if err == nil || errors.As(err, &temp) || !strings.HasPrefix(err.Error(), "worker: fire: ") {
		t.Fatalf("Handle: %v; want the store's error, so that Lambda retries", err)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("the failure was not logged at Error:\n%s", logs)
	}
}

func TestWorkerNeverSchedules(t *testing.T) {
	var s refusingScheduler
	ctx := context.Background()
	for _, err := range []error{
		s.Schedule(ctx, &queue.Request{}), s.Reschedule(ctx, &queue.Request{}), s.Cancel(ctx, "x"),
		noDirectInvoke{}.InvokeAsync(ctx, "x"),
	} {
		if !errors.Is(err, errNoScheduling) {
			t.Errorf("got %v; want errNoScheduling", err)
		}
	}
	if err := s.Retry(ctx, &queue.Request{}, time.Now()); !errors.Is(err, errNoRetry) {
		t.Errorf("Retry: %v; want errNoRetry", err)
	}
}

func TestInvokeReturnsNull(t *testing.T) {
	w := newWorld(t)
	out, err := w.handler.Invoke(context.Background(), []byte(`{"request_id":"missing"}`))
	if err != nil || string(out) != "null" {
		t.Errorf("Invoke = %q, %v; want null, nil", out, err)
	}
}

func TestEarlyDeliveryIsLoggedAndChangesNothing(t *testing.T) {
	w := newWorld(t)
	login := "early@example.com"
	w.sim.AddUser(login, oktasim.StatusStaged)
	r, err := w.web.Schedule(context.Background(), queue.ScheduleInput{
		Login: login, Start: time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05"),
		TimeZone: "UTC", Actor: "helpdesk@example.com",
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := w.handler.Handle(context.Background(), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusScheduled || got.Version != r.Version || len(w.sim.Calls()) != 0 {
		t.Errorf("an early delivery changed the request (%s, version %d, due %s, "+
			"scheduled as due %s, start %s) or called Okta",
			got.Status, got.Version, got.DueAt, r.DueAt, r.Start)
	}
	const warning = `"msg":"delivered before the request is due; nothing done"`
	if !strings.Contains(w.logs.String(), warning) {
		t.Errorf("no warning about the early delivery:\n%s", w.logs)
	}
}
