package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/dayone/dayone/internal/awsconfig"
	"github.com/dayone/dayone/internal/dynamostore"
	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/secret"
)

// initTimeout bounds the cold start's calls (the token, the table), well
// inside the 10 s Lambda gives the init phase.
const initTimeout = 8 * time.Second

// build makes the worker's dependencies once, at cold start, in this order:
// AWS configuration, store, Okta token and client, service, handler.
func build(ctx context.Context, cfg config, log *slog.Logger) (*handler, error) {
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

	svc := queue.NewService(store, refusingScheduler{}, accounts, queue.Config{
		DefaultZone:   cfg.TimeZone,
		AllowReenable: cfg.AllowReenable,
	})
	return &handler{fire: svc.Fire, log: log}, nil
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

// errNoScheduling is what the worker's Scheduler port answers.
var errNoScheduling = errors.New("worker: the worker arms no triggers; " +
	"scheduling belongs to the web function")

// refusingScheduler is the worker's Scheduler port. The worker only fires
// requests whose trigger the web function armed; Fire never schedules, so
// a call here would be a bug, and it fails loudly instead of arming anything.
type refusingScheduler struct{}

var _ queue.Scheduler = refusingScheduler{}

func (refusingScheduler) Schedule(context.Context, *queue.Request) error {
	return errNoScheduling
}

func (refusingScheduler) Reschedule(context.Context, *queue.Request) error {
	return errNoScheduling
}

func (refusingScheduler) Cancel(context.Context, string) error { return errNoScheduling }
