//go:build linux

package main

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsched/schedulerstub"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/lambdainvoke"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/testenv"
)

// TestWorkerUnderEmulator runs the built worker binary under the Lambda
// runtime interface emulator against dynalite and the Okta simulator, with
// no zone database on the ZONEINFO path and TZ unset (C8).
func TestWorkerUnderEmulator(t *testing.T) {
	rie := findRIE(t)
	bootstrap := buildWorker(t, runtime.GOARCH)
	assertEmbedsZoneDB(t, bootstrap)

	db := testenv.DynamoClient(t)
	table := testenv.TableName(t)
	if err := dynamostore.CreateTable(context.Background(), db, table); err != nil {
		t.Fatal(err)
	}
	store := dynamostore.New(db, table, dynamostore.Options{})
	web := schedulingService(store, &recordingScheduler{})
	sim := oktasim.NewServer()
	t.Cleanup(sim.Close)
	stub := schedulerstub.NewServer()
	t.Cleanup(stub.Close)
	stub.CreateGroup(testGroup)

	env := emulatorEnv(t, table, sim, stub)
	em := startEmulator(t, rie, bootstrap, env)

	scheduled := fireScheduled(t, em, store, web, sim)
	retried := runThroughLambdaAPI(t, em, store, web, sim, stub)

	// The function's JSON logs name the requests, and never the token.
	err := em.waitForOutput(`"msg":"worker ready"`,
		`"request_id":"`+scheduled+`","status":"activated","attempts":1`,
		`"request_id":"`+retried+`","status":"scheduled","attempts":1`,
		`"request_id":"`+retried+`","status":"scheduled","attempts":2`,
		`"msg":"attempt failed; the retry is armed"`,
		`"request_id":"`+retried+`","status":"activated","attempts":3`,
		`"msg":"invalid event dropped"`, `"lambda_request_id":"`)
	if err != nil {
		t.Errorf("worker logs: %v", err)
	}
	if strings.Contains(em.out.String(), sim.Token) {
		t.Error("the emulator's output contains the Okta token")
	}

	t.Run("sweeper", func(t *testing.T) {
		sweeper := startEmulator(t, rie, bootstrap, append(env, envRole+"="+roleSweeper))
		sweepUnderEmulator(t, sweeper, store, web, sim)
	})
}

// emulatorEnv is the whole environment of the function under the emulator:
// dynalite, the Okta simulator and the scheduler stand-in, with no zone
// database on the ZONEINFO path and TZ unset.
func emulatorEnv(t *testing.T, table string, sim *oktasim.Server,
	stub *schedulerstub.Server) []string {
	t.Helper()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"DAYONE_TABLE=" + table,
		"DAYONE_TIMEZONE=Europe/Berlin",
		"AWS_ENDPOINT_URL_DYNAMODB=" + testenv.Dynalite(t),
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=" + testenv.TestRegion,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"OKTA_ORG_URL=" + sim.URL,
		"OKTA_API_TOKEN=" + sim.Token,
		"AWS_ENDPOINT_URL_SCHEDULER=" + stub.URL,
		envGroup + "=" + testGroup,
		envRoleARN + "=" + testRoleARN,
		envDLQARN + "=" + testDLQARN,
		envWorkerARN + "=" + testWorkerARN,
		"ZONEINFO=/nonexistent", // and no TZ: the zone must come from the binary
	}
}

// sweepUnderEmulator sends the sweeper a request's event, which it drops,
// then the sweep event, which activates a request left without a trigger.
func sweepUnderEmulator(t *testing.T, em *emulator, store queue.Store, web *queue.Service,
	sim *oktasim.Server) {
	t.Helper()
	login := "never.triggered@example.com"
	sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleAt(t, web, login, time.Now().Add(-7*time.Minute))

	if status, body := em.invoke(t, eventFor(t, r.ID)); status != 200 || body != "null" {
		t.Fatalf("a request event: HTTP %d %s; want 200 null (dropped)", status, body)
	}
	stored(t, store, r.ID, queue.StatusScheduled, 0)

	status, body := em.invoke(t, readTestdata(t, "sweep-event.json"))
	if status != 200 || body != "null" {
		t.Fatalf("the sweep event: HTTP %d %s; want 200 null", status, body)
	}
	stored(t, store, r.ID, queue.StatusActivated, 1)
	if n := sim.ActivateCalls(login); n != 1 {
		t.Errorf("%d activate calls; want one", n)
	}

	err := em.waitForOutput(`"role":"sweeper"`, `"msg":"invalid event dropped"`,
		`"msg":"sweep fired stranded requests"`, `"fired_ids":["`+r.ID+`"]`)
	if err != nil {
		t.Errorf("sweeper logs: %v", err)
	}
	if strings.Contains(em.out.String(), sim.Token) {
		t.Error("the emulator's output contains the Okta token")
	}
}

// fireScheduled delivers the scheduler's event twice, then an invalid one,
// and returns the request id.
func fireScheduled(t *testing.T, em *emulator, store queue.Store, web *queue.Service,
	sim *oktasim.Server) string {
	t.Helper()
	login := "first.last+test@example.com"
	sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, web, login)

	var first *queue.Request
	for delivery := 1; delivery <= 2; delivery++ {
		status, body := em.invoke(t, eventFor(t, r.ID))
		if status != 200 || body != "null" {
			t.Fatalf("delivery %d: HTTP %d %s; want 200 null", delivery, status, body)
		}
		got, err := store.Get(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != queue.StatusActivated || got.Attempts != 1 ||
			sim.ActivateCalls(login) != 1 {
			t.Fatalf("after delivery %d: %s, %d attempts, %d activate calls; "+
				"want activated, 1, 1", delivery, got.Status, got.Attempts,
				sim.ActivateCalls(login))
		}
		if first == nil {
			first = got
		} else if got.Version != first.Version {
			t.Errorf("the second delivery wrote the request (version %d → %d)",
				first.Version, got.Version)
		}
	}

	status, body := em.invoke(t, readTestdata(t, "eventbridge-rule-event.json"))
	if status != 200 || body != "null" {
		t.Errorf("invalid event: HTTP %d %s; want 200 null (dropped, not retried)", status, body)
	}
	return r.ID
}

// runThroughLambdaAPI fires a request as the web's Activate now does, with
// lambdainvoke and the SDK's Lambda client aimed at the emulator: while Okta
// fails, the worker arms a retry schedule in UTC and reports success; while
// Okta and the scheduler fail, it reports a temporary error the web can
// tell; the retry schedule's delivery then activates.
func runThroughLambdaAPI(t *testing.T, em *emulator, store queue.Store, web *queue.Service,
	sim *oktasim.Server, stub *schedulerstub.Server) string {
	t.Helper()
	login := "ops#lead@example.com"
	sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, web, login)
	runner := lambdainvoke.New(lambda.New(lambda.Options{
		Region:       testenv.TestRegion,
		BaseEndpoint: aws.String(em.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      aws.NopRetryer{},
	}), "function")

	sim.FailNext(4, 503) // every attempt of the client's first call
	if err := runner.Run(context.Background(), r.ID); err != nil {
		t.Fatalf("Run while Okta fails: %v; want nil, with the retry armed", err)
	}
	got := stored(t, store, r.ID, queue.StatusScheduled, 1)
	assertRetrySchedule(t, stub, r.ID, retryTime(t, got))

	sim.FailNext(4, 503)
	stub.FailNext(1, "AccessDeniedException", 403)
	err := runner.Run(context.Background(), r.ID)
	var we *lambdainvoke.WorkerError
	if !errors.Is(err, queue.ErrTemporary) || !errors.As(err, &we) ||
		we.Type != lambdainvoke.ErrorTypeTemporary {
		t.Fatalf("Run while Okta and the scheduler fail: %v; want a temporary *WorkerError",
			err)
	}
	stored(t, store, r.ID, queue.StatusScheduled, 2)

	input, err := stub.Fire(testGroup, awsched.ScheduleName(r.ID))
	if err != nil {
		t.Fatal(err)
	}
	if status, body := em.invoke(t, []byte(input)); status != 200 || body != "null" {
		t.Fatalf("the retry's delivery: HTTP %d %s; want 200 null", status, body)
	}
	stored(t, store, r.ID, queue.StatusActivated, 3)
	if n := sim.ActivateCalls(login); n != 1 {
		t.Fatalf("%d activate calls; want one", n)
	}
	return r.ID
}

// stored reads request id and checks its status and attempts.
func stored(t *testing.T, store queue.Store, id string, status queue.Status,
	attempts int) *queue.Request {
	t.Helper()
	got, err := store.Get(context.Background(), id)
	if err != nil || got.Status != status || got.Attempts != attempts {
		t.Fatalf("request %+v, %v; want %s after %d attempts", got, err, status, attempts)
	}
	return got
}
