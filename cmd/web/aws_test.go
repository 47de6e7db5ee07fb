package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsched/schedulerstub"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/testenv"
)

const (
	testGroup     = "dayone"
	testWorkerARN = "arn:aws:lambda:eu-central-1:123456789012:function:dayone-worker"
	testRoleARN   = "arn:aws:iam::123456789012:role/dayone-scheduler"
	testDLQARN    = "arn:aws:sqs:eu-central-1:123456789012:dayone-dlq"
)

// noInvoke is the worker stand-in's Invoker: like the real worker's, its
// scheduler only arms retries, which never invoke directly.
type noInvoke struct{}

func (noInvoke) InvokeAsync(context.Context, string) error {
	return errors.New("the worker does not invoke itself")
}

// awsWorld is the AWS path on this machine: dynalite for DynamoDB, a
// stand-in of EventBridge Scheduler, and a stand-in of the Lambda Invoke API
// that runs the worker's logic in this process against the Okta simulator.
type awsWorld struct {
	settings map[string]string
	sim      *oktasim.Server
	sched    *schedulerstub.Server
	worker   *workerStandIn
}

func newAWSWorld(t *testing.T) *awsWorld {
	testenv.AWSTestEnv(t)
	table := testenv.TableName(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", testenv.Dynalite(t))

	w := &awsWorld{sim: oktasim.NewServer(oktasim.WithDemoUsers("example.com"))}
	t.Cleanup(w.sim.Close)
	w.sched = schedulerstub.NewServer()
	w.sched.CreateGroup(testGroup)
	t.Cleanup(w.sched.Close)
	t.Setenv("AWS_ENDPOINT_URL_SCHEDULER", w.sched.URL)

	w.worker = newWorkerStandIn(t, table, w.sim, w.sched)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", w.worker.server.URL)

	w.settings = map[string]string{
		"DAYONE_TABLE":              table,
		"DAYONE_CREATE_TABLE":       "true",
		"DAYONE_SCHEDULE_GROUP":     testGroup,
		"DAYONE_WORKER_ARN":         testWorkerARN,
		"DAYONE_SCHEDULER_ROLE_ARN": testRoleARN,
		"DAYONE_SCHEDULER_DLQ_ARN":  testDLQARN,
	}
	return w
}

// workerStandIn answers Lambda Invoke calls as the worker would: it fires
// the request through its own queue.Service on the same table.
type workerStandIn struct {
	server *httptest.Server
	svc    *queue.Service
	at     func() time.Time // the worker's clock

	clockMu sync.Mutex // guards at, which tests set while the worker runs

	mu      sync.Mutex
	invokes []string // invocation types, in order
	async   sync.WaitGroup
}

// newWorkerStandIn returns a worker that arms its retries on stub, as the
// real worker does.
func newWorkerStandIn(t *testing.T, table string, sim *oktasim.Server,
	stub *schedulerstub.Server) *workerStandIn {
	client, err := okta.New(okta.Config{OrgURL: sim.URL, Token: sim.Token})
	if err != nil {
		t.Fatal(err)
	}
	store := dynamostore.New(testenv.DynamoClient(t), table, dynamostore.Options{})
	w := &workerStandIn{at: time.Now}
	sched, err := awsched.New(stub.Client(), awsched.Config{
		GroupName: testGroup, WorkerARN: testWorkerARN, RoleARN: testRoleARN,
		DeadLetterARN: testDLQARN, Invoker: noInvoke{},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.svc = queue.NewService(store, sched, client.Accounts(), queue.Config{
		Clock: w.now,
	})
	w.server = httptest.NewServer(http.HandlerFunc(w.invoke))
	t.Cleanup(func() { w.async.Wait(); w.server.Close() })
	return w
}

func (w *workerStandIn) invoke(rw http.ResponseWriter, r *http.Request) {
	want := "/2015-03-31/functions/" + testWorkerARN + "/invocations"
	if r.Method != http.MethodPost || r.URL.Path != want {
		http.Error(rw, "unexpected call "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	var event struct {
		RequestID string `json:"request_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&event); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	kind := r.Header.Get("X-Amz-Invocation-Type")
	w.mu.Lock()
	w.invokes = append(w.invokes, kind)
	w.mu.Unlock()

	if kind == "Event" {
		w.async.Add(1)
		go func() { defer w.async.Done(); w.svc.Fire(context.Background(), event.RequestID) }()
		rw.WriteHeader(http.StatusAccepted)
		return
	}
	if _, err := w.svc.Fire(r.Context(), event.RequestID); err != nil {
		rw.Header().Set("X-Amz-Function-Error", "Unhandled")
		json.NewEncoder(rw).Encode(map[string]string{
			"errorType": "Error", "errorMessage": err.Error()})
		return
	}
	rw.Write([]byte("null"))
}

func (w *workerStandIn) now() time.Time {
	w.clockMu.Lock()
	defer w.clockMu.Unlock()
	return w.at()
}

func (w *workerStandIn) setClock(at func() time.Time) {
	w.clockMu.Lock()
	defer w.clockMu.Unlock()
	w.at = at
}

// inDays is the date n days from now in Europe/Berlin, as the forms send it.
func inDays(t *testing.T, n int) string {
	t.Helper()
	return wallIn(t, time.Duration(n)*24*time.Hour, "Europe/Berlin")[:len("2006-01-02")]
}

func (w *workerStandIn) invocations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.invokes...)
}

func TestDynamoDBTableWithTheLocalSchedulerRunsEndToEnd(t *testing.T) {
	world := newAWSWorld(t)
	settings := map[string]string{
		"DAYONE_TABLE":        world.settings["DAYONE_TABLE"],
		"DAYONE_CREATE_TABLE": "true",
	}
	dayone := startDayone(t, settings, world.sim, &testenv.SyncBuffer{})

	home := dayone.get(t, "/")
	if !strings.Contains(home.body, "DynamoDB table "+settings["DAYONE_TABLE"]) {
		t.Errorf("the banner does not name the table:\n%s", home.body)
	}
	res := dayone.postJSON(t, "/api/requests", map[string]any{
		"login": "ada.lovelace@example.com", "start": wallIn(t, 2*time.Second, "Europe/Berlin"),
	})
	if res.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", res.status, res.body)
	}
	dayone.waitStatus(t, decodeRequest(t, res).ID, "activated", 15*time.Second)
	assertActivatedOnce(t, world.sim, "ada.lovelace@example.com")
}

func TestEventBridgeModeSchedulesAndTheWorkerActivatesOnce(t *testing.T) {
	world := newAWSWorld(t)
	dayone := startDayone(t, world.settings, nil, &testenv.SyncBuffer{})

	day := inDays(t, 30)
	res := dayone.postJSON(t, "/api/requests", map[string]any{
		"login": "grace.hopper@example.com", "start": day + "T08:00", "timezone": "Europe/Berlin",
	})
	if res.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", res.status, res.body)
	}
	req := decodeRequest(t, res)
	name := awsched.ScheduleName(req.ID)
	got, ok := world.sched.Schedule(testGroup, name)
	if !ok {
		t.Fatalf("no schedule %s; received %+v", name, world.sched.Requests())
	}
	if got.ScheduleExpression != "at("+day+"T08:00:00)" ||
		got.ScheduleExpressionTimezone != "Europe/Berlin" || got.TargetArn != testWorkerARN ||
		got.Input != `{"request_id":"`+req.ID+`"}` {
		t.Errorf("schedule %+v", got)
	}

	// The scheduler's moment comes, twice: one activation.
	world.worker.setClock(func() time.Time { return req.DueAt.Add(time.Second) })
	input, err := world.sched.Fire(testGroup, name)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		deliver(t, world.worker, input)
	}
	if got := decodeRequest(t, dayone.get(t, "/api/requests/"+req.ID)); got.Status != "activated" {
		t.Fatalf("after the schedule fired: %+v", got)
	}
	assertActivatedOnce(t, world.sim, "grace.hopper@example.com")
}

func TestEventBridgeModeActivatesNowInTheWorker(t *testing.T) {
	world := newAWSWorld(t)
	dayone := startDayone(t, world.settings, nil, &testenv.SyncBuffer{})

	res := dayone.postJSON(t, "/api/activations", map[string]any{"login": "alan.turing@example.com"})
	if got := decodeRequest(t, res); res.status != http.StatusOK || got.Status != "activated" {
		t.Fatalf("activate now: %d %s", res.status, res.body)
	}
	assertActivatedOnce(t, world.sim, "alan.turing@example.com")
	if got := world.worker.invocations(); len(got) != 1 || got[0] != "RequestResponse" {
		t.Errorf("worker invocations %q, want one RequestResponse", got)
	}
	if len(world.sched.Schedules()) != 0 {
		t.Errorf("activate now left schedules: %+v", world.sched.Schedules())
	}
}

// Activate now while Okta fails for a reason that may pass: the worker arms
// a retry schedule in UTC and the web answers 200 with the request
// scheduled; the schedule's delivery then activates.
func TestEventBridgeModeActivateNowWhileOktaFailsArmsARetry(t *testing.T) {
	world := newAWSWorld(t)
	dayone := startDayone(t, world.settings, nil, &testenv.SyncBuffer{})

	world.sim.FailNext(4, 503) // every attempt of the Okta client's first call
	res := dayone.postJSON(t, "/api/activations",
		map[string]any{"login": "alan.turing@example.com"})
	got := decodeRequest(t, res)
	if res.status != http.StatusOK || got.Status != "scheduled" || got.Attempts != 1 ||
		!strings.Contains(got.Result, "attempt 1 failed, will retry at ") {
		t.Fatalf("activate now while Okta fails: %d %s", res.status, res.body)
	}
	st, ok := world.sched.Schedule(testGroup, awsched.ScheduleName(got.ID))
	if !ok || st.ScheduleExpressionTimezone != "UTC" ||
		!strings.HasPrefix(st.ScheduleExpression, "at(") {
		t.Fatalf("retry schedule %+v, %t; want an at() in UTC", st, ok)
	}

	input, err := world.sched.Fire(testGroup, awsched.ScheduleName(got.ID))
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, world.worker, input)
	if got := decodeRequest(t, dayone.get(t, "/api/requests/"+got.ID)); got.Status !=
		"activated" || got.Attempts != 2 {
		t.Fatalf("after the retry: %+v", got)
	}
	assertActivatedOnce(t, world.sim, "alan.turing@example.com")
}

func TestEventBridgeModeFiresASoonRequestDirectlyAndCancelDeletes(t *testing.T) {
	world := newAWSWorld(t)
	dayone := startDayone(t, world.settings, nil, &testenv.SyncBuffer{})

	soon := dayone.postJSON(t, "/api/requests", map[string]any{
		"login": "katherine.johnson@example.com", "start": wallIn(t, 30*time.Second, "Europe/Berlin"),
	})
	if soon.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", soon.status, soon.body)
	}
	dayone.waitStatus(t, decodeRequest(t, soon).ID, "activated", 15*time.Second)
	if got := world.worker.invocations(); len(got) != 1 || got[0] != "Event" {
		t.Errorf("worker invocations %q, want one Event", got)
	}

	later := decodeRequest(t, dayone.postJSON(t, "/api/requests", map[string]any{
		"login": "ada.lovelace@example.com", "start": inDays(t, 60) + "T09:00",
	}))
	if _, ok := world.sched.Schedule(testGroup, awsched.ScheduleName(later.ID)); !ok {
		t.Fatal("no schedule for the later request")
	}
	cancelled := dayone.postJSON(t, "/api/requests/"+later.ID+"/cancel", map[string]any{})
	if got := decodeRequest(t, cancelled); got.Status != "cancelled" {
		t.Fatalf("cancel: %d %s", cancelled.status, cancelled.body)
	}
	if _, ok := world.sched.Schedule(testGroup, awsched.ScheduleName(later.ID)); ok {
		t.Error("the cancelled request's schedule is still there")
	}
}

// deliver hands the scheduler's input to the worker as Lambda would.
func deliver(t *testing.T, w *workerStandIn, input string) {
	t.Helper()
	var event struct {
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(input), &event); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Fire(context.Background(), event.RequestID); err != nil {
		t.Fatalf("fire: %v", err)
	}
}

func TestAWSSettingsComeTogether(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		setting string
	}{
		{"group alone", map[string]string{"DAYONE_TABLE": "t", "DAYONE_SCHEDULE_GROUP": "g"},
			"DAYONE_WORKER_ARN"},
		{"scheduler without table", map[string]string{
			"DAYONE_SCHEDULE_GROUP": "g", "DAYONE_WORKER_ARN": testWorkerARN,
			"DAYONE_SCHEDULER_ROLE_ARN": "r", "DAYONE_SCHEDULER_DLQ_ARN": "q"}, "DAYONE_TABLE"},
		{"okta token in the web", map[string]string{
			"DAYONE_TABLE": "t", "DAYONE_SCHEDULE_GROUP": "g", "DAYONE_WORKER_ARN": testWorkerARN,
			"DAYONE_SCHEDULER_ROLE_ARN": "r", "DAYONE_SCHEDULER_DLQ_ARN": "q",
			"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_API_TOKEN": testToken},
			"only the worker holds the Okta token"},
		{"on lambda without settings", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"},
			"DAYONE_TABLE"},
		{"create without table", map[string]string{"DAYONE_CREATE_TABLE": "true"},
			"DAYONE_CREATE_TABLE needs DAYONE_TABLE"},
		{"bad create flag", map[string]string{"DAYONE_CREATE_TABLE": "sure"},
			"DAYONE_CREATE_TABLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { refusedNaming(t, c.env, c.setting) })
	}
}
