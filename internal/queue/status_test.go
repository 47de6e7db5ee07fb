package queue

import (
	"errors"
	"testing"
)

// legalMoves is the documented state machine, written out independently of
// the transitions table.
var legalMoves = map[[2]Status]bool{
	{StatusScheduled, StatusRunning}:   true, // a delivery claims it
	{StatusScheduled, StatusCancelled}: true, // a person cancels it
	{StatusScheduled, StatusScheduled}: true, // a new time
	{StatusScheduled, StatusFailed}:    true, // no trigger could be armed
	{StatusRunning, StatusActivated}:   true,
	{StatusRunning, StatusFailed}:      true,
	{StatusRunning, StatusScheduled}:   true, // a temporary failure, retried later
	{StatusRunning, StatusRunning}:     true, // an expired claim taken over
}

func TestEveryTransition(t *testing.T) {
	for _, from := range Statuses {
		for _, next := range Statuses {
			want := legalMoves[[2]Status{from, next}]
			if got := from.CanMoveTo(next); got != want {
				t.Errorf("%s.CanMoveTo(%s) = %t, want %t", from, next, got, want)
			}

			err := checkTransition(from, next)
			switch {
			case want && err != nil:
				t.Errorf("checkTransition(%s, %s) = %v, want nil", from, next, err)
			case !want && !errors.Is(err, ErrConflict):
				t.Errorf("checkTransition(%s, %s) = %v, want ErrConflict", from, next, err)
			}
		}
	}
}

func TestOpenStatuses(t *testing.T) {
	for _, s := range Statuses {
		want := s == StatusScheduled || s == StatusRunning
		if s.Open() != want {
			t.Errorf("%s.Open() = %t, want %t", s, s.Open(), want)
		}
		// Only an open request may change at all.
		for _, next := range Statuses {
			if !s.Open() && s.CanMoveTo(next) {
				t.Errorf("final %s may move to %s", s, next)
			}
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		if got, err := ParseStatus(string(s)); got != s || err != nil {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "Scheduled", "done", "activated "} {
		_, err := ParseStatus(bad)
		var input *InputError
		if !errors.As(err, &input) || input.Field != "status" {
			t.Errorf("ParseStatus(%q): err = %v, want an input error for status", bad, err)
		}
	}
}
