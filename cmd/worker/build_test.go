package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dayone/dayone/internal/awsched/schedulerstub"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/testenv"
)

const tokenARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:dayone/okta-Q1w2E3"

// secretsStandIn answers GetSecretValue (AWS JSON 1.1) for one secret on
// 127.0.0.1 and records the secret ids asked for.
type secretsStandIn struct {
	value string

	mu  sync.Mutex
	ids []string
}

func (s *secretsStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ SecretId string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	s.ids = append(s.ids, r.Header.Get("X-Amz-Target")+" "+in.SecretId)
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if in.SecretId != tokenARN {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException",` +
			`"message":"Secrets Manager can't find the specified secret."}`))
		return
	}
	body, _ := json.Marshal(map[string]any{
		"ARN": tokenARN, "Name": "dayone/okta", "SecretString": s.value,
		"VersionId": "v1", "VersionStages": []string{"AWSCURRENT"},
	})
	_, _ = w.Write(body)
}

// awsEnv points the SDK's own configuration at dynalite and the stand-in.
func awsEnv(t *testing.T, secrets http.Handler) {
	testenv.AWSTestEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", testenv.Dynalite(t))
	srv := httptest.NewServer(secrets)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", srv.URL)
}

// TestBuildFromSecretsManager builds the worker as at cold start: the token
// from Secrets Manager, the table created because DAYONE_CREATE_TABLE is set.
func TestBuildFromSecretsManager(t *testing.T) {
	sim := oktasim.NewServer()
	t.Cleanup(sim.Close)
	secrets := &secretsStandIn{value: `{"token":"` + sim.Token + `"}`}
	awsEnv(t, secrets)

	table := testenv.TableName(t)
	logs := &testenv.SyncBuffer{}
	h, err := build(context.Background(), config{
		Table: table, CreateTable: true, OktaOrgURL: sim.URL, TokenARN: tokenARN,
		TimeZone: "Europe/Berlin",
	}, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	want := []string{"secretsmanager.GetSecretValue " + tokenARN}
	if !slices.Equal(secrets.ids, want) {
		t.Errorf("Secrets Manager calls %v; want %v", secrets.ids, want)
	}

	db := testenv.DynamoClient(t)
	if _, err := db.DescribeTable(context.Background(),
		&dynamodb.DescribeTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatalf("the table was not created: %v", err)
	}
	store := dynamostore.New(db, table, dynamostore.Options{})
	login := "first.last+test@example.com"
	sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, schedulingService(store, &recordingScheduler{}), login)

	if err := workerOf(t, h).Handle(context.Background(), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	got, err := store.Get(context.Background(), r.ID)
	if err != nil || got.Status != queue.StatusActivated || sim.ActivateCalls(login) != 1 {
		t.Errorf("request %v, %v, %d activate calls; want activated with one call",
			got, err, sim.ActivateCalls(login))
	}
}

// workerOf returns h as the worker's handler.
func workerOf(t *testing.T, h lambda.Handler) *handler {
	t.Helper()
	w, ok := h.(*handler)
	if !ok {
		t.Fatalf("build returned a %T; want the worker's *handler", h)
	}
	return w
}

func TestBuildFailsOnMissingSecret(t *testing.T) {
	awsEnv(t, &secretsStandIn{value: fakeToken})
	_, err := build(context.Background(), config{
		Table: testenv.TableName(t), OktaOrgURL: "https://acme.okta.com",
		TokenARN: strings.Replace(tokenARN, "okta", "other", 1), TimeZone: "UTC",
	}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), envTokenARN) ||
		!strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("build: %v; want an error naming %s and the missing secret", err, envTokenARN)
	}
}

func TestBuildRefusesBadOrgURL(t *testing.T) {
	awsEnv(t, &secretsStandIn{})
	_, err := build(context.Background(), config{
		Table: testenv.TableName(t), OktaOrgURL: "http://acme.okta.com", Token: fakeToken,
		TimeZone: "UTC",
	}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "OKTA_ORG_URL") ||
		strings.Contains(err.Error(), fakeToken) {
		t.Errorf("build: %v; want an error naming OKTA_ORG_URL without the token", err)
	}
}

// TestBuildArmsRetriesOnTheScheduler builds the worker with the scheduler
// settings, the SDK aimed at a stand-in of EventBridge Scheduler: a
// temporary failure leaves a retry schedule and no error for Lambda.
func TestBuildArmsRetriesOnTheScheduler(t *testing.T) {
	sim := oktasim.NewServer()
	t.Cleanup(sim.Close)
	awsEnv(t, &secretsStandIn{value: `{"token":"` + sim.Token + `"}`})
	stub := schedulerstub.NewServer()
	t.Cleanup(stub.Close)
	stub.CreateGroup(testGroup)
	t.Setenv("AWS_ENDPOINT_URL_SCHEDULER", stub.URL)

	table := testenv.TableName(t)
	logs := &testenv.SyncBuffer{}
	h, err := build(context.Background(), config{
		Table: table, CreateTable: true, OktaOrgURL: sim.URL, TokenARN: tokenARN,
		TimeZone: "Europe/Berlin", ScheduleGroup: testGroup, RoleARN: testRoleARN,
		DeadLetterARN: testDLQARN, WorkerARN: testWorkerARN,
	}, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if strings.Contains(logs.String(), "no scheduler settings") {
		t.Errorf("the worker says it has no scheduler:\n%s", logs)
	}

	store := dynamostore.New(testenv.DynamoClient(t), table, dynamostore.Options{})
	login := "ada.lovelace@example.com"
	sim.AddUser(login, oktasim.StatusStaged)
	r := scheduleDue(t, schedulingService(store, &recordingScheduler{}), login)
	sim.FailNext(4, 503)
	if err := workerOf(t, h).Handle(context.Background(), eventFor(t, r.ID)); err != nil {
		t.Fatalf("Handle: %v; want nil with the retry armed", err)
	}
	got, err := store.Get(context.Background(), r.ID)
	if err != nil || got.Status != queue.StatusScheduled {
		t.Fatalf("request %+v, %v; want scheduled again", got, err)
	}
	assertRetrySchedule(t, stub, r.ID, retryTime(t, got))
}

func TestBuildWithoutSchedulerSaysSo(t *testing.T) {
	awsEnv(t, &secretsStandIn{})
	logs := &testenv.SyncBuffer{}
	_, err := build(context.Background(), config{
		Table: testenv.TableName(t), OktaOrgURL: "https://acme.okta.com", Token: fakeToken,
		TimeZone: "UTC",
	}, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"no scheduler settings: a failed attempt`) {
		t.Errorf("the start-up log does not say retries are not armed:\n%s", logs)
	}
}

func TestBuildRefusesBadSchedulerSettings(t *testing.T) {
	awsEnv(t, &secretsStandIn{})
	_, err := build(context.Background(), config{
		Table: testenv.TableName(t), OktaOrgURL: "https://acme.okta.com", Token: fakeToken,
		TimeZone: "UTC", ScheduleGroup: testGroup, RoleARN: "dayone-scheduler",
		DeadLetterARN: testDLQARN, WorkerARN: testWorkerARN,
	}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), envRoleARN) ||
		!strings.HasPrefix(err.Error(), "worker: awsched: ") {
		t.Errorf("build: %v; want an error naming %s", err, envRoleARN)
	}
}
