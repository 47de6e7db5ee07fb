// Package lambdainvoke is the web side's way to reach the worker Lambda: a
// synchronous Run for "Activate now" (a queue.Runner) and an asynchronous
// InvokeAsync for requests due too soon for a schedule. It also holds the
// contract between the two: the event the worker accepts and the error type
// by which the worker reports a temporary failure.
package lambdainvoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/dayone/dayone/internal/queue"
)

// Event is the whole payload the worker accepts: {"request_id":"<id>"}.
// EventBridge Scheduler sends the same JSON as its target input.
type Event struct {
	RequestID string `json:"request_id"`
}

// ErrorTypeTemporary is the errorType with which the worker reports that an
// attempt failed for a reason that may pass (queue.ErrTemporary): the
// request is scheduled again. The worker's error type carries this name.
const ErrorTypeTemporary = "TemporaryError"

// LambdaAPI is the part of the Lambda client the Client uses.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput,
		opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Client invokes the worker function. It is safe for concurrent use.
type Client struct {
	api      LambdaAPI
	function string
}

var _ queue.Runner = (*Client)(nil)

// New returns a Client that invokes function (a name or ARN, optionally
// qualified) through api.
func New(api LambdaAPI, function string) *Client {
	return &Client{api: api, function: function}
}

// Run fires request id in the worker and waits for the attempt to finish
// (InvocationType RequestResponse). The caller's context should allow at
// least the worker's timeout. Errors: a *WorkerError when the worker
// returned an error (X-Amz-Function-Error set, or an error object as the
// payload, which is how the runtime interface emulator answers), which wraps
// queue.ErrTemporary when the worker said the failure may pass; an error
// wrapping queue.ErrTemporary when Lambda throttled the call; otherwise the
// Lambda API's error, wrapped.
func (c *Client) Run(ctx context.Context, id string) error {
	out, err := c.invoke(ctx, id, types.InvocationTypeRequestResponse)
	if err != nil {
		return err
	}
	if out.FunctionError != nil {
		return workerError(id, aws.ToString(out.FunctionError), out.Payload)
	}
	if err := payloadError(id, out.Payload); err != nil {
		return err
	}
	if out.StatusCode != 200 {
		return fmt.Errorf("lambdainvoke: run %s: Lambda answered status %d", id, out.StatusCode)
	}
	return nil
}

// InvokeAsync hands request id to the worker without waiting (InvocationType
// Event); Lambda queues the event and retries a failed attempt on its own.
// Errors are the Lambda API's, wrapped; throttling wraps queue.ErrTemporary.
func (c *Client) InvokeAsync(ctx context.Context, id string) error {
	out, err := c.invoke(ctx, id, types.InvocationTypeEvent)
	if err != nil {
		return err
	}
	if out.StatusCode != 202 {
		return fmt.Errorf("lambdainvoke: queue %s: Lambda answered status %d",
			id, out.StatusCode)
	}
	return nil
}

func (c *Client) invoke(ctx context.Context, id string, kind types.InvocationType) (
	*lambda.InvokeOutput, error) {
	if id == "" {
		return nil, errors.New("lambdainvoke: empty request id")
	}
	payload, err := json.Marshal(Event{RequestID: id})
	if err != nil {
		return nil, fmt.Errorf("lambdainvoke: encode the event: %w", err)
	}

	out, err := c.api.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(c.function),
		InvocationType: kind,
		Payload:        payload,
	})
	if err != nil {
		return nil, invokeFailed(id, kind, err)
	}
	return out, nil
}
