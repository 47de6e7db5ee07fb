package queue

import (
	"time"
)

// Request is one planned activation of one user's account.
//
// The wall clock (Start) and the zone are the source of truth; DueAt is derived
// from them and kept so that stores can order requests in time.
type Request struct {
	ID        string    `json:"id"`
	Login     string    `json:"login"`
	LoginKey  string    `json:"-"`
	TimeZone  string    `json:"timezone"`
	Start     string    `json:"start"`
	Offset    string    `json:"offset,omitempty"`
	DueAt     time.Time `json:"due_at"`
	SendEmail bool      `json:"send_email"`
	Status    Status    `json:"status"`
	Result    string    `json:"result"`
	Attempts  int       `json:"attempts"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	History   []Event   `json:"history"`

	// RetryAt is when the retry armed after a failed attempt is due; zero when
	// no retry is pending. DueAt stays the time the person chose.
	RetryAt time.Time `json:"retry_at,omitzero"`

	// ClaimedAt is when the current attempt took the request; a running request
	// whose claim is older than the service's lease may be taken over.
	ClaimedAt time.Time `json:"-"`

	// Version counts the writes; stores use it for conditional updates.
	Version int64 `json:"-"`
}

// Event is one line of a request's history.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Event  string    `json:"event"`
	Detail string    `json:"detail,omitempty"`
}

// The history events a request records.
const (
	EventScheduled   = "scheduled"
	EventRescheduled = "rescheduled"
	EventCancelled   = "cancelled"
	EventClaimed     = "claimed"
	EventActivated   = "activated"
	EventFailed      = "failed"
	EventRetry       = "retry"
	EventResumed     = "resumed"
)

// Clone returns a deep copy, so that a caller may change it freely.
func (r *Request) Clone() *Request {
	c := *r
	c.History = append([]Event(nil), r.History...)
	return &c
}

// NextTry is when r's trigger should fire: its due time or, when a retry is
// pending, the retry time if that is later.
func (r *Request) NextTry() time.Time {
	if r.RetryAt.After(r.DueAt) {
		return r.RetryAt
	}
	return r.DueAt
}

// record appends an event and stamps the request as updated.
func (r *Request) record(at time.Time, actor, event, detail string) {
	r.History = append(r.History, Event{At: at, Actor: actor, Event: event, Detail: detail})
	r.UpdatedAt = at
}
