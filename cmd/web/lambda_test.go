package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/dayone/dayone/internal/queue"
)

// functionURLEvent reads a Function URL event, as Lambda delivers it, from
// testdata; edit may change it first.
func functionURLEvent(t *testing.T, name string,
	edit func(*events.LambdaFunctionURLRequest)) *events.LambdaFunctionURLRequest {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var event events.LambdaFunctionURLRequest
	if err := json.Unmarshal(raw, &event); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&event)
	}
	return &event
}

// onLambda builds the web in its AWS shape and answers events through
// aws-lambda-go's own Function URL adapter, as the deployed function does.
func onLambda(t *testing.T) (func(*events.LambdaFunctionURLRequest) (int, http.Header, string),
	*awsWorld) {
	world := newAWSWorld(t)
	settings := world.settings
	settings["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9" // never called: events come from the test
	cfg, err := loadConfig(envOf(settings))
	if err != nil {
		t.Fatal(err)
	}
	a, err := build(context.Background(), cfg, env{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close(context.Background()) })

	handle := lambdaurl.Wrap(a.handler)
	return func(event *events.LambdaFunctionURLRequest) (int, http.Header, string) {
		t.Helper()
		res, err := handle(context.Background(), event)
		if err != nil {
			t.Fatalf("the handler returned an error, which Lambda turns into a 502: %v", err)
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		header := http.Header{}
		for k, v := range res.Headers {
			header.Set(k, v)
		}
		return res.StatusCode, header, string(body)
	}, world
}

func TestFunctionURLServesThePages(t *testing.T) {
	answer, _ := onLambda(t)

	status, header, body := answer(functionURLEvent(t, "function-url-get.json", nil))
	if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /queue: %d %v", status, header)
	}
	if !strings.Contains(body, "EventBridge Scheduler group "+testGroup) {
		t.Errorf("the queue page does not say where it runs:\n%s", body)
	}
}

func TestFunctionURLFormPostRedirectsAndRecordsTheCaller(t *testing.T) {
	answer, world := onLambda(t)

	status, header, _ := answer(functionURLEvent(t, "function-url-post-form.json", nil))
	if status != http.StatusSeeOther || !strings.HasPrefix(header.Get("Location"), "/requests/") {
		t.Fatalf("POST /requests: %d, Location %q", status, header.Get("Location"))
	}
	id := strings.TrimPrefix(strings.SplitN(header.Get("Location"), "?", 2)[0], "/requests/")
	r, err := world.worker.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedBy != "arn:aws:iam::123456789012:user/helpdesk-lisbon" ||
		r.Status != queue.StatusScheduled || r.DueAt.Format("15:04") != "07:00" {
		t.Errorf("stored %+v", r)
	}
}

func TestFunctionURLBadFormIsA400PageNotAHandlerError(t *testing.T) {
	answer, _ := onLambda(t)

	event := functionURLEvent(t, "function-url-post-form.json",
		func(e *events.LambdaFunctionURLRequest) {
			e.Body = base64.StdEncoding.EncodeToString(
				[]byte("login=&start=2027-03-28T02%3A30&timezone=Europe%2FBerlin"))
		})
	status, header, body := answer(event)
	if status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
		t.Fatalf("bad form: status %d, want a 4xx page", status)
	}
	if !strings.HasPrefix(header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "login is required") {
		t.Errorf("the page does not show the error: %v\n%s", header, body)
	}
}

func TestFunctionURLRefusesACrossOriginPost(t *testing.T) {
	answer, world := onLambda(t)

	event := functionURLEvent(t, "function-url-post-form.json",
		func(e *events.LambdaFunctionURLRequest) {
			e.Headers["origin"] = "https://evil.example"
			e.Headers["sec-fetch-site"] = "cross-site"
		})
	if status, _, _ := answer(event); status != http.StatusForbidden {
		t.Fatalf("cross-origin POST: status %d, want 403", status)
	}
	if len(world.sched.Schedules()) != 0 {
		t.Error("a refused POST created a schedule")
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
