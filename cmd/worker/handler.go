package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/dayone/dayone/internal/queue"
)

// handler is the Lambda handler: one event, one Fire. It implements
// lambda.Handler, so that it receives the event's raw bytes: an event that
// is not even JSON still reaches Handle and is dropped, not retried.
type handler struct {
	fire func(ctx context.Context, id string) (*queue.Request, error)
	log  *slog.Logger
}

// TemporaryError is returned when an attempt failed for a reason that may
// pass and no retry could be armed; the request is scheduled again. Its type
// name is the errorType the Lambda runtime reports ("TemporaryError",
// lambdainvoke.ErrorTypeTemporary), and returning it makes Lambda retry an
// asynchronous invoke.
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is(err, queue.ErrTemporary) match.
func (e *TemporaryError) Unwrap() error { return e.Err }

// nullJSON is the handler's response: the function returns no value.
var nullJSON = []byte("null")

// Invoke is the entry of the Lambda runtime; see Handle.
func (h *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if err := h.Handle(ctx, payload); err != nil {
		return nil, err
	}
	return nullJSON, nil
}

// Handle fires the request the event names. It returns nil when Lambda's
// retry cannot help or is not needed: an invalid event (logged at Error and
// dropped, as no retry can make it valid), an unknown request, a duplicate
// or early delivery, an attempt that ended, activated or failed, or one that
// failed for a reason that may pass and whose retry the service armed. It
// returns a *TemporaryError when the attempt may succeed later but no retry
// could be armed, and the store's error when the request could not be read
// or written; Lambda retries both.
func (h *handler) Handle(ctx context.Context, event []byte) error {
	log := withLambdaID(ctx, h.log)
	id, err := decodeEvent(event)
	if err != nil {
		log.Error("invalid event dropped", "error", err, "event_bytes", len(event))
		return nil
	}
	log = log.With("request_id", id)

	started := time.Now()
	r, err := h.fire(ctx, id)
	return report(log, r, err, started)
}

// withLambdaID adds the Lambda request id of ctx, when it has one, to log.
func withLambdaID(ctx context.Context, log *slog.Logger) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return log.With("lambda_request_id", lc.AwsRequestID)
	}
	return log
}

// report logs the outcome of Fire and returns what Lambda should see.
func report(log *slog.Logger, r *queue.Request, err error, started time.Time) error {
	if r != nil {
		log = log.With("status", r.Status, "attempts", r.Attempts, "result", r.Result)
	}
	switch {
	case errors.Is(err, queue.ErrNotFound):
		log.Warn("no such request; nothing to do")
		return nil
	case errors.Is(err, queue.ErrTemporary):
		// Lambda retries an asynchronous invoke only twice (about one and
		// three minutes later); should those fail the same way, the request
		// stays scheduled with no trigger left, until the sweeper fires it.
		log.Error("attempt failed and no retry could be armed; "+
			"leaving it to Lambda's retry", "error", err)
		return &TemporaryError{Err: err}
	case err != nil:
		log.Error("fire failed", "error", err)
		return fmt.Errorf("worker: fire: %w", err)
	case r.Status == queue.StatusScheduled && retryArmedSince(r, started):
		log.Warn("attempt failed; the retry is armed", "retry_at", r.RetryAt)
		return nil
	case r.Status == queue.StatusScheduled:
		// Fire leaves a request scheduled without an error otherwise only
		// when it is not due yet (or its retry is not); nothing was done.
		log.Warn("delivered before the request is due; nothing done",
			"due_at", r.DueAt, "retry_at", r.RetryAt)
		return nil
	}
	log.Info("fired")
	return nil
}

// retryArmedSince reports whether this delivery's attempt failed and armed a
// retry: the request's last event is a retry recorded since the delivery
// began. An older retry event means the delivery came before the retry time.
func retryArmedSince(r *queue.Request, started time.Time) bool {
	if len(r.History) == 0 {
		return false
	}
	last := r.History[len(r.History)-1]
	return last.Event == queue.EventRetry && !last.At.Before(started)
}

// maxIDLength bounds the request id an event may carry.
const maxIDLength = 128

// eventKey is the one field of the event.
const eventKey = "request_id"

// decodeEvent accepts exactly {"request_id":"<id>"}: one JSON object with
// that one key, spelt exactly so, whose value is a non-empty string of
// printable characters. It decodes into a map rather than a struct with
// DisallowUnknownFields, because encoding/json matches struct fields without
// regard to case and would accept "Request_ID".
func decodeEvent(raw []byte) (string, error) {
	value, err := oneField(raw, eventKey, `{"request_id":"<id>"}`)
	if err != nil {
		return "", err
	}

	var id string
	if value[0] != '"' || json.Unmarshal(value, &id) != nil {
		return "", fmt.Errorf("worker: %s must be a string", eventKey)
	}
	return id, checkID(id)
}

// oneField returns the raw value of the one field of a JSON event, which
// must be an object with exactly the key key (spelt so, in that case) and
// nothing after it; shape is the event's form, for the error message.
func oneField(raw []byte, key, shape string) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, errors.New("worker: the event is not a JSON object " + shape)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("worker: the event has data after its JSON object")
	}
	if len(fields) != 1 || fields[key] == nil {
		return nil, fmt.Errorf("worker: the event must have exactly the field %s, "+
			"not %s", key, fieldNames(fields))
	}
	return fields[key], nil
}

func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("worker: %s is empty", eventKey)
	case len(id) > maxIDLength:
		return fmt.Errorf("worker: %s is longer than %d bytes", eventKey, maxIDLength)
	case strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return fmt.Errorf("worker: %s contains unprintable characters", eventKey)
	}
	return nil
}

// fieldNames lists the first few keys of an event, sorted and shortened,
// for an error message.
func fieldNames(fields map[string]json.RawMessage) string {
	const most, longest = 5, 40
	names := make([]string, 0, len(fields))
	for name := range fields {
		if len(name) > longest {
			name = strings.ToValidUTF8(name[:longest], "") + "…"
		}
		names = append(names, fmt.Sprintf("%q", name))
	}
	slices.Sort(names)
	switch {
	case len(names) == 0:
		return "none"
	case len(names) > most:
		names = append(names[:most], "…")
	}
	return strings.Join(names, ", ")
}
