package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/testenv"
)

// sweeperOf returns a sweeper over the world's store, Okta and scheduler,
// logging to the world's logs.
func (w *world) sweeperOf(t *testing.T) *sweeper {
	t.Helper()
	svc := queue.NewService(w.store, w.sched, w.client.Accounts(), queue.Config{})
	return &sweeper{sweep: svc.Sweep, log: slog.New(slog.NewJSONHandler(w.logs, nil))}
}

// scheduleStranded schedules login due seven minutes ago, past the sweep's
// grace, with a trigger that never fires.
func scheduleStranded(t *testing.T, w *world, login string) *queue.Request {
	t.Helper()
	w.sim.AddUser(login, oktasim.StatusStaged)
	return scheduleAt(t, w.web, login, time.Now().Add(-7*time.Minute))
}

func TestSweepEventDecodes(t *testing.T) {
	if err := decodeSweepEvent(readTestdata(t, "sweep-event.json")); err != nil {
		t.Errorf("decodeSweepEvent: %v", err)
	}
	if err := decodeSweepEvent([]byte(" {\n \"sweep\" : true }\n")); err != nil {
		t.Errorf("decodeSweepEvent with spaces: %v", err)
	}
	if id, err := decodeEvent(readTestdata(t, "sweep-event.json")); err == nil {
		t.Errorf("the worker role accepts the sweep event as request %q", id)
	}
}

func TestInvalidSweepEvents(t *testing.T) {
	cases := map[string]struct{ event, want string }{
		"request event": {string(readTestdata(t, "scheduler-event.json")),
			`exactly the field sweep, not "request_id"`},
		"eventbridge rule": {string(readTestdata(t, "eventbridge-rule-event.json")),
			`exactly the field sweep, not "account"`},
		"false":       {`{"sweep":false}`, "sweep must be true, not false"},
		"string":      {`{"sweep":"true"}`, `sweep must be true, not "true"`},
		"null":        {`{"sweep":null}`, "sweep must be true, not null"},
		"other case":  {`{"Sweep":true}`, `not "Sweep"`},
		"extra field": {`{"sweep":true,"limit":5}`, `not "limit", "sweep"`},
		"trailing":    {`{"sweep":true} {"sweep":true}`, "data after"},
		"not json":    {`sweep`, `not a JSON object {"sweep":true}`},
		"empty":       {``, "not a JSON object"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := decodeSweepEvent([]byte(tc.event))
			if err == nil || !strings.Contains(err.Error(), tc.want) ||
				!strings.HasPrefix(err.Error(), "worker: ") {
				t.Errorf("decodeSweepEvent: %v; want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestSweepActivatesAStrandedRequest(t *testing.T) {
	w := newWorld(t)
	login := "stranded@example.com"
	r := scheduleStranded(t, w, login)
	s := w.sweeperOf(t)

	event := readTestdata(t, "sweep-event.json")
	if err := s.Handle(lambdaCtx("sweep-1"), event); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusActivated || got.Attempts != 1 ||
		w.sim.ActivateCalls(login) != 1 {
		t.Fatalf("request %s after %d attempts, %d activate calls; want activated, 1, 1",
			got.Status, got.Attempts, w.sim.ActivateCalls(login))
	}
	logs := w.logs.String()
	for _, want := range []string{`"level":"WARN","msg":"sweep fired stranded requests"`,
		`"found":1,"fired":1,"skipped":0,"failed":0,"limited":false`,
		`"fired_ids":["` + r.ID + `"]`, `"lambda_request_id":"sweep-1"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}

	// The next sweep finds nothing.
	if err := s.Handle(lambdaCtx("sweep-2"), event); err != nil {
		t.Fatalf("Handle, second sweep: %v", err)
	}
	if n := w.sim.ActivateCalls(login); n != 1 {
		t.Errorf("%d activate calls after a second sweep; want still 1", n)
	}
	if !strings.Contains(w.logs.String(), `"level":"INFO","msg":"sweep done: nothing stranded"`) {
		t.Errorf("the second sweep did not log that nothing was stranded:\n%s", w.logs)
	}
}

// TestSweepTakesOverAnExpiredClaim: an attempt that activated the user and
// died left the request running; the sweep finishes it without a second
// activate call.
func TestSweepTakesOverAnExpiredClaim(t *testing.T) {
	w := newWorld(t)
	login := "killed@example.com"
	r := scheduleStranded(t, w, login)
	r.Status, r.Attempts = queue.StatusRunning, 1
	r.ClaimedAt = time.Now().Add(-queue.DefaultLease - time.Minute)
	if err := w.store.Update(context.Background(), r, queue.StatusScheduled); err != nil {
		t.Fatal(err)
	}
	w.sim.SetStatus(login, oktasim.StatusProvisioned)

	if err := w.sweeperOf(t).Handle(context.Background(),
		readTestdata(t, "sweep-event.json")); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusActivated || got.Attempts != 2 ||
		w.sim.ActivateCalls(login) != 0 {
		t.Errorf("request %s after %d attempts (%s), %d activate calls; "+
			"want activated after 2 with none", got.Status, got.Attempts, got.Result,
			w.sim.ActivateCalls(login))
	}
}

// TestSweepArmsTheRetryForTheWorker: when Okta fails during a sweep, the
// retry is a one-time schedule that invokes the worker, as after a delivery.
func TestSweepArmsTheRetryForTheWorker(t *testing.T) {
	w := newWorld(t)
	r := scheduleStranded(t, w, "outage@example.com")

	w.sim.FailNext(4, 503)
	if err := w.sweeperOf(t).Handle(context.Background(),
		readTestdata(t, "sweep-event.json")); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	got := w.get(t, r.ID)
	if got.Status != queue.StatusScheduled || got.Attempts != 1 {
		t.Fatalf("request %s after %d attempts; want scheduled again after 1",
			got.Status, got.Attempts)
	}
	assertRetrySchedule(t, w.stub, r.ID, retryTime(t, got))
}

func TestBadSweepEventsChangeNothing(t *testing.T) {
	w := newWorld(t)
	r := scheduleStranded(t, w, "untouched@example.com")
	s := w.sweeperOf(t)

	events := []string{
		string(eventFor(t, r.ID)),
		string(readTestdata(t, "eventbridge-rule-event.json")),
		`{"sweep":false}`,
		`{"sweep":"yes"}`,
		`{"SWEEP":true}`,
		`{"sweep":true,"request_id":"` + r.ID + `"}`,
		`not json at all`,
	}
	for _, event := range events {
		if err := s.Handle(context.Background(), []byte(event)); err != nil {
			t.Errorf("Handle(%s): %v; want nil, so that Lambda does not retry", event, err)
		}
	}

	w.assertUntouched(t, r)
	const dropped = `"level":"ERROR","msg":"invalid event dropped"`
	if n := strings.Count(w.logs.String(), dropped); n != len(events) {
		t.Errorf("%d invalid events logged at Error; want %d:\n%s", n, len(events), w.logs)
	}
}

func TestSweepListingFailureIsReturned(t *testing.T) {
	db := testenv.DynamoClient(t)
	store := dynamostore.New(db, testenv.TableName(t), dynamostore.Options{}) // no table
	logs := &testenv.SyncBuffer{}
	svc := queue.NewService(store, refusingScheduler{}, nil, queue.Config{})
	s := &sweeper{sweep: svc.Sweep, log: slog.New(slog.NewJSONHandler(logs, nil))}

	out, err := s.Invoke(context.Background(), readTestdata(t, "sweep-event.json"))
	const prefix = "worker: sweep: queue: sweep: "
	if err == nil || out != nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("Invoke = %s, %v; want the listing's error, so that it counts in Errors",
			out, err)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"sweep failed`) {
		t.Errorf("the failure was not logged at Error:\n%s", logs)
	}
}

func TestSweeperInvokeReturnsNull(t *testing.T) {
	w := newWorld(t)
	out, err := w.sweeperOf(t).Invoke(context.Background(), readTestdata(t, "sweep-event.json"))
	if err != nil || string(out) != "null" {
		t.Errorf("Invoke = %q, %v; want null, nil", out, err)
	}
}

// TestBuildSweeper builds the sweeper role as at cold start.
func TestBuildSweeper(t *testing.T) {
	sim := oktasim.NewServer()
	t.Cleanup(sim.Close)
	awsEnv(t, &secretsStandIn{value: `{"token":"` + sim.Token + `"}`})

	h, err := build(context.Background(), config{
		Table: testenv.TableName(t), CreateTable: true, OktaOrgURL: sim.URL,
		TokenARN: tokenARN, TimeZone: "Europe/Berlin", Role: roleSweeper,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	s, ok := h.(*sweeper)
	if !ok {
		t.Fatalf("build returned a %T; want a *sweeper", h)
	}
	if err := s.Handle(context.Background(), readTestdata(t, "sweep-event.json")); err != nil {
		t.Errorf("Handle: %v", err)
	}
}
