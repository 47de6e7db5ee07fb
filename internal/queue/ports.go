package queue

import (
	"context"
	"time"
)

// Store keeps requests. Implementations: the embedded bbolt store and DynamoDB.
// Every implementation passes the same contract tests (queuetest.RunStoreContract).
type Store interface {
	// Create saves a new request. It fails with an *OpenRequestError when
	// another open request exists for the same LoginKey, and saves nothing then.
	Create(ctx context.Context, r *Request) error

	// Get returns the request with the given id, or ErrNotFound.
	Get(ctx context.Context, id string) (*Request, error)

	// Update saves r if the stored copy still has status from and version
	// r.Version; it then increments r.Version. Otherwise it returns ErrConflict
	// (or ErrNotFound) and saves nothing. When r leaves the open statuses, its
	// login becomes free for a new request.
	Update(ctx context.Context, r *Request, from Status) error

	// List returns requests in due order (then id), filtered by status when
	// q.Status is set, one page at a time.
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ListQuery selects a page of requests.
type ListQuery struct {
	Status Status // empty: every status
	Cursor string // opaque, from a previous Page; empty: the first page
	Limit  int    // at most this many; 0 or less: DefaultPageSize
}

// DefaultPageSize is the page size when a query names none.
const DefaultPageSize = 50

// MaxPageSize is the largest page a query may ask for.
const MaxPageSize = 500

// Page is one page of a listing. NextCursor is empty on the last page.
type Page struct {
	Requests   []*Request
	NextCursor string
}

// Scheduler arms a one-time trigger that calls Service.Fire(id) at r.DueAt,
// or at the time of a retry. Implementations: the in-process timers and
// EventBridge Scheduler.
type Scheduler interface {
	// Schedule arms the trigger for a new request. Calling it again for the
	// same request and time is not an error.
	Schedule(ctx context.Context, r *Request) error

	// Reschedule moves the existing trigger of r to r's new time and zone.
	Reschedule(ctx context.Context, r *Request) error

	// Cancel disarms the trigger of the request id; a trigger already gone
	// (fired or never armed) is not an error.
	Cancel(ctx context.Context, id string) error

	// Retry arms a one-off trigger at at for a request whose attempt failed
	// for a reason that may pass; r is scheduled again meanwhile, with its
	// due time unchanged and its RetryAt set to at. Calling it again replaces the earlier retry
	// trigger. An error means no retry is armed: Service.Fire then returns
	// an error wrapping ErrTemporary, so that the platform's own retry of
	// the delivery is the fallback.
	Retry(ctx context.Context, r *Request, at time.Time) error
}

// Runner fires a request now and waits for the outcome: in the same process
// (the default) or in the worker Lambda.
type Runner interface {
	Run(ctx context.Context, id string) error
}

// Account is a user in the directory (Okta), as far as activation cares.
type Account struct {
	ID     string
	Login  string
	Status string // Okta's user status: STAGED, PROVISIONED, ACTIVE, …
}

// Activation is what the directory says after an activate call.
type Activation struct {
	// LinkIssued is true when the directory returned an activation link
	// instead of sending an email. dayone never keeps the link itself.
	LinkIssued bool
}

// Accounts is the directory as the worker needs it. Errors: ErrAccountNotFound
// for an unknown login; errors wrapping ErrTemporary for failures worth
// retrying; anything else is permanent and its message is safe to show.
type Accounts interface {
	FindUser(ctx context.Context, login string) (Account, error)
	Activate(ctx context.Context, userID string, sendEmail bool) (Activation, error)
}

// Clock tells the time; tests set their own.
type Clock func() time.Time
