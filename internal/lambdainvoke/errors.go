package lambdainvoke

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/dayone/dayone/internal/queue"
)

// WorkerError is a failure the worker function reported: its own returned
// error, a crash or a timeout. Its message is safe to show.
type WorkerError struct {
	RequestID string
	Function  string // X-Amz-Function-Error: "Unhandled", "Handled" or empty
	Type      string // the errorType of the payload, such as "TemporaryError"
	Message   string // the errorMessage of the payload
}

func (e *WorkerError) Error() string {
	kind := cmp.Or(e.Type, e.Function, "unknown error")
	return fmt.Sprintf("lambdainvoke: the worker failed on %s (%s): %s",
		e.RequestID, kind, e.Message)
}

// Unwrap lets errors.Is(err, queue.ErrTemporary) match when the worker said
// the failure may pass.
func (e *WorkerError) Unwrap() error {
	if e.Type == ErrorTypeTemporary {
		return queue.ErrTemporary
	}
	return nil
}

// maxMessage bounds how much of the worker's message an error repeats.
const maxMessage = 500

// workerError reads Lambda's error payload {"errorMessage","errorType"}.
func workerError(id, functionError string, payload []byte) error {
	var body struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	e := &WorkerError{RequestID: id, Function: functionError}
	if err := json.Unmarshal(payload, &body); err != nil || body.Message == "" {
		e.Message = "the worker returned no readable error"
		return e
	}
	e.Type, e.Message = body.Type, truncate(body.Message, maxMessage)
	return e
}

// payloadError returns a *WorkerError when a payload without a function
// error is nevertheless Lambda's error object. The worker answers null on
// success, so an object with an errorType can only be an error.
func payloadError(id string, payload []byte) error {
	var body struct {
		Type *string `json:"errorType"`
	}
	if json.Unmarshal(payload, &body) != nil || body.Type == nil {
		return nil
	}
	return workerError(id, "", payload)
}

// invokeFailed wraps an error of the Invoke call itself. A throttled call is
// marked temporary, so that the caller can say "try again in a moment".
func invokeFailed(id string, kind types.InvocationType, err error) error {
	var throttled *types.TooManyRequestsException
	var busy *types.ServiceException
	if errors.As(err, &throttled) || errors.As(err, &busy) {
		return fmt.Errorf("lambdainvoke: invoke the worker for %s (%s): %w: %w",
			id, kind, queue.ErrTemporary, err)
	}
	return fmt.Errorf("lambdainvoke: invoke the worker for %s (%s): %w", id, kind, err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.ToValidUTF8(s[:n], "")
	return cut + "…"
}
