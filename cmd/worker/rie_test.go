//go:build linux

package main

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
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

	em := startEmulator(t, rie, bootstrap, []string{
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
		"ZONEINFO=/nonexistent", // and no TZ: the zone must come from the binary
	})

	scheduled := fireScheduled(t, em, store, web, sim)
	retried := runThroughLambdaAPI(t, em, store, web, sim)

	// The function's JSON logs name the requests, and never the token.
	err := em.waitForOutput(`"msg":"worker ready"`,
		`"request_id":"`+scheduled+`","status":"activated","attempts":1`,
		`"request_id":"`+retried+`","status":"scheduled","attempts":1`,
		`"request_id":"`+retried+`","status":"activated","attempts":2`,
		`"msg":"invalid event dropped"`, `"lambda_request_id":"`)
	if err != nil {
		t.Errorf("worker logs: %v", err)
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
// lambdainvoke and the SDK's Lambda client aimed at the emulator: first
// while Okta fails (a temporary error the web can tell), then for real.
func runThroughLambdaAPI(t *testing.T, em *emulator, store queue.Store, web *queue.Service,
	sim *oktasim.Server) string {
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
	err := runner.Run(context.Background(), r.ID)
	var we *lambdainvoke.WorkerError
	if !errors.Is(err, queue.ErrTemporary) || !errors.As(err, &we) ||
		we.Type != lambdainvoke.ErrorTypeTemporary {
		t.Fatalf("Run while Okta fails: %v; want a temporary *WorkerError", err)
	}
	if got, _ := store.Get(context.Background(), r.ID); got == nil ||
		got.Status != queue.StatusScheduled || got.Attempts != 1 {
		t.Fatalf("after the failed attempt: %+v; want scheduled after 1 attempt", got)
	}

	if err := runner.Run(context.Background(), r.ID); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got, err := store.Get(context.Background(), r.ID)
	if err != nil || got.Status != queue.StatusActivated || sim.ActivateCalls(login) != 1 {
		t.Fatalf("after the retry: %+v, %v, %d activate calls; want activated with one",
			got, err, sim.ActivateCalls(login))
	}
	return r.ID
}
