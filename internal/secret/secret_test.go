package secret

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

const (
	smARN  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dayone/okta-AbCdEf"
	ssmARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/dayone/okta-token"
	token  = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-_"
)

// fakeSM answers GetSecretValue with a fixed string or error and counts calls.
type fakeSM struct {
	value  *string
	err    error
	calls  int
	ids    []string
	region string
}

var _ SecretsManagerAPI = (*fakeSM)(nil)

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput,
	opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.calls++
	f.ids = append(f.ids, aws.ToString(in.SecretId))
	var o secretsmanager.Options
	for _, opt := range opts {
		opt(&o)
	}
	f.region = o.Region
	if f.err != nil {
		return nil, f.err
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: f.value}, nil
}

// fakeSSM answers GetParameter with a fixed parameter and records the input.
type fakeSSM struct {
	param   *ssmtypes.Parameter
	calls   int
	input   *ssm.GetParameterInput
	region  string
	failErr error
}

var _ SSMAPI = (*fakeSSM)(nil)

func (f *fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput,
	opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.calls++
	f.input = in
	var o ssm.Options
	for _, opt := range opts {
		opt(&o)
	}
	f.region = o.Region
	if f.failErr != nil {
		return nil, f.failErr
	}
	return &ssm.GetParameterOutput{Parameter: f.param}, nil
}

func TestSecretStringForms(t *testing.T) {
	ok := []struct{ name, value string }{
		{"bare", token},
		{"bare with newline", token + "\n"},
		{"json token", `{"token":"` + token + `"}`},
		{"json OKTA_API_TOKEN", `{"OKTA_API_TOKEN":"` + token + `","org":"x"}`},
		{"json with spaces", " {\n \"token\" : \"" + token + "\" }\n"},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			sm := &fakeSM{value: aws.String(tc.value)}
			got, err := New(sm, nil).Token(context.Background(), smARN)
			if err != nil || got != token {
				t.Fatalf("Token = %q, %v; want the token", got, err)
			}
			if len(sm.ids) != 1 || sm.ids[0] != smARN || sm.region != "eu-west-1" {
				t.Errorf("GetSecretValue got ids %v region %q; want the ARN in eu-west-1",
					sm.ids, sm.region)
			}
		})
	}
}

func TestSecretStringRefused(t *testing.T) {
	bad := []struct{ name, value, want string }{
		{"empty", "  ", "is empty"},
		{"inner space", "abc " + token, "spaces or control characters"},
		{"broken json", `{"token":"` + token, "not a valid JSON object"},
		{"no key", `{"api_key":"` + token + `"}`, "none of the keys token, OKTA_API_TOKEN"},
		{"not a string", `{"token":12345}`, `key "token"`},
		{"empty in json", `{"token":""}`, "is empty"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			sm := &fakeSM{value: aws.String(tc.value)}
			got, err := New(sm, nil).Token(context.Background(), smARN)
			if err == nil {
				t.Fatalf("Token = %q; want an error", got)
			}
			assertSafeError(t, err, tc.want)
			if !errors.Is(err, errNoToken) {
				t.Errorf("error %v does not wrap errNoToken", err)
			}
		})
	}
}

func TestBinarySecretRefused(t *testing.T) {
	_, err := New(&fakeSM{}, nil).Token(context.Background(), smARN)
	assertSafeError(t, err, "binary data")
}

func TestTokenIsCachedFailureIsNot(t *testing.T) {
	ctx := context.Background()
	sm := &fakeSM{err: errors.New("AccessDeniedException: not allowed")}
	f := New(sm, nil)
	if _, err := f.Token(ctx, smARN); err == nil {
		t.Fatal("want the API error")
	}

	sm.err, sm.value = nil, aws.String(token)
	for range 3 {
		if got, err := f.Token(ctx, smARN); err != nil || got != token {
			t.Fatalf("Token = %q, %v; want the token", got, err)
		}
	}
	if sm.calls != 2 {
		t.Errorf("GetSecretValue called %d times; want 2 (one failure, then cached)", sm.calls)
	}
}

func TestSSMSecureString(t *testing.T) {
	p := &fakeSSM{param: &ssmtypes.Parameter{
		Type: ssmtypes.ParameterTypeSecureString, Value: aws.String(token),
	}}
	got, err := Token(context.Background(), ssmARN, nil, p)
	if err != nil || got != token {
		t.Fatalf("Token = %q, %v; want the token", got, err)
	}
	if aws.ToString(p.input.Name) != ssmARN || !aws.ToBool(p.input.WithDecryption) {
		t.Errorf("GetParameter input name %q decrypt %v; want the ARN with decryption",
			aws.ToString(p.input.Name), aws.ToBool(p.input.WithDecryption))
	}
	if p.region != "eu-west-1" {
		t.Errorf("region %q; want eu-west-1 from the ARN", p.region)
	}
}

func TestSSMPlainStringRefused(t *testing.T) {
	p := &fakeSSM{param: &ssmtypes.Parameter{
		Type: ssmtypes.ParameterTypeString, Value: aws.String(token),
	}}
	_, err := Token(context.Background(), ssmARN, nil, p)
	assertSafeError(t, err, "keep the token in a SecureString parameter")
}

func TestSSMErrorWrapped(t *testing.T) {
	cause := &ssmtypes.ParameterNotFound{Message: aws.String("not found")}
	_, err := Token(context.Background(), ssmARN, nil, &fakeSSM{failErr: cause})
	assertSafeError(t, err, ssmARN)
	var nf *ssmtypes.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("error %v does not wrap the SDK's ParameterNotFound", err)
	}
}

func TestBadARNs(t *testing.T) {
	cases := []struct{ arn, want string }{
		{token, "not an ARN"},
		{"", "not an ARN"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:dayone", "names neither"},
		{"arn:aws:ssm:eu-west-1:123456789012:document/x", "names neither"},
		{"arn:aws:secretsmanager::123456789012:secret:x", "not an ARN"},
	}
	for _, tc := range cases {
		sm, p := &fakeSM{value: aws.String(token)}, &fakeSSM{}
		_, err := Token(context.Background(), tc.arn, sm, p)
		assertSafeError(t, err, tc.want)
		if sm.calls+p.calls != 0 {
			t.Errorf("%q: an API was called for a bad ARN", tc.arn)
		}
	}
}

func TestMissingClient(t *testing.T) {
	_, err := Token(context.Background(), smARN, nil, &fakeSSM{})
	assertSafeError(t, err, "no Secrets Manager client")
	_, err = Token(context.Background(), ssmARN, &fakeSM{}, nil)
	assertSafeError(t, err, "no SSM client")
}

// assertSafeError checks that err is set, says want and never shows the token.
func assertSafeError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error saying %q", want)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	if strings.Contains(msg, token) || strings.Contains(msg, token[:12]) {
		t.Errorf("error %q shows the token", msg)
	}
	if !strings.HasPrefix(msg, "secret: ") {
		t.Errorf("error %q lacks the package prefix", msg)
	}
}
