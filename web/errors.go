package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dayone/dayone/internal/queue"
)

// problem is an error as the web layer shows it: a status and words safe to show.
type problem struct {
	Status     int
	Message    string
	Field      string // the input field at fault, if any
	ExistingID string // the open request that blocks a new one, if any
}

// badRequestError is a request the web layer could not read (malformed,
// unknown field, too large).
type badRequestError struct {
	msg   string
	field string
}

func (e *badRequestError) Error() string { return "web: " + e.msg }

// upstreamError is a failure of a service dayone depends on (Okta, the
// scheduler), with the words to show for it.
type upstreamError struct {
	msg string
	err error
}

func (e *upstreamError) Error() string { return "web: " + e.msg + ": " + e.err.Error() }
func (e *upstreamError) Unwrap() error { return e.err }

// describe is the one place that maps an error to a status and a message safe
// to show. Anything it does not know is a 500 that names only the request id.
func describe(err error, reqID string) problem {
	var input *queue.InputError
	var open *queue.OpenRequestError
	var bad *badRequestError
	var upstream *upstreamError
	var tooLarge *http.MaxBytesError

	switch {
	case errors.As(err, &tooLarge):
		return problem{Status: http.StatusBadRequest,
			Message: fmt.Sprintf("the request body is larger than %d KiB", maxBodyBytes>>10)}
	case errors.As(err, &bad):
		return problem{Status: http.StatusBadRequest, Message: bad.msg, Field: bad.field}
	case errors.As(err, &input):
		return problem{Status: http.StatusUnprocessableEntity,
			Message: input.Message, Field: input.Field}
	case errors.As(err, &open):
		return problem{Status: http.StatusConflict, Message: open.Error(),
			Field: "login", ExistingID: open.ExistingID}
	case errors.Is(err, queue.ErrNotFound):
		return problem{Status: http.StatusNotFound, Message: "no request has this id"}
	case errors.Is(err, queue.ErrConflict):
		return problem{Status: http.StatusConflict, Message: conflictMessage(err)}
	case errors.Is(err, queue.ErrTemporary):
		// Fire arms a retry itself and returns no error then: this one has
		// none armed.
		return problem{Status: http.StatusBadGateway, Message: "Okta or the scheduler " +
			"failed for a reason that may pass (outage, rate limit or network) and no " +
			"retry could be arranged; the request records the attempt: try again later"}
	case errors.As(err, &upstream):
		return problem{Status: http.StatusBadGateway, Message: upstream.msg}
	case errors.Is(err, queue.ErrTrigger):
		return problem{Status: http.StatusBadGateway, Message: "the scheduler did not " +
			"accept the change, so the request was left as it was; try again"}
	}
	return problem{Status: http.StatusInternalServerError,
		Message: "something went wrong inside dayone (request " + reqID + ")"}
}

// conflictMessage keeps the part of a queue conflict that names the states,
// which is safe to show, and drops the package prefix.
func conflictMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "queue: ") {
		return "this request can no longer be changed: " + msg[i+2:]
	}
	return "this request can no longer be changed; reload to see its state"
}
