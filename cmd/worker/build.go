package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/dayone/dayone/internal/awsched"
	"github.com/dayone/dayone/internal/awsconfig"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/secret"
)

// initTimeout bounds the cold start's calls (the token, the table), well
// inside the 10 s Lambda gives the init phase.
const initTimeout = 8 * time.Second

// build makes the function's dependencies once, at cold start, in this
// order: AWS configuration, store, Okta token and client, scheduler,
// service, and the handler of cfg.Role: a *handler for the worker, a
// *sweeper for the sweeper. Errors: a dependency that could not be built.
func build(ctx context.Context, cfg config, log *slog.Logger) (lambda.Handler, error) {
	svc, err := buildService(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if cfg.Role == roleSweeper {
		return &sweeper{sweep: svc.Sweep, log: log}, nil
	}
	return &handler{fire: svc.Fire, log: log}, nil
}

// buildService makes the queue service both roles run.
func buildService(ctx context.Context, cfg config, log *slog.Logger) (*queue.Service, error) {
	ctx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()

	awsCfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	store, err := newStore(ctx, cfg, awsCfg)
	if err != nil {
		return nil, err
	}
	accounts, err := newAccounts(ctx, cfg, awsCfg)
	if err != nil {
		return nil, err
	}

	sched, err := newScheduler(cfg, awsCfg, log)
	if err != nil {
		return nil, err
	}

	return queue.NewService(store, sched, accounts, queue.Config{
		DefaultZone:   cfg.TimeZone,
		AllowReenable: cfg.AllowReenable,
	}), nil
}

// newScheduler returns the EventBridge Scheduler adapter that arms the
// retries of failed attempts. Without scheduler settings (outside AWS only)
// it returns refusingScheduler, and says so in the log.
func newScheduler(cfg config, awsCfg aws.Config, log *slog.Logger) (queue.Scheduler, error) {
	if !cfg.armsRetries() {
		log.Warn("no scheduler settings: a failed attempt is retried only by " +
			"the platform's retries of the delivery")
		return refusingScheduler{}, nil
	}
	sched, err := awsched.New(scheduler.NewFromConfig(awsCfg), awsched.Config{
		GroupName:     cfg.ScheduleGroup,
		WorkerARN:     cfg.WorkerARN,
		RoleARN:       cfg.RoleARN,
		DeadLetterARN: cfg.DeadLetterARN,
		Invoker:       noDirectInvoke{},
	})
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	return sched, nil
}

// newStore returns the DynamoDB store, creating its table first when asked.
func newStore(ctx context.Context, cfg config, awsCfg aws.Config) (*dynamostore.Store, error) {
	client := dynamodb.NewFromConfig(awsCfg)
	if cfg.CreateTable {
		if err := dynamostore.CreateTable(ctx, client, cfg.Table); err != nil {
			return nil, fmt.Errorf("worker: %s: %w", envCreateTable, err)
		}
	}
	return dynamostore.New(client, cfg.Table, dynamostore.Options{}), nil
}

// newAccounts fetches the Okta token and returns the Okta client as the
// queue's Accounts port.
func newAccounts(ctx context.Context, cfg config, awsCfg aws.Config) (queue.Accounts, error) {
	token := cfg.Token
	if cfg.TokenARN != "" {
		var err error
		token, err = secret.Token(ctx, cfg.TokenARN,
			secretsmanager.NewFromConfig(awsCfg), ssm.NewFromConfig(awsCfg))
		if err != nil {
			return nil, fmt.Errorf("worker: %s: %w", envTokenARN, err)
		}
	}

	client, err := okta.New(okta.Config{OrgURL: cfg.OktaOrgURL, Token: token})
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	return client.Accounts(), nil
}

// errNoScheduling is what the worker's Scheduler ports answer to what the
// worker never asks of them.
var errNoScheduling = errors.New("worker: the worker arms no first triggers; " +
	"scheduling belongs to the web function")

// errNoRetry is what refusingScheduler answers to Retry.
var errNoRetry = errors.New("worker: no scheduler is configured to arm the retry " +
	"(set " + envGroup + " and the other scheduler settings)")

// refusingScheduler is the worker's Scheduler port outside AWS when no
// scheduler settings are given. Fire (and Sweep, through it) only ever
// calls Retry; it fails, so
// that Fire returns an error wrapping queue.ErrTemporary and the handler a
// *TemporaryError: the platform's retry of the delivery is the fallback.
// The other calls would be a bug, and fail loudly instead of arming anything.
type refusingScheduler struct{}

var _ queue.Scheduler = refusingScheduler{}

func (refusingScheduler) Schedule(context.Context, *queue.Request) error {
	return errNoScheduling
}

func (refusingScheduler) Reschedule(context.Context, *queue.Request) error {
	return errNoScheduling
}

func (refusingScheduler) Cancel(context.Context, string) error { return errNoScheduling }

func (refusingScheduler) Retry(context.Context, *queue.Request, time.Time) error {
	return errNoRetry
}

// noDirectInvoke is the Invoker of the worker's awsched.Scheduler. awsched
// invokes directly only from Schedule and Reschedule, for a request due
// within moments; the worker's service calls neither (Fire and Sweep only
// call Retry, which always creates a schedule, so that the back-off holds).
// Neither role invokes the worker itself.
type noDirectInvoke struct{}

var _ awsched.Invoker = noDirectInvoke{}

func (noDirectInvoke) InvokeAsync(context.Context, string) error { return errNoScheduling }
