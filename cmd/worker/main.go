// Command worker is the dayone worker Lambda. EventBridge Scheduler invokes
// it with {"request_id":"<id>"} when a request is due, and the web function
// invokes it the same way for "Activate now". It fires the request through
// queue.Service.Fire: claims it, reads the user's Okta status and activates
// the account at most once. After a failure that may pass, the service arms
// the retry as a one-time EventBridge Scheduler schedule (see newScheduler).
//
// Everything is built once at cold start from the environment (see
// loadConfig); the handler only decodes the event and fires.
//
// Give the function a timeout of at least 90 s: one Okta call may take four
// attempts of up to 15 s each plus back-off, and an attempt that Lambda cuts
// short leaves its request running until the queue's lease (15 min) ends.
//
// TODO(stuck-running): nothing in AWS resumes a request whose attempt died
// (timeout, crash) once Lambda's own retries, which come before the lease
// ends, are spent; a periodic sweep should fire running requests past it.
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
