package awsched

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// Invoker starts the worker for one request at once, without waiting for it.
// It is used for requests due too soon for a schedule to be worth creating;
// *lambdainvoke.Client is the one production uses.
type Invoker interface {
	InvokeAsync(ctx context.Context, id string) error
}

// Config is what the adapter needs to know about the deployment. The names in
// the comments are the environment variables the binaries read it from.
type Config struct {
	GroupName     string // DAYONE_SCHEDULE_GROUP: the schedule group
	WorkerARN     string // DAYONE_WORKER_ARN: the worker Lambda function
	RoleARN       string // DAYONE_SCHEDULER_ROLE_ARN: the role the scheduler assumes
	DeadLetterARN string // DAYONE_SCHEDULER_DLQ_ARN: SQS queue for failed deliveries

	// MaxRetryAttempts is how often the scheduler retries a failed invoke of
	// the worker; zero gets DefaultMaxRetryAttempts.
	MaxRetryAttempts int32

	// MaxEventAge is how long the scheduler keeps retrying; whole seconds
	// from 60 s to 24 h; zero gets DefaultMaxEventAge.
	MaxEventAge time.Duration

	// DirectWithin: a request due sooner than this is not scheduled but
	// handed to the Invoker; zero gets DefaultDirectWithin.
	DirectWithin time.Duration

	Invoker Invoker     // required
	Clock   queue.Clock // default time.Now
}

// Defaults of Config.
//
// The scheduler invokes the worker asynchronously, so a delivery fails only
// when Lambda refuses the invoke itself (throttled account, missing
// permission, service fault); what the worker does afterwards is retried by
// Lambda's own async settings. Ten attempts within one hour ride out a
// passing fault of several minutes. After that a person should look: a new
// hire is waiting, and the message in the dead-letter queue raises an alarm.
// The service defaults (185 attempts, 24 h) would hide the failure for a day.
const (
	DefaultMaxRetryAttempts int32 = 10
	DefaultMaxEventAge            = time.Hour
	DefaultDirectWithin           = queue.EarlyTolerance
)

// The settings' names, as the errors of New spell them.
const (
	settingGroup = "DAYONE_SCHEDULE_GROUP"
	settingWork  = "DAYONE_WORKER_ARN"
	settingRole  = "DAYONE_SCHEDULER_ROLE_ARN"
	settingDLQ   = "DAYONE_SCHEDULER_DLQ_ARN"
)

// The forms the scheduler accepts (scheduler-api.md P1, P4, P5). The worker
// ARN has no pattern in the API; dayone requires a Lambda function ARN.
var (
	namePattern   = regexp.MustCompile(`^[0-9a-zA-Z-_.]+$`)
	rolePattern   = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]+$`)
	queuePattern  = regexp.MustCompile(`^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$`)
	workerPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)?:lambda:[a-z0-9\-]+:\d{12}:` +
		`function:[a-zA-Z0-9\-_]+(:[a-zA-Z0-9\-_$]+)?$`)
)

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.MaxRetryAttempts == 0 {
		c.MaxRetryAttempts = DefaultMaxRetryAttempts
	}
	if c.MaxEventAge == 0 {
		c.MaxEventAge = DefaultMaxEventAge
	}
	if c.DirectWithin == 0 {
		c.DirectWithin = DefaultDirectWithin
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}

// check returns every problem of the configuration at once.
func (c Config) check() error {
	var errs []error
	add := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}

	add(len(c.GroupName) <= 64 && namePattern.MatchString(c.GroupName),
		"%s %q is not a schedule group name (1-64 of 0-9 a-z A-Z - _ .)",
		settingGroup, c.GroupName)
	add(len(c.WorkerARN) <= 1600 && workerPattern.MatchString(c.WorkerARN),
		"%s %q is not a Lambda function ARN", settingWork, c.WorkerARN)
	add(len(c.RoleARN) <= 1600 && rolePattern.MatchString(c.RoleARN),
		"%s %q is not an IAM role ARN", settingRole, c.RoleARN)
	add(len(c.DeadLetterARN) <= 1600 && queuePattern.MatchString(c.DeadLetterARN),
		"%s %q is not an SQS queue ARN", settingDLQ, c.DeadLetterARN)

	add(c.MaxRetryAttempts >= 0 && c.MaxRetryAttempts <= 185,
		"max retry attempts %d is outside 0-185", c.MaxRetryAttempts)
	add(c.MaxEventAge >= time.Minute && c.MaxEventAge <= 24*time.Hour &&
		c.MaxEventAge%time.Second == 0,
		"max event age %s is not whole seconds from 60 s to 24 h", c.MaxEventAge)
	// A direct invoke of a request due later than the queue's early
	// tolerance would find it not yet due, and nothing would come back.
	add(c.DirectWithin > 0 && c.DirectWithin <= queue.EarlyTolerance,
		"direct-invoke window %s is not between 0 and %s", c.DirectWithin,
		queue.EarlyTolerance)
	add(c.Invoker != nil, "an Invoker is required")

	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("awsched: invalid configuration: %w", err)
	}
	return nil
}
