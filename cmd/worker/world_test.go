package main

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsched/schedulerstub"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/testenv"
)

// sampleID is the request id in testdata/scheduler-event.json.
const sampleID = "0194f3a2-7b1c-7def-8abc-1234567890ab"

// world is a worker handler over a fresh dynalite table, an Okta simulator
// and a stand-in of EventBridge Scheduler where it arms retries, plus a
// service that schedules requests the way the web does.
type world struct {
	db      *dynamodb.Client
	table   string
	store   *dynamostore.Store
	sim     *oktasim.Server
	client  *okta.Client
	stub    *schedulerstub.Server
	handler *handler
	sched   queue.Scheduler // where the handler's service arms retries
	logs    *testenv.SyncBuffer
	web     *queue.Service
	armed   *recordingScheduler
}

// The scheduler settings of the tests.
const (
	testGroup     = "dayone-test"
	testRoleARN   = "arn:aws:iam::123456789012:role/dayone-scheduler"
	testDLQARN    = "arn:aws:sqs:eu-central-1:123456789012:dayone-scheduler-dlq"
	testWorkerARN = "arn:aws:lambda:eu-central-1:123456789012:function:dayone-worker"
)

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{db: testenv.DynamoClient(t), table: testenv.TableName(t)}
	ctx := context.Background()
	if err := dynamostore.CreateTable(ctx, w.db, w.table); err != nil {
		t.Fatal(err)
	}
	w.store = dynamostore.New(w.db, w.table, dynamostore.Options{})

	w.sim = oktasim.NewServer()
	t.Cleanup(w.sim.Close)
	client, err := okta.New(okta.Config{OrgURL: w.sim.URL, Token: w.sim.Token,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	w.client = client

	w.stub = schedulerstub.NewServer()
	t.Cleanup(w.stub.Close)
	w.stub.CreateGroup(testGroup)
	sched, err := awsched.New(w.stub.Client(), awsched.Config{
		GroupName: testGroup, WorkerARN: testWorkerARN, RoleARN: testRoleARN,
		DeadLetterARN: testDLQARN, Invoker: noDirectInvoke{},
	})
	if err != nil {
		t.Fatal(err)
	}

	w.logs = &testenv.SyncBuffer{}
	w.sched = sched
	w.handler = w.handlerWith(sched)
	w.armed = &recordingScheduler{}
	w.web = schedulingService(w.store, w.armed)
	return w
}

// handlerWith returns a worker handler whose service arms retries with sched.
func (w *world) handlerWith(sched queue.Scheduler) *handler {
	svc := queue.NewService(w.store, sched, w.client.Accounts(), queue.Config{})
	return &handler{fire: svc.Fire, log: slog.New(slog.NewJSONHandler(w.logs, nil))}
}

// schedulingService schedules requests as the web does. Its clock runs ten
// minutes behind, so that it accepts a start one minute ago: a request that
// the worker, on the real clock, finds due.
func schedulingService(store queue.Store, sched queue.Scheduler) *queue.Service {
	return queue.NewService(store, sched, nil, queue.Config{
		Clock: func() time.Time { return time.Now().Add(-10 * time.Minute) },
	})
}

// scheduleDue schedules an activation of login that is due a minute ago, in
// Europe/Berlin, and returns the request.
func scheduleDue(t *testing.T, web *queue.Service, login string) *queue.Request {
	t.Helper()
	return scheduleAt(t, web, login, time.Now().Add(-time.Minute))
}

// scheduleAt schedules an activation of login due at at, in Europe/Berlin,
// and returns the request. at may be up to ten minutes ago.
func scheduleAt(t *testing.T, web *queue.Service, login string, at time.Time) *queue.Request {
	t.Helper()
	loc, err := queue.LoadZone("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	due := at.In(loc)
	r, err := web.Schedule(context.Background(), queue.ScheduleInput{
		Login:     login,
		Start:     due.Format("2006-01-02T15:04:05"),
		TimeZone:  "Europe/Berlin",
		Offset:    due.Format("-07:00"), // used only when the wall clock repeats
		SendEmail: true,
		Actor:     "helpdesk@example.com",
	})
	if err != nil {
		t.Fatalf("schedule %s: %v", login, err)
	}
	return r
}

// assertUntouched checks that invalid events left r as it was and made no
// call to Okta.
func (w *world) assertUntouched(t *testing.T, r *queue.Request) {
	t.Helper()
	got := w.get(t, r.ID)
	if got.Status != queue.StatusScheduled || got.Version != r.Version || got.Attempts != 0 {
		t.Errorf("request is %s, version %d, %d attempts; want it untouched",
			got.Status, got.Version, got.Attempts)
	}
	if calls := w.sim.Calls(); len(calls) != 0 {
		t.Errorf("Okta got %d calls for invalid events", len(calls))
	}
}

func (w *world) get(t *testing.T, id string) *queue.Request {
	t.Helper()
	r, err := w.store.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return r
}

// recordingScheduler is the scheduling side's Scheduler: it accepts every
// trigger and remembers the ids.
type recordingScheduler struct {
	mu  sync.Mutex
	ids []string
}

var _ queue.Scheduler = (*recordingScheduler)(nil)

func (s *recordingScheduler) Schedule(_ context.Context, r *queue.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, r.ID)
	return nil
}

func (s *recordingScheduler) Reschedule(context.Context, *queue.Request) error { return nil }
func (s *recordingScheduler) Cancel(context.Context, string) error             { return nil }

func (s *recordingScheduler) Retry(context.Context, *queue.Request, time.Time) error {
	return nil
}
