package main

import (
	"errors"
	"fmt"
	"strings"
)

// awsSettings switch on the AWS path, piece by piece:
//   - DAYONE_TABLE alone: requests in DynamoDB, everything else as in local
//     mode (development against a DynamoDB-compatible server such as dynalite);
//   - with the scheduler settings and DAYONE_WORKER_ARN as well: the deployed
//     shape, where EventBridge Scheduler triggers the worker Lambda and only
//     the worker holds the Okta token.
type awsSettings struct {
	Table       string // DAYONE_TABLE: the DynamoDB table; empty: the embedded store
	CreateTable bool   // DAYONE_CREATE_TABLE: create the table at start-up if missing

	ScheduleGroup string // DAYONE_SCHEDULE_GROUP
	WorkerARN     string // DAYONE_WORKER_ARN: the worker Lambda
	RoleARN       string // DAYONE_SCHEDULER_ROLE_ARN: the role the scheduler assumes
	DeadLetterARN string // DAYONE_SCHEDULER_DLQ_ARN: where failed deliveries go

	// InLambda is true when this process runs as a Lambda function: it then
	// answers Function URL events instead of listening on DAYONE_ADDR.
	InLambda bool
}

// schedulerSettings are the settings that only make sense together.
var schedulerSettings = []string{
	"DAYONE_SCHEDULE_GROUP", "DAYONE_WORKER_ARN",
	"DAYONE_SCHEDULER_ROLE_ARN", "DAYONE_SCHEDULER_DLQ_ARN",
}

func readAWS(getenv func(string) string) (awsSettings, error) {
	create, err := parseBool("DAYONE_CREATE_TABLE", getenv("DAYONE_CREATE_TABLE"), false)
	s := awsSettings{
		Table:         strings.TrimSpace(getenv("DAYONE_TABLE")),
		CreateTable:   create,
		ScheduleGroup: strings.TrimSpace(getenv("DAYONE_SCHEDULE_GROUP")),
		WorkerARN:     strings.TrimSpace(getenv("DAYONE_WORKER_ARN")),
		RoleARN:       strings.TrimSpace(getenv("DAYONE_SCHEDULER_ROLE_ARN")),
		DeadLetterARN: strings.TrimSpace(getenv("DAYONE_SCHEDULER_DLQ_ARN")),
		InLambda:      getenv("AWS_LAMBDA_RUNTIME_API") != "",
	}
	return s, errors.Join(err, s.check(getenv))
}

// EventBridge reports whether triggers are EventBridge schedules that invoke
// the worker Lambda.
func (s awsSettings) EventBridge() bool { return s.WorkerARN != "" }

// check refuses half-configured deployments, naming what is missing.
func (s awsSettings) check(getenv func(string) string) error {
	var missing []string
	set := 0
	for _, name := range schedulerSettings {
		if strings.TrimSpace(getenv(name)) == "" {
			missing = append(missing, name)
		} else {
			set++
		}
	}

	var errs []error
	if (set > 0 || s.InLambda) && len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%s must be set too: EventBridge Scheduler "+
			"needs all of %s", strings.Join(missing, ", "), strings.Join(schedulerSettings, ", ")))
	}
	if (set > 0 || s.InLambda) && s.Table == "" {
		errs = append(errs, errors.New("DAYONE_TABLE is required with EventBridge "+
			"Scheduler and on Lambda: the worker reads requests from DynamoDB"))
	}
	if s.CreateTable && s.Table == "" {
		errs = append(errs, errors.New("DAYONE_CREATE_TABLE needs DAYONE_TABLE"))
	}
	return errors.Join(errs...)
}
