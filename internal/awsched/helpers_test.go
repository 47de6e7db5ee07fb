package awsched_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsched/schedulerstub"
	"github.com/dayone/dayone/internal/queue"
)

const (
	group  = "dayone"
	worker = "arn:aws:lambda:eu-central-1:123456789012:function:dayone-worker"
	role   = "arn:aws:iam::123456789012:role/dayone-scheduler"
	dlq    = "arn:aws:sqs:eu-central-1:123456789012:dayone-scheduler-dlq"
)

// now is the tests' present: a week before the requests they schedule.
var now = time.Date(2027, 3, 25, 10, 0, 0, 0, time.UTC)

// fixture is an adapter wired to a stand-in through the real SDK client.
type fixture struct {
	sched   *awsched.Scheduler
	stub    *schedulerstub.Server
	invoker *invoker
}

// setup starts a stand-in with the group and returns an adapter on it. The
// client is configured as in production (the SDK's default chain), fed dummy
// credentials through the environment; no metadata address is consulted.
func setup(t *testing.T, clientOpts ...func(*scheduler.Options)) fixture {
	t.Helper()
	stub := schedulerstub.NewServer()
	t.Cleanup(stub.Close)
	stub.CreateGroup(group)

	inv := &invoker{}
	sched, err := awsched.New(sdkClient(t, stub, clientOpts...), configFor(inv))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{sched: sched, stub: stub, invoker: inv}
}

func sdkClient(t *testing.T, stub *schedulerstub.Server,
	opts ...func(*scheduler.Options)) *scheduler.Client {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CA_BUNDLE":               "",
		"AWS_REGION":                  "eu-central-1",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             none,
		"AWS_SHARED_CREDENTIALS_FILE": none,
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]func(*scheduler.Options){func(o *scheduler.Options) {
		o.BaseEndpoint = aws.String(stub.URL)
	}}, opts...)
	return scheduler.NewFromConfig(cfg, opts...)
}

func configFor(inv awsched.Invoker) awsched.Config {
	return awsched.Config{
		GroupName:     group,
		WorkerARN:     worker,
		RoleARN:       role,
		DeadLetterARN: dlq,
		Invoker:       inv,
		Clock:         func() time.Time { return now },
	}
}

// request returns a scheduled request for the wall clock in zone, read as
// the service reads it.
func request(t *testing.T, id, login, wall, zone, offset string) *queue.Request {
	t.Helper()
	start, err := queue.ParseStart(wall, zone, offset)
	if err != nil {
		t.Fatal(err)
	}
	return &queue.Request{
		ID: id, Login: login, LoginKey: queue.LoginKey(login),
		TimeZone: start.Zone, Start: start.Wall, Offset: start.Offset, DueAt: start.DueAt,
		Status: queue.StatusScheduled, Version: 1,
	}
}

// invoker records the direct invokes.
type invoker struct {
	mu  sync.Mutex
	ids []string
	err error
}

func (i *invoker) InvokeAsync(_ context.Context, id string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.ids = append(i.ids, id)
	return i.err
}

func (i *invoker) calls() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.ids...)
}

// ops lists the operations the stand-in received, in order.
func ops(stub *schedulerstub.Server) []string {
	var names []string
	for _, r := range stub.Requests() {
		names = append(names, r.Op)
	}
	return names
}
