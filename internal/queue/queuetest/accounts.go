package queuetest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/dayone/dayone/internal/queue"
)

// Accounts is a fake directory: users by login with an Okta status. It records
// every call. Activating moves a user to PROVISIONED, as Okta does for a user
// without a password. It is safe for concurrent use; set the hooks before use.
type Accounts struct {
	// FindHook, when set, runs first in FindUser; an error it returns is
	// returned as is.
	FindHook func(ctx context.Context, login string) error

	// ActivateHook, when set, runs first in Activate (after the call is
	// recorded); an error it returns is returned and nothing changes. A hook
	// may block to hold an activation in flight.
	ActivateHook func(ctx context.Context, userID string) error

	// NoLink makes an activation without email return no link.
	NoLink bool

	mu        sync.Mutex
	users     map[string]*queue.Account // by login key
	finds     []string
	activates []ActivateCall
}

var _ queue.Accounts = (*Accounts)(nil)

// ActivateCall is one recorded Activate call.
type ActivateCall struct {
	UserID    string
	Login     string
	SendEmail bool
}

// NewAccounts returns a directory without users.
func NewAccounts() *Accounts {
	return &Accounts{users: map[string]*queue.Account{}}
}

// AddUser adds a user with the given login and Okta status and returns it.
func (a *Accounts) AddUser(login, status string) queue.Account {
	a.mu.Lock()
	defer a.mu.Unlock()

	u := &queue.Account{ID: fmt.Sprintf("00u%04d", len(a.users)+1), Login: login, Status: status}
	a.users[queue.LoginKey(login)] = u
	return *u
}

// SetStatus changes the Okta status of a known user.
func (a *Accounts) SetStatus(login, status string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[queue.LoginKey(login)].Status = status
}

// Status returns the Okta status of the user, or "" for an unknown login.
func (a *Accounts) Status(login string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[queue.LoginKey(login)]; ok {
		return u.Status
	}
	return ""
}

// FindUser returns the user with the login, compared without case, or an error
// wrapping queue.ErrAccountNotFound.
func (a *Accounts) FindUser(ctx context.Context, login string) (queue.Account, error) {
	a.mu.Lock()
	a.finds = append(a.finds, login)
	a.mu.Unlock()

	if a.FindHook != nil {
		if err := a.FindHook(ctx, login); err != nil {
			return queue.Account{}, err
		}
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[queue.LoginKey(login)]
	if !ok {
		return queue.Account{}, fmt.Errorf("queuetest: %s: %w", login, queue.ErrAccountNotFound)
	}
	return *u, nil
}

// Activate records the call and moves the user to PROVISIONED. Without email
// it issues a link unless NoLink is set.
func (a *Accounts) Activate(ctx context.Context, userID string,
	sendEmail bool) (queue.Activation, error) {
	a.mu.Lock()
	u := a.byID(userID)
	call := ActivateCall{UserID: userID, SendEmail: sendEmail}
	if u != nil {
		call.Login = u.Login
	}
	a.activates = append(a.activates, call)
	a.mu.Unlock()

	if a.ActivateHook != nil {
		if err := a.ActivateHook(ctx, userID); err != nil {
			return queue.Activation{}, err
		}
	}
	if u == nil {
		return queue.Activation{}, fmt.Errorf("queuetest: no user has the id %s", userID)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	u.Status = "PROVISIONED"
	return queue.Activation{LinkIssued: !sendEmail && !a.NoLink}, nil
}

func (a *Accounts) byID(id string) *queue.Account {
	for _, u := range a.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// Finds returns the logins FindUser was called with, in order.
func (a *Accounts) Finds() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.finds...)
}

// Activations returns the recorded Activate calls, in order.
func (a *Accounts) Activations() []ActivateCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]ActivateCall(nil), a.activates...)
}

// ActivationsOf returns how many Activate calls were made for the login.
func (a *Accounts) ActivationsOf(login string) int {
	n := 0
	for _, c := range a.Activations() {
		if strings.EqualFold(c.Login, strings.TrimSpace(login)) {
			n++
		}
	}
	return n
}
