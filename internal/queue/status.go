package queue

import "fmt"

// Status is where a request stands in its life.
type Status string

// The statuses of a request. Scheduled and running are open; the rest are final.
const (
	StatusScheduled Status = "scheduled"
	StatusRunning   Status = "running"
	StatusActivated Status = "activated"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status in the order the queue page shows them.
var Statuses = []Status{
	StatusScheduled, StatusRunning, StatusActivated, StatusFailed, StatusCancelled,
}

// transitions holds every legal move. Scheduled may stay scheduled (a new
// time) or fail when no trigger could be armed. Running may go back to
// scheduled when an attempt failed for a reason that may pass (Okta rate limit,
// outage), so that the next delivery can claim it again, and may stay running
// when a worker takes over an expired claim.
var transitions = map[Status][]Status{
	StatusScheduled: {StatusRunning, StatusCancelled, StatusScheduled, StatusFailed},
	StatusRunning:   {StatusActivated, StatusFailed, StatusScheduled, StatusRunning},
}

// ParseStatus returns the status named s, or an input error for field "status".
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", &InputError{Field: "status", Message: fmt.Sprintf("unknown status %q", s)}
}

// Open reports whether a request in this status may still change.
func (s Status) Open() bool {
	return s == StatusScheduled || s == StatusRunning
}

// CanMoveTo reports whether a request may go from s to next.
func (s Status) CanMoveTo(next Status) bool {
	for _, allowed := range transitions[s] {
		if allowed == next {
			return true
		}
	}
	return false
}

// checkTransition returns a conflict error when the move from s to next is illegal.
func checkTransition(from, next Status) error {
	if from.CanMoveTo(next) {
		return nil
	}
	return fmt.Errorf("%w: the request is %s and cannot become %s", ErrConflict, from, next)
}
