package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/dayone/dayone/internal/queue"
)

// config is the worker's configuration, read once from the environment.
// Its String and LogValue leave the token out.
type config struct {
	Table         string // DAYONE_TABLE: the DynamoDB table of requests
	CreateTable   bool   // DAYONE_CREATE_TABLE: create the table if missing (dev only)
	OktaOrgURL    string // OKTA_ORG_URL
	TokenARN      string // OKTA_TOKEN_SECRET_ARN: Secrets Manager or SSM ARN of the token
	Token         string // OKTA_API_TOKEN: the token itself, outside AWS only
	AllowReenable bool   // DAYONE_ALLOW_REENABLE: may activate a DEPROVISIONED user
	TimeZone      string // DAYONE_TIMEZONE: the default zone, default Europe/Berlin
	Role          string // DAYONE_WORKER_ROLE: roleWorker (default) or roleSweeper

	// Where retries are armed: EventBridge Scheduler, as the web arms the
	// first trigger. Required in AWS; outside it, all or none.
	ScheduleGroup string // DAYONE_SCHEDULE_GROUP: the schedule group
	RoleARN       string // DAYONE_SCHEDULER_ROLE_ARN: the role the scheduler assumes
	DeadLetterARN string // DAYONE_SCHEDULER_DLQ_ARN: SQS queue for failed deliveries
	WorkerARN     string // DAYONE_WORKER_ARN: this function, the schedules' target
}

// The environment variables the worker reads. The AWS SDK reads its own
// (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB, …). OKTA_SEND_EMAIL is
// not among them: every request carries its own send-email choice.
const (
	envTable       = "DAYONE_TABLE"
	envCreateTable = "DAYONE_CREATE_TABLE"
	envOrgURL      = "OKTA_ORG_URL"
	envTokenARN    = "OKTA_TOKEN_SECRET_ARN"
	envToken       = "OKTA_API_TOKEN"
	envReenable    = "DAYONE_ALLOW_REENABLE"
	envTimeZone    = "DAYONE_TIMEZONE"
	envGroup       = "DAYONE_SCHEDULE_GROUP"
	envRoleARN     = "DAYONE_SCHEDULER_ROLE_ARN"
	envDLQARN      = "DAYONE_SCHEDULER_DLQ_ARN"
	envWorkerARN   = "DAYONE_WORKER_ARN"
	envRole        = "DAYONE_WORKER_ROLE"
)

// The roles of the binary: one function fires requests, the other sweeps.
const (
	roleWorker  = "worker"  // fires the request each event names
	roleSweeper = "sweeper" // fires the stranded requests (queue.Service.Sweep)
)

// loadConfig reads and checks the configuration. The error lists every
// problem, each naming its variable; it never contains the token.
func loadConfig(getenv func(string) string) (config, error) {
	var errs []error
	flag := func(name string) bool {
		v, err := parseBool(name, getenv(name))
		errs = append(errs, err)
		return v
	}
	cfg := config{
		Table:         strings.TrimSpace(getenv(envTable)),
		CreateTable:   flag(envCreateTable),
		OktaOrgURL:    strings.TrimSpace(getenv(envOrgURL)),
		TokenARN:      strings.TrimSpace(getenv(envTokenARN)),
		Token:         strings.TrimSpace(getenv(envToken)),
		AllowReenable: flag(envReenable),
		TimeZone:      strings.TrimSpace(getenv(envTimeZone)),
		ScheduleGroup: strings.TrimSpace(getenv(envGroup)),
		RoleARN:       strings.TrimSpace(getenv(envRoleARN)),
		DeadLetterARN: strings.TrimSpace(getenv(envDLQARN)),
		WorkerARN:     strings.TrimSpace(getenv(envWorkerARN)),
		Role:          strings.TrimSpace(getenv(envRole)),
	}
	errs = append(errs, cfg.check()...)
	return cfg, errors.Join(errs...)
}

func (c *config) check() []error {
	var errs []error
	if c.Table == "" {
		errs = append(errs, fmt.Errorf("worker: %s is required: the DynamoDB table", envTable))
	}
	if c.OktaOrgURL == "" {
		errs = append(errs, fmt.Errorf("worker: %s is required: the Okta org, "+
			"such as https://acme.okta.com", envOrgURL))
	}
	switch {
	case c.TokenARN == "" && c.Token == "":
		errs = append(errs, fmt.Errorf("worker: the Okta API token is missing: set %s "+
			"(in AWS) or %s (outside AWS only)", envTokenARN, envToken))
	case c.TokenARN != "" && c.Token != "":
		errs = append(errs, fmt.Errorf("worker: set %s or %s, not both",
			envTokenARN, envToken))
	}
	errs = append(errs, c.checkScheduler()...)
	errs = append(errs, c.checkRole())
	if c.TimeZone == "" {
		c.TimeZone = queue.DefaultZone
	}
	if _, err := queue.LoadZone(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("worker: %s: %w", envTimeZone, err))
	}
	return errs
}

// checkRole defaults the role to roleWorker and refuses an unknown one.
func (c *config) checkRole() error {
	switch c.Role {
	case "":
		c.Role = roleWorker
	case roleWorker, roleSweeper:
	default:
		return fmt.Errorf("worker: %s must be %s or %s, not %q",
			envRole, roleWorker, roleSweeper, c.Role)
	}
	return nil
}

// schedulerSettings pairs each scheduler setting with its variable.
func (c *config) schedulerSettings() [][2]string {
	return [][2]string{
		{envGroup, c.ScheduleGroup}, {envRoleARN, c.RoleARN},
		{envDLQARN, c.DeadLetterARN}, {envWorkerARN, c.WorkerARN},
	}
}

// armsRetries reports whether the scheduler settings are given, so that the
// worker arms its retries on EventBridge Scheduler.
func (c config) armsRetries() bool { return c.ScheduleGroup != "" }

// checkScheduler requires the scheduler settings in AWS (the token comes by
// ARN) and, outside it, all of them or none. awsched.New checks their form.
func (c *config) checkScheduler() []error {
	var missing []string
	set := 0
	for _, s := range c.schedulerSettings() {
		if s[1] == "" {
			missing = append(missing, s[0])
		} else {
			set++
		}
	}
	switch {
	case len(missing) == 0, set == 0 && c.TokenARN == "":
		return nil
	case set == 0:
		return []error{fmt.Errorf("worker: %s are required with %s: the worker arms "+
			"the retries of failed attempts", strings.Join(missing, ", "), envTokenARN)}
	}
	return []error{fmt.Errorf("worker: %s must be set with the other scheduler settings",
		strings.Join(missing, ", "))}
}

func parseBool(name, value string) (bool, error) {
	if strings.TrimSpace(value) == "" {
		return false, nil
	}
	v, err := strconv.ParseBool(strings.TrimSpace(value))
	if err != nil {
		return false, fmt.Errorf("worker: %s must be true or false, not %q", name, value)
	}
	return v, nil
}

// tokenSource names where the token comes from, for the start-up log.
func (c config) tokenSource() string {
	if c.TokenARN != "" {
		return c.TokenARN
	}
	return envToken
}

// String describes the configuration without the token.
func (c config) String() string {
	return fmt.Sprintf("role=%s table=%s create_table=%t okta_org_url=%s token_from=%s "+
		"allow_reenable=%t timezone=%s schedule_group=%s scheduler_role=%s "+
		"scheduler_dlq=%s worker=%s", c.Role, c.Table, c.CreateTable, c.OktaOrgURL,
		c.tokenSource(), c.AllowReenable, c.TimeZone, c.ScheduleGroup, c.RoleARN,
		c.DeadLetterARN, c.WorkerARN)
}

// GoString is String, so that %#v does not show the token either.
func (c config) GoString() string { return c.String() }

// LogValue logs the configuration without the token.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("role", c.Role),
		slog.String("table", c.Table),
		slog.Bool("create_table", c.CreateTable),
		slog.String("okta_org_url", c.OktaOrgURL),
		slog.String("token_from", c.tokenSource()),
		slog.Bool("allow_reenable", c.AllowReenable),
		slog.String("timezone", c.TimeZone),
		slog.String("schedule_group", c.ScheduleGroup),
		slog.String("scheduler_role", c.RoleARN),
		slog.String("scheduler_dlq", c.DeadLetterARN),
		slog.String("worker", c.WorkerARN),
	)
}
