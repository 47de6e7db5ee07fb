package awsconfig

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// dummyEnv keeps the SDK away from real credentials, files and metadata.
func dummyEnv(t *testing.T, region string) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDDUMMY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "dummy")
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestLoadHonoursEndpointOverride(t *testing.T) {
	dummyEnv(t, "eu-central-1")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")

	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-central-1" {
		t.Errorf("region %q; want eu-central-1", cfg.Region)
	}
	got := dynamodb.NewFromConfig(cfg).Options().BaseEndpoint
	if aws.ToString(got) != "http://127.0.0.1:1" {
		t.Errorf("DynamoDB endpoint %q; want the AWS_ENDPOINT_URL_DYNAMODB value",
			aws.ToString(got))
	}
}

func TestLoadNeedsRegion(t *testing.T) {
	dummyEnv(t, "")
	_, err := Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("Load error %v; want one naming AWS_REGION", err)
	}
}
