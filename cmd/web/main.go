// Command web serves dayone's pages and JSON API. Without OKTA_ORG_URL it runs
// in local mode: an Okta simulator with demo users, an embedded store and
// in-process timers, all on this machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambdaurl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dayone:", err)
		os.Exit(1)
	}
}

const usage = `Usage: web

dayone's web server. Settings come from the environment:
  DAYONE_ADDR            listen address, loopback only (default 127.0.0.1:8080)
  DAYONE_DB              bbolt file (default dayone.db)
  DAYONE_TIMEZONE        default time zone of the forms (default Europe/Berlin)
  DAYONE_LOGIN_DOMAINS   comma-separated allowed e-mail domains (default: any)
  DAYONE_ALLOW_REENABLE  may activate DEPROVISIONED accounts (default false)
  OKTA_ORG_URL           the Okta org; unset: local mode with the Okta simulator
  OKTA_API_TOKEN         the Okta API token, required with OKTA_ORG_URL
  OKTA_SEND_EMAIL        default of "send activation email" (default true)

The AWS path (see README, "Deploy to AWS"):
  DAYONE_TABLE               DynamoDB table; unset: the embedded store
  DAYONE_CREATE_TABLE        create the table at start-up if missing (default false)
  DAYONE_SCHEDULE_GROUP      EventBridge Scheduler group
  DAYONE_WORKER_ARN          the worker Lambda, which alone holds the Okta token
  DAYONE_SCHEDULER_ROLE_ARN  the role EventBridge Scheduler assumes
  DAYONE_SCHEDULER_DLQ_ARN   SQS queue for deliveries that failed
On Lambda (AWS_LAMBDA_RUNTIME_API set) it answers Function URL events.
`

// run reads the settings, builds dayone and serves it until ctx ends. It logs
// to stderr and prints where it listens to stdout.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout io.Writer) error {
	flags := flag.NewFlagSet("web", flag.ContinueOnError)
	flags.SetOutput(stdout)
	flags.Usage = func() { fmt.Fprint(stdout, usage) }
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; settings come from the environment",
			flags.Args())
	}

	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if cfg.AWS.InLambda {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	a, err := build(ctx, cfg, env{Logger: log})
	if err != nil {
		return err
	}
	if cfg.AWS.InLambda {
		// Answers Function URL events (streaming) until Lambda ends the process.
		lambdaurl.Start(a.handler)
		return nil
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		a.close(context.Background())
		return fmt.Errorf("listen on DAYONE_ADDR %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "dayone: serving http://%s\n", ln.Addr())
	return a.serve(ctx, ln)
}
