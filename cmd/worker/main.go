// Command worker is the dayone worker Lambda, and, with
// DAYONE_WORKER_ROLE=sweeper, the sweeper Lambda.
//
// As the worker, EventBridge Scheduler invokes it with {"request_id":"<id>"}
// when a request is due, and the web function invokes it the same way for
// "Activate now". It fires the request through queue.Service.Fire: claims
// it, reads the user's Okta status and activates the account at most once.
// After a failure that may pass, the service arms the retry as a one-time
// EventBridge Scheduler schedule (see newScheduler).
//
// As the sweeper, a recurring schedule invokes it with {"sweep":true} every
// five minutes, and it fires what no trigger will fire any more through
// queue.Service.Sweep: requests whose schedule was never created or whose
// retry could not be armed, and requests an attempt that died (timeout,
// crash) left running past the queue's lease (5 min).
//
// Everything is built once at cold start from the environment (see
// loadConfig); the handler only decodes the event and fires or sweeps.
//
// Give the worker a timeout of at least 90 s: one Okta call may take four
// attempts of up to 15 s each plus back-off, and an attempt that Lambda cuts
// short leaves its request running until the queue's lease ends. The
// sweeper starts no fire with less than 90 s left, so give it more.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run builds the worker and hands it to the Lambda runtime loop, which only
// returns by ending the process. Errors: the arguments, the configuration or
// a dependency that could not be built; each names what to fix.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout io.Writer) error {
	if len(args) > 1 {
		return errors.New("worker: takes no arguments; it is configured " +
			"by environment variables")
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return errors.New("worker: AWS_LAMBDA_RUNTIME_API is not set: " +
			"run it in Lambda or under aws-lambda-rie")
	}
	log := slog.New(slog.NewJSONHandler(stdout, nil))

	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	h, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}

	log.Info("worker ready", "config", cfg)
	lambda.StartWithOptions(h, lambda.WithContext(ctx))
	return errors.New("worker: the Lambda runtime loop ended")
}
