package queue

import (
	"errors"
	"fmt"
)

// The errors callers check with errors.Is.
var (
	// ErrNotFound means no request has the given id.
	ErrNotFound = errors.New("queue: request not found")

	// ErrConflict means the request's state does not allow the change, or another
	// writer changed it first.
	ErrConflict = errors.New("queue: request changed or not in a state that allows this")

	// ErrInvalid marks bad input; the error is an *InputError.
	ErrInvalid = errors.New("queue: invalid input")

	// ErrOpenRequestExists means the login already has a scheduled or running
	// request; the error is an *OpenRequestError.
	ErrOpenRequestExists = errors.New("queue: login already has an open request")

	// ErrAccountNotFound is returned by an Accounts port when the login is unknown.
	ErrAccountNotFound = errors.New("queue: no such user in the directory")

	// ErrTrigger means the scheduler did not accept a change of a trigger
	// (arm, move, disarm); the request was left as it was.
	ErrTrigger = errors.New("queue: the scheduler did not accept the change")

	// ErrTemporary marks a failure that may pass on its own (rate limit, outage,
	// network); the attempt is worth repeating later.
	ErrTemporary = errors.New("queue: temporary failure")
)

// InputError names the input field that is wrong and why, in words safe to show.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Message }

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *InputError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// OpenRequestError points at the open request that blocks a new one for a login.
type OpenRequestError struct {
	Login      string
	ExistingID string
}

func (e *OpenRequestError) Error() string {
	return fmt.Sprintf("%s already has an open request (%s); cancel or reschedule it instead",
		e.Login, e.ExistingID)
}

// Unwrap lets errors.Is(err, ErrOpenRequestExists) match.
func (e *OpenRequestError) Unwrap() error { return ErrOpenRequestExists }
