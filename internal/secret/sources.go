package secret

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// tokenKeys are the JSON keys under which a secret may hold the token.
var tokenKeys = []string{"token", "OKTA_API_TOKEN"}

func (f *Fetcher) fromSecretsManager(ctx context.Context, r location) (string, error) {
	if f.sm == nil {
		return "", fmt.Errorf("secret: read %s: no Secrets Manager client", r.arn)
	}
	out, err := f.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(r.arn),
	}, func(o *secretsmanager.Options) { o.Region = r.region })
	if err != nil {
		return "", fmt.Errorf("secret: read %s: %w", r.arn, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("%w: %s holds binary data; store the token as a "+
			"secret string", errNoToken, r.arn)
	}
	return tokenFromSecretString(r.arn, *out.SecretString)
}

// tokenFromSecretString reads the bare token, or the token inside a JSON object.
func tokenFromSecretString(arn, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return checkToken(arn, s)
	}

	var fields map[string]any
	if err := json.Unmarshal([]byte(s), &fields); err != nil {
		// The decoder's message may quote the secret, so it is left out.
		return "", fmt.Errorf("%w: %s starts like JSON but is not a valid JSON object",
			errNoToken, arn)
	}
	for _, key := range tokenKeys {
		if v, ok := fields[key]; ok {
			token, isString := v.(string)
			if !isString {
				return "", fmt.Errorf("%w: the key %q of %s is not a string",
					errNoToken, key, arn)
			}
			return checkToken(arn, token)
		}
	}
	return "", fmt.Errorf("%w: the JSON object in %s has none of the keys %s",
		errNoToken, arn, strings.Join(tokenKeys, ", "))
}

func (f *Fetcher) fromSSM(ctx context.Context, r location) (string, error) {
	if f.ssm == nil {
		return "", fmt.Errorf("secret: read %s: no SSM client", r.arn)
	}
	out, err := f.ssm.GetParameter(ctx, &ssm.GetParameterInput{
		Name:           aws.String(r.arn),
		WithDecryption: aws.Bool(true),
	}, func(o *ssm.Options) { o.Region = r.region })
	if err != nil {
		return "", fmt.Errorf("secret: read %s: %w", r.arn, err)
	}
	p := out.Parameter
	if p == nil || p.Value == nil {
		return "", fmt.Errorf("%w: %s has no value", errNoToken, r.arn)
	}
	if p.Type != ssmtypes.ParameterTypeSecureString {
		return "", fmt.Errorf("secret: %s is a %s parameter; keep the token in a "+
			"SecureString parameter", r.arn, p.Type)
	}
	return checkToken(r.arn, *p.Value)
}

// checkToken refuses an empty token and one with spaces or control
// characters inside, which would break the Authorization header.
func checkToken(arn, token string) (string, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("%w: the token in %s is empty", errNoToken, arn)
	}
	if strings.IndexFunc(token, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 {
		return "", fmt.Errorf("%w: the token in %s contains spaces or control characters",
			errNoToken, arn)
	}
	return token, nil
}
