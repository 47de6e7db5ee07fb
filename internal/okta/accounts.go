package okta

import (
	"context"
	"errors"
	"fmt"

	"github.com/dayone/dayone/internal/queue"
)

// Accounts adapts a Client to the queue's Accounts port.
type Accounts struct {
	Client *Client
}

var _ queue.Accounts = (*Accounts)(nil)

// Accounts returns the client as the queue's Accounts port.
func (c *Client) Accounts() *Accounts { return &Accounts{Client: c} }

// FindUser looks the login up. Errors wrap queue.ErrAccountNotFound when no
// user has exactly that login and queue.ErrTemporary when the failure may
// pass (rate limit, outage, network); both also wrap the *Error.
func (a *Accounts) FindUser(ctx context.Context, login string) (queue.Account, error) {
	u, err := a.Client.FindUser(ctx, login)
	if err != nil {
		return queue.Account{}, portError(err)
	}
	return queue.Account{ID: u.ID, Login: u.Login, Status: u.Status}, nil
}

// Activate activates the user. A missing activation link is not an error
// here but Activation{LinkIssued: false}: Okta did activate, and the queue
// records that nobody can finish it. Other errors are mapped as in FindUser;
// an already active user (E0000016) comes back as the *Error itself
// (ErrAlreadyActive), which is permanent.
func (a *Accounts) Activate(ctx context.Context, userID string,
	sendEmail bool) (queue.Activation, error) {
	res, err := a.Client.Activate(ctx, userID, sendEmail)
	if errors.Is(err, ErrNoLink) {
		return queue.Activation{LinkIssued: false}, nil
	}
	if err != nil {
		return queue.Activation{}, portError(err)
	}
	return queue.Activation{LinkIssued: res.LinkIssued}, nil
}

// portError adds the queue's sentinels to err.
func portError(err error) error {
	var e *Error
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w: %w", queue.ErrAccountNotFound, err)
	case errors.As(err, &e) && e.Temporary():
		return fmt.Errorf("%w: %w", queue.ErrTemporary, err)
	case errors.Is(err, context.DeadlineExceeded):
		// The caller's time ran out; a later attempt may well succeed.
		return fmt.Errorf("%w: %w", queue.ErrTemporary, err)
	}
	return err
}
