// Package secret fetches the Okta API token at cold start from where the
// deployment keeps it: AWS Secrets Manager or an SSM Parameter Store
// SecureString, named by ARN. A Fetcher keeps each token for the life of the
// process. No error of this package ever contains a token.
package secret

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// SecretsManagerAPI is the part of the Secrets Manager client a Fetcher uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SSMAPI is the part of the SSM client a Fetcher uses.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput,
		opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Fetcher reads tokens by ARN and caches them for the life of the process.
// It is safe for concurrent use.
type Fetcher struct {
	sm  SecretsManagerAPI
	ssm SSMAPI

	mu    sync.Mutex
	cache map[string]string
}

// New returns a Fetcher over the two clients. Either may be nil when the
// deployment never names an ARN of that service.
func New(sm SecretsManagerAPI, ssmClient SSMAPI) *Fetcher {
	return &Fetcher{sm: sm, ssm: ssmClient, cache: map[string]string{}}
}

// Token returns the token stored under arn, which is either
//
//   - a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME),
//     whose SecretString is the bare token or a JSON object with the token
//     under "token" or "OKTA_API_TOKEN"; or
//   - an SSM SecureString parameter
//     (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME), read with decryption.
//
// The call goes to the region named in the ARN. A token once read is kept for
// the life of the Fetcher; a failure is not, so the next call tries again.
// The errors name the ARN and the problem, never the token.
func (f *Fetcher) Token(ctx context.Context, arn string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if token, ok := f.cache[arn]; ok {
		return token, nil
	}

	token, err := f.fetch(ctx, arn)
	if err != nil {
		return "", err
	}
	f.cache[arn] = token
	return token, nil
}

// Token reads one token without a cache; see Fetcher.Token.
func Token(ctx context.Context, arn string, sm SecretsManagerAPI, ssmClient SSMAPI) (
	string, error) {
	return New(sm, ssmClient).Token(ctx, arn)
}

func (f *Fetcher) fetch(ctx context.Context, arn string) (string, error) {
	loc, err := parseARN(arn)
	if err != nil {
		return "", err
	}
	if loc.service == "secretsmanager" {
		return f.fromSecretsManager(ctx, loc)
	}
	return f.fromSSM(ctx, loc)
}

// location is the part of an ARN the fetch needs.
type location struct {
	arn     string
	service string // "secretsmanager" or "ssm"
	region  string
}

// parseARN accepts the ARN of a Secrets Manager secret or an SSM parameter.
func parseARN(arn string) (location, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") ||
		parts[3] == "" || parts[5] == "" {
		// The value is not repeated: it might be a token pasted in the wrong place.
		return location{}, errors.New("secret: the value is not an ARN of a Secrets " +
			"Manager secret or an SSM parameter")
	}

	r := location{arn: arn, service: parts[2], region: parts[3]}
	switch {
	case r.service == "secretsmanager" && strings.HasPrefix(parts[5], "secret:"):
		return r, nil
	case r.service == "ssm" && strings.HasPrefix(parts[5], "parameter/"):
		return r, nil
	}
	return location{}, fmt.Errorf("secret: %s names neither a Secrets Manager secret "+
		"(arn:aws:secretsmanager:…:secret:NAME) nor an SSM parameter "+
		"(arn:aws:ssm:…:parameter/NAME)", arn)
}

// errNoToken is the cause when a stored value holds no usable token.
var errNoToken = errors.New("secret: no token")
