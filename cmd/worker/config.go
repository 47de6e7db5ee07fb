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
	if c.TimeZone == "" {
		c.TimeZone = queue.DefaultZone
	}
	if _, err := queue.LoadZone(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("worker: %s: %w", envTimeZone, err))
	}
	return errs
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
	return fmt.Sprintf("table=%s create_table=%t okta_org_url=%s token_from=%s "+
		"allow_reenable=%t timezone=%s", c.Table, c.CreateTable, c.OktaOrgURL,
		c.tokenSource(), c.AllowReenable, c.TimeZone)
}

// GoString is String, so that %#v does not show the token either.
func (c config) GoString() string { return c.String() }

// LogValue logs the configuration without the token.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("table", c.Table),
		slog.Bool("create_table", c.CreateTable),
		slog.String("okta_org_url", c.OktaOrgURL),
		slog.String("token_from", c.tokenSource()),
		slog.Bool("allow_reenable", c.AllowReenable),
		slog.String("timezone", c.TimeZone),
	)
}
