package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsconfig"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/lambdainvoke"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/web"
)

// cloud holds the AWS configuration, loaded once when DAYONE_TABLE is set.
// The SDK reads credentials, region and endpoint overrides such as
// AWS_ENDPOINT_URL_DYNAMODB from its usual sources.
type cloud struct {
	settings awsSettings
	sdk      aws.Config
}

// newCloud returns nil when no AWS setting is present.
func newCloud(ctx context.Context, s awsSettings) (*cloud, error) {
	if s.Table == "" {
		return nil, nil
	}
	sdk, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	return &cloud{settings: s, sdk: sdk}, nil
}

// store returns the DynamoDB store, creating its table first when asked.
func (c *cloud) store(ctx context.Context) (queue.Store, error) {
	client := dynamodb.NewFromConfig(c.sdk)
	if c.settings.CreateTable {
		err := dynamostore.CreateTable(ctx, client, c.settings.Table)
		if err != nil {
			return nil, fmt.Errorf("DAYONE_CREATE_TABLE: %w", err)
		}
	}
	return dynamostore.New(client, c.settings.Table, dynamostore.Options{}), nil
}

// service triggers requests with EventBridge Scheduler and fires them, also
// for Activate now, in the worker Lambda.
func (c *cloud) service(store queue.Store, accounts queue.Accounts,
	qcfg queue.Config) (*queue.Service, error) {
	worker := lambdainvoke.New(lambda.NewFromConfig(c.sdk), c.settings.WorkerARN)
	sched, err := awsched.New(scheduler.NewFromConfig(c.sdk), awsched.Config{
		GroupName:     c.settings.ScheduleGroup,
		WorkerARN:     c.settings.WorkerARN,
		RoleARN:       c.settings.RoleARN,
		DeadLetterARN: c.settings.DeadLetterARN,
		Invoker:       worker,
		Clock:         qcfg.Clock,
	})
	if err != nil {
		return nil, err
	}

	svc := queue.NewService(store, sched, accounts, qcfg)
	svc.SetRunner(worker)
	return svc, nil
}

func (c *cloud) mode() string {
	return "AWS: activations run in the worker Lambda and change real accounts"
}

// backendsOf names where requests are kept and what triggers them.
func backendsOf(cfg config) string {
	switch {
	case cfg.AWS.EventBridge():
		return fmt.Sprintf("DynamoDB table %s, EventBridge Scheduler group %s",
			cfg.AWS.Table, cfg.AWS.ScheduleGroup)
	case cfg.AWS.Table != "":
		return fmt.Sprintf("DynamoDB table %s, in-process scheduler", cfg.AWS.Table)
	}
	return "embedded store, in-process scheduler"
}

// errWorkerOnly is what the web's directory answers when only the worker
// holds the Okta token.
var errWorkerOnly = errors.New("web: Okta is reached only through the worker Lambda")

// workerOnly stands in for the directory when the worker Lambda activates:
// the web's service hands every firing to the worker, so it never calls this.
type workerOnly struct{}

func (workerOnly) FindUser(context.Context, string) (queue.Account, error) {
	return queue.Account{}, errWorkerOnly
}

func (workerOnly) Activate(context.Context, string, bool) (queue.Activation, error) {
	return queue.Activation{}, errWorkerOnly
}

// actorOf names the person behind a request. Behind a Function URL with IAM
// auth that is the caller's IAM identity; elsewhere, until sign-in exists,
// the local user.
func actorOf(cfg config) func(*http.Request) string {
	if !cfg.AWS.InLambda {
		return nil
	}
	return func(r *http.Request) string {
		event, ok := lambdaurl.RequestFromContext(r.Context())
		if !ok || event.RequestContext.Authorizer == nil ||
			event.RequestContext.Authorizer.IAM == nil {
			return web.LocalActor
		}
		return event.RequestContext.Authorizer.IAM.UserARN
	}
}
