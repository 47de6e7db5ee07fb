package secret

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// jsonAPI is a stand-in of an AWS JSON 1.1 service on 127.0.0.1: it answers
// one X-Amz-Target and records what the SDK sent.
type jsonAPI struct {
	target string
	answer func(body map[string]any) (int, string)

	mu       sync.Mutex
	bodies   []map[string]any
	scopes   []string
	problems []string
}

func (a *jsonAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		a.problems = append(a.problems, r.Method+" "+r.URL.Path)
	}
	if got := r.Header.Get("X-Amz-Target"); got != a.target {
		a.problems = append(a.problems, "target "+got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		a.problems = append(a.problems, "content type "+got)
	}
	a.scopes = append(a.scopes, r.Header.Get("Authorization"))

	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		a.problems = append(a.problems, "body: "+err.Error())
	}
	a.bodies = append(a.bodies, body)

	status, out := a.answer(body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(out))
}

func startAPI(t *testing.T, api *jsonAPI) string {
	t.Helper()
	srv := httptest.NewServer(api) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		api.mu.Lock()
		defer api.mu.Unlock()
		for _, p := range api.problems {
			t.Errorf("the SDK sent an unexpected request: %s", p)
		}
	})
	return srv.URL
}

var dummyCreds = credentials.NewStaticCredentialsProvider("AKIDDUMMY", "dummy-secret", "")

func TestSecretsManagerThroughSDK(t *testing.T) {
	api := &jsonAPI{target: "secretsmanager.GetSecretValue",
		answer: func(body map[string]any) (int, string) {
			if body["SecretId"] != smARN {
				return 400, `{"__type":"ResourceNotFoundException",` +
					`"message":"Secrets Manager can't find the specified secret."}`
			}
			return 200, `{"ARN":"` + smARN + `","Name":"dayone/okta",` +
				`"SecretString":"{\"OKTA_API_TOKEN\":\"` + token + `\"}",` +
				`"VersionId":"v1","VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9}`
		}}
	client := secretsmanager.New(secretsmanager.Options{
		Region:       "eu-central-1",
		BaseEndpoint: aws.String(startAPI(t, api)),
		Credentials:  dummyCreds,
	})
	f := New(client, nil)

	got, err := f.Token(context.Background(), smARN)
	if err != nil || got != token {
		t.Fatalf("Token = %q, %v; want the token", got, err)
	}
	if _, err := f.Token(context.Background(), smARN); err != nil {
		t.Fatal(err)
	}
	if len(api.bodies) != 1 {
		t.Errorf("%d GetSecretValue calls; want 1 (the second read is cached)", len(api.bodies))
	}
	if !strings.Contains(api.scopes[0], "/eu-west-1/secretsmanager/aws4_request") {
		t.Errorf("request signed as %q; want the ARN's region eu-west-1", api.scopes[0])
	}

	other := strings.Replace(smARN, "okta-AbCdEf", "missing-XyZ123", 1)
	_, err = f.Token(context.Background(), other)
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), other) {
		t.Errorf("error %v; want a ResourceNotFoundException naming %s", err, other)
	}
}

func TestSSMThroughSDK(t *testing.T) {
	api := &jsonAPI{target: "AmazonSSM.GetParameter",
		answer: func(body map[string]any) (int, string) {
			if body["Name"] != ssmARN || body["WithDecryption"] != true {
				return 400, `{"__type":"ParameterNotFound","message":"no"}`
			}
			return 200, `{"Parameter":{"ARN":"` + ssmARN + `","Name":"/dayone/okta-token",` +
				`"Type":"SecureString","Value":"` + token + `","Version":3}}`
		}}
	client := ssm.New(ssm.Options{
		Region:       "eu-central-1",
		BaseEndpoint: aws.String(startAPI(t, api)),
		Credentials:  dummyCreds,
	})

	got, err := Token(context.Background(), ssmARN, nil, client)
	if err != nil || got != token {
		t.Fatalf("Token = %q, %v; want the token", got, err)
	}
}
