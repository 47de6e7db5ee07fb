// Package testenv starts what the tests of several packages share: one
// dynalite server (a DynamoDB-compatible server on loopback) per test binary,
// dummy AWS settings and DynamoDB clients aimed at that server.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// SkipDynaliteEnv names the variable that, set to 1, makes tests that need
// dynalite skip when it is not installed instead of failing.
const SkipDynaliteEnv = "DAYONE_SKIP_DYNALITE"

// TestRegion is the region the dummy AWS settings name.
const TestRegion = "eu-central-1"

// awsEnv holds dummy AWS settings: no test may reach real credentials, a
// shared config file or the instance metadata service.
var awsEnv = [][2]string{
	{"AWS_ACCESS_KEY_ID", "test"},
	{"AWS_SECRET_ACCESS_KEY", "test"},
	{"AWS_SESSION_TOKEN", ""},
	{"AWS_REGION", TestRegion},
	{"AWS_PROFILE", ""},
	{"AWS_CONFIG_FILE", os.DevNull},
	{"AWS_SHARED_CREDENTIALS_FILE", os.DevNull},
	{"AWS_EC2_METADATA_DISABLED", "true"},
}

// AWSTestEnv sets dummy AWS credentials and region for the test and turns off
// the instance metadata service. Like t.Setenv, it cannot be used in parallel
// tests; use SetAWSEnv in TestMain there.
func AWSTestEnv(t testing.TB) {
	t.Helper()
	for _, kv := range awsEnv {
		t.Setenv(kv[0], kv[1])
	}
}

// SetAWSEnv sets the same dummy settings as AWSTestEnv for the whole process;
// it is meant for TestMain.
func SetAWSEnv() {
	for _, kv := range awsEnv {
		os.Setenv(kv[0], kv[1])
	}
}

// DynamoClient returns a DynamoDB client aimed at the shared dynalite server,
// with static dummy credentials; it reads no AWS settings from the
// environment, so parallel tests may use it.
func DynamoClient(t testing.TB) *dynamodb.Client {
	t.Helper()
	endpoint := Dynalite(t)
	return dynamodb.New(dynamodb.Options{
		Region:       TestRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

var tableSeq atomic.Int64

// TableName returns a table name no other test of this binary uses.
func TableName(t testing.TB) string {
	t.Helper()
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '-'
	}, t.Name())
	if len(name) > 180 {
		name = name[:180]
	}
	return fmt.Sprintf("t%d-%s", tableSeq.Add(1), name)
}

// RepoRoot returns the directory of go.mod, found by walking up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testenv: working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("testenv: look for go.mod: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}
