// Package awsconfig loads the AWS SDK configuration the way both binaries
// need it: from the SDK's own sources (environment, Lambda's role
// credentials, AWS_ENDPOINT_URL_<SERVICE> overrides), with a region required.
package awsconfig

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Load returns the SDK configuration. It contacts no service: credentials
// are resolved on the first call that needs them. Errors: the SDK's loading
// error, wrapped, or a missing region (Lambda always sets AWS_REGION).
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsconfig: load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("awsconfig: no AWS region: set AWS_REGION")
	}
	return cfg, nil
}
