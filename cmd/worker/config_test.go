package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const fakeToken = "00tOkEnThatMustNeverShow-0123456789abcd"

// env is a getenv over a map.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func validEnv() map[string]string {
	return map[string]string{
		envTable:  "dayone-requests",
		envOrgURL: "https://acme.okta.com",
		envToken:  fakeToken,
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(env(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	want := config{Table: "dayone-requests", OktaOrgURL: "https://acme.okta.com",
		Token: fakeToken, TimeZone: "Europe/Berlin", Role: roleWorker}
	if cfg != want {
		t.Errorf("config %v; want %v", cfg, want)
	}
}

func TestLoadConfigAll(t *testing.T) {
	vars := validEnv()
	delete(vars, envToken)
	vars[envTokenARN] = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:okta-AbCdEf"
	vars[envCreateTable], vars[envReenable], vars[envTimeZone] = "true", "1", "America/New_York"
	vars[envRole] = " sweeper "
	for k, v := range schedulerEnv() {
		vars[k] = " " + v + " "
	}
	cfg, err := loadConfig(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.CreateTable || !cfg.AllowReenable || cfg.TimeZone != "America/New_York" ||
		cfg.TokenARN != vars[envTokenARN] || cfg.Token != "" || cfg.Role != roleSweeper {
		t.Errorf("config %v; want every setting read", cfg)
	}
	if cfg.ScheduleGroup != testGroup || cfg.RoleARN != testRoleARN ||
		cfg.DeadLetterARN != testDLQARN || cfg.WorkerARN != testWorkerARN ||
		!cfg.armsRetries() {
		t.Errorf("config %v; want the scheduler settings read, trimmed", cfg)
	}
}

// schedulerEnv is the four scheduler settings of the tests.
func schedulerEnv() map[string]string {
	return map[string]string{
		envGroup: testGroup, envRoleARN: testRoleARN,
		envDLQARN: testDLQARN, envWorkerARN: testWorkerARN,
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(map[string]string)
		want []string
	}{
		{"nothing set", func(m map[string]string) { clear(m) },
			[]string{envTable + " is required", envOrgURL + " is required",
				"set " + envTokenARN + " (in AWS) or " + envToken}},
		{"both tokens", func(m map[string]string) { m[envTokenARN] = "arn:aws:ssm:x" },
			[]string{"set " + envTokenARN + " or " + envToken + ", not both"}},
		{"bad flag", func(m map[string]string) { m[envCreateTable] = "yes please" },
			[]string{envCreateTable + " must be true or false"}},
		{"bad flag 2", func(m map[string]string) { m[envReenable] = "maybe" },
			[]string{envReenable + " must be true or false"}},
		{"bad zone", func(m map[string]string) { m[envTimeZone] = "Mars/Olympus" },
			[]string{envTimeZone + `: unknown time zone "Mars/Olympus"`}},
		{"bad role", func(m map[string]string) { m[envRole] = "Sweeper" },
			[]string{envRole + ` must be worker or sweeper, not "Sweeper"`}},
		{"in AWS without scheduler", func(m map[string]string) {
			delete(m, envToken)
			m[envTokenARN] = tokenARN
		}, []string{envGroup + ", " + envRoleARN + ", " + envDLQARN + ", " + envWorkerARN +
			" are required with " + envTokenARN}},
		{"scheduler half set", func(m map[string]string) {
			m[envGroup], m[envWorkerARN] = testGroup, testWorkerARN
		}, []string{envRoleARN + ", " + envDLQARN +
			" must be set with the other scheduler settings"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vars := validEnv()
			tc.edit(vars)
			_, err := loadConfig(env(vars))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), fakeToken) {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

func TestConfigNeverShowsToken(t *testing.T) {
	cfg, err := loadConfig(env(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("ready", "config", cfg)
	shown := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg) + logs.String()
	if strings.Contains(shown, fakeToken) {
		t.Errorf("the token shows: %s", shown)
	}
	if !strings.Contains(logs.String(), `"token_from":"OKTA_API_TOKEN"`) {
		t.Errorf("the log does not say where the token came from: %s", logs.String())
	}
}

func TestRunRefusesToStartOutsideLambda(t *testing.T) {
	var out bytes.Buffer
	vars := validEnv()
	err := run(context.Background(), []string{"worker"}, env(vars), &out)
	if err == nil || !strings.Contains(err.Error(), "AWS_LAMBDA_RUNTIME_API") {
		t.Errorf("run: %v; want an error naming AWS_LAMBDA_RUNTIME_API", err)
	}

	vars["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9"
	err = run(context.Background(), []string{"worker", "fire"}, env(vars), &out)
	if err == nil || !strings.Contains(err.Error(), "takes no arguments") {
		t.Errorf("run with arguments: %v; want an error", err)
	}

	delete(vars, envTable)
	err = run(context.Background(), []string{"worker"}, env(vars), &out)
	if err == nil || !strings.Contains(err.Error(), envTable) {
		t.Errorf("run without a table: %v; want an error naming %s", err, envTable)
	}
}
