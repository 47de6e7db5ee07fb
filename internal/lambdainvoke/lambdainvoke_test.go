package lambdainvoke

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/dayone/dayone/internal/queue"
)

const workerARN = "arn:aws:lambda:eu-central-1:123456789012:function:dayone-worker"

// call is one Invoke the stand-in received.
type call struct {
	function string
	kind     string // X-Amz-Invocation-Type
	payload  string
}

// reply is what the stand-in answers.
type reply struct {
	status        int
	functionError string
	headers       map[string]string
	body          string
}

// lambdaAPI is a stand-in of the Lambda Invoke REST API on 127.0.0.1.
type lambdaAPI struct {
	reply reply

	mu    sync.Mutex
	calls []call
}

func (a *lambdaAPI) invoke(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.calls = append(a.calls, call{
		function: r.PathValue("name"),
		kind:     r.Header.Get("X-Amz-Invocation-Type"),
		payload:  string(body),
	})
	a.mu.Unlock()

	if a.reply.functionError != "" {
		w.Header().Set("X-Amz-Function-Error", a.reply.functionError)
	}
	for k, v := range a.reply.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	w.WriteHeader(a.reply.status)
	_, _ = io.WriteString(w, a.reply.body)
}

// newClient starts the stand-in and returns a Client using the real SDK.
func newClient(t *testing.T, rep reply) (*Client, *lambdaAPI) {
	t.Helper()
	api := &lambdaAPI{reply: rep}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", api.invoke)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	sdk := lambda.New(lambda.Options{
		Region:       "eu-central-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDDUMMY", "dummy", ""),
		Retryer:      aws.NopRetryer{},
	})
	return New(sdk, workerARN), api
}

func (a *lambdaAPI) only(t *testing.T) call {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.calls) != 1 {
		t.Fatalf("the stand-in got %d calls; want 1", len(a.calls))
	}
	return a.calls[0]
}

func TestRunSucceeds(t *testing.T) {
	c, api := newClient(t, reply{status: 200, body: "null"})
	if err := c.Run(context.Background(), "0194f3a2-7b1c-7def-8abc-1234567890ab"); err != nil {
		t.Fatalf("Run: %v", err)
	}

	got := api.only(t)
	want := call{
		function: workerARN,
		kind:     "RequestResponse",
		payload:  `{"request_id":"0194f3a2-7b1c-7def-8abc-1234567890ab"}`,
	}
	if got != want {
		t.Errorf("Invoke got %+v; want %+v", got, want)
	}
}

func TestRunTemporaryWorkerError(t *testing.T) {
	c, _ := newClient(t, reply{status: 200, functionError: "Unhandled",
		body: `{"errorMessage":"queue: temporary failure: okta: HTTP 503",` +
			`"errorType":"TemporaryError"}`})
	err := c.Run(context.Background(), "r-1")

	if !errors.Is(err, queue.ErrTemporary) {
		t.Fatalf("Run error %v; want one wrapping queue.ErrTemporary", err)
	}
	var we *WorkerError
	if !errors.As(err, &we) || we.Type != ErrorTypeTemporary || we.RequestID != "r-1" ||
		we.Message != "queue: temporary failure: okta: HTTP 503" || we.Function != "Unhandled" {
		t.Errorf("WorkerError %+v; want the worker's type and message", we)
	}
}

func TestRunOtherWorkerErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"store failure", `{"errorMessage":"queue: record the outcome of r-1: ` +
			`dynamostore: boom","errorType":"wrapError"}`,
			"lambdainvoke: the worker failed on r-1 (wrapError): queue: record the outcome"},
		{"timeout", `{"errorMessage":"Task timed out after 30.00 seconds",` +
			`"errorType":"Sandbox.Timedout"}`, "(Sandbox.Timedout): Task timed out"},
		{"unreadable", `<html>oops</html>`, "(Unhandled): the worker returned no readable error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newClient(t, reply{status: 200, functionError: "Unhandled", body: tc.body})
			err := c.Run(context.Background(), "r-1")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run error %v; want one saying %q", err, tc.want)
			}
			if errors.Is(err, queue.ErrTemporary) {
				t.Errorf("Run error %v is marked temporary", err)
			}
		})
	}
}

func TestInvokeAsync(t *testing.T) {
	c, api := newClient(t, reply{status: 202})
	if err := c.InvokeAsync(context.Background(), "r-2"); err != nil {
		t.Fatalf("InvokeAsync: %v", err)
	}
	want := call{function: workerARN, kind: "Event", payload: `{"request_id":"r-2"}`}
	if got := api.only(t); got != want {
		t.Errorf("Invoke got %+v; want %+v", got, want)
	}
}

func TestThrottledIsTemporary(t *testing.T) {
	c, api := newClient(t, reply{status: 429,
		headers: map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException"},
		body: `{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded",` +
			`"Type":"User","message":"Rate Exceeded."}`})
	for _, invoke := range []func(context.Context, string) error{c.Run, c.InvokeAsync} {
		err := invoke(context.Background(), "r-3")
		if !errors.Is(err, queue.ErrTemporary) || !strings.Contains(err.Error(), "r-3") {
			t.Errorf("error %v; want a temporary one naming r-3", err)
		}
	}
	if len(api.calls) != 2 {
		t.Errorf("%d calls; want 2", len(api.calls))
	}
}

func TestMissingFunctionIsPermanent(t *testing.T) {
	c, _ := newClient(t, reply{status: 404,
		headers: map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException"},
		body:    `{"Type":"User","message":"Function not found: ` + workerARN + `"}`})
	err := c.Run(context.Background(), "r-4")
	if err == nil || errors.Is(err, queue.ErrTemporary) ||
		!strings.Contains(err.Error(), "Function not found") {
		t.Errorf("Run error %v; want a permanent one saying the function is missing", err)
	}
}

func TestEmptyIDNotSent(t *testing.T) {
	c, api := newClient(t, reply{status: 200})
	if err := c.Run(context.Background(), ""); err == nil {
		t.Error("Run with an empty id: want an error")
	}
	if len(api.calls) != 0 {
		t.Errorf("%d calls for an empty id; want none", len(api.calls))
	}
}

// The runtime interface emulator returns the worker's error as the payload
// of a 200 without X-Amz-Function-Error.
func TestRunErrorPayloadWithoutHeader(t *testing.T) {
	c, _ := newClient(t, reply{status: 200,
		body: `{"errorMessage":"queue: temporary failure: okta: HTTP 503",` +
			`"errorType":"TemporaryError"}`})
	err := c.Run(context.Background(), "r-5")
	var we *WorkerError
	if !errors.Is(err, queue.ErrTemporary) || !errors.As(err, &we) || we.Function != "" {
		t.Fatalf("Run error %v; want a temporary *WorkerError", err)
	}
	want := "lambdainvoke: the worker failed on r-5 (TemporaryError): " +
		"queue: temporary failure: okta: HTTP 503"
	if err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}

// A successful worker answers null; other JSON values are not errors either.
func TestRunSuccessPayloads(t *testing.T) {
	for _, body := range []string{"null", "", `{"status":"activated"}`, `"ok"`} {
		c, _ := newClient(t, reply{status: 200, body: body})
		if err := c.Run(context.Background(), "r-6"); err != nil {
			t.Errorf("payload %q: Run error %v; want nil", body, err)
		}
	}
}
