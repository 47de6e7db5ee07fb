package awsched_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/dayone/dayone/internal/awsched"
)

func TestNewNamesTheWrongSetting(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *awsched.Config)
		want   string
	}{
		{"no group", func(c *awsched.Config) { c.GroupName = "" }, "DAYONE_SCHEDULE_GROUP"},
		{"group with a slash", func(c *awsched.Config) { c.GroupName = "day/one" },
			"DAYONE_SCHEDULE_GROUP"},
		{"group of 65", func(c *awsched.Config) { c.GroupName = strings.Repeat("g", 65) },
			"DAYONE_SCHEDULE_GROUP"},
		{"no worker", func(c *awsched.Config) { c.WorkerARN = "" }, "DAYONE_WORKER_ARN"},
		{"worker by name", func(c *awsched.Config) { c.WorkerARN = "dayone-worker" },
			"DAYONE_WORKER_ARN"},
		{"role of a user", func(c *awsched.Config) {
			c.RoleARN = "arn:aws:iam::123456789012:user/dayone"
		}, "DAYONE_SCHEDULER_ROLE_ARN"},
		{"role of a short account", func(c *awsched.Config) {
			c.RoleARN = "arn:aws:iam::1234:role/dayone"
		}, "DAYONE_SCHEDULER_ROLE_ARN"},
		{"dead letters to SNS", func(c *awsched.Config) {
			c.DeadLetterARN = "arn:aws:sns:eu-central-1:123456789012:dayone"
		}, "DAYONE_SCHEDULER_DLQ_ARN"},
		{"queue URL, not ARN", func(c *awsched.Config) {
			c.DeadLetterARN = "https://sqs.eu-central-1.amazonaws.com/123456789012/dlq"
		}, "DAYONE_SCHEDULER_DLQ_ARN"},
		{"186 retries", func(c *awsched.Config) { c.MaxRetryAttempts = 186 }, "retry"},
		{"event age 59 s", func(c *awsched.Config) { c.MaxEventAge = 59 * time.Second },
			"event age"},
		{"event age over a day", func(c *awsched.Config) { c.MaxEventAge = 25 * time.Hour },
			"event age"},
		{"no invoker", func(c *awsched.Config) { c.Invoker = nil }, "Invoker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configFor(&invoker{})
			tt.change(&cfg)

			_, err := awsched.New(scheduler.New(scheduler.Options{}), cfg)

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one naming %s", err, tt.want)
			}
		})
	}
}

func TestNewAcceptsAValidConfig(t *testing.T) {
	cfg := configFor(&invoker{})
	cfg.RoleARN = "arn:aws-cn:iam::123456789012:role/service-role/dayone"
	cfg.WorkerARN += ":live"
	if _, err := awsched.New(scheduler.New(scheduler.Options{}), cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := awsched.New(nil, cfg); err == nil {
		t.Error("New accepted no client")
	}
}

func TestNewListsEveryProblem(t *testing.T) {
	_, err := awsched.New(scheduler.New(scheduler.Options{}), awsched.Config{})
	for _, setting := range []string{"DAYONE_SCHEDULE_GROUP", "DAYONE_WORKER_ARN",
		"DAYONE_SCHEDULER_ROLE_ARN", "DAYONE_SCHEDULER_DLQ_ARN"} {
		if err == nil || !strings.Contains(err.Error(), setting) {
			t.Errorf("error = %v, want it to name %s", err, setting)
		}
	}
}
