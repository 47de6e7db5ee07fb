package okta_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

func TestAccountsFindUser(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("katherine.johnson@example.com", oktasim.StatusLockedOut)

	got, err := c.Accounts().FindUser(context.Background(), u.Login)
	if err != nil {
		t.Fatal(err)
	}
	want := queue.Account{ID: u.ID, Login: u.Login, Status: "LOCKED_OUT"}
	if got != want {
		t.Errorf("FindUser = %+v, want %+v", got, want)
	}
}

func TestAccountsNotFound(t *testing.T) {
	_, c := newSim(t)

	_, err := c.Accounts().FindUser(context.Background(), "nobody@example.com")
	if !errors.Is(err, queue.ErrAccountNotFound) || !errors.Is(err, okta.ErrNotFound) {
		t.Errorf("FindUser = %v, want queue.ErrAccountNotFound and okta.ErrNotFound", err)
	}
	if errors.Is(err, queue.ErrTemporary) {
		t.Errorf("FindUser = %v, a missing user is not temporary", err)
	}
}

func TestAccountsOutageIsTemporary(t *testing.T) {
	srv, c := newSim(t)
	srv.FailNext(10, http.StatusServiceUnavailable)

	_, err := c.Accounts().FindUser(context.Background(), "ada.lovelace@example.com")
	if !errors.Is(err, queue.ErrTemporary) || !errors.Is(err, okta.ErrServer) {
		t.Errorf("FindUser = %v, want queue.ErrTemporary and okta.ErrServer", err)
	}
	if errors.Is(err, queue.ErrAccountNotFound) {
		t.Errorf("FindUser = %v, an outage is not a missing user", err)
	}
}

func TestAccountsActivate(t *testing.T) {
	srv, c := newSim(t)
	staged := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)
	active := srv.AddUser("margaret.hamilton@example.com", oktasim.StatusActive)
	accounts := c.Accounts()

	got, err := accounts.Activate(context.Background(), staged.ID, false)
	if err != nil || !got.LinkIssued {
		t.Errorf("Activate(staged) = %+v, %v; want a link", got, err)
	}

	_, err = accounts.Activate(context.Background(), active.ID, true)
	if !errors.Is(err, okta.ErrAlreadyActive) {
		t.Errorf("Activate(active) = %v, want okta.ErrAlreadyActive", err)
	}
	if errors.Is(err, queue.ErrTemporary) || errors.Is(err, queue.ErrAccountNotFound) {
		t.Errorf("Activate(active) = %v, want a permanent error", err)
	}
}

// Neither the client's token nor the org's shows in any error.
func TestAccountsErrorsNeverShowTheToken(t *testing.T) {
	srv, c := newSim(t)
	staged := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)
	wrong := newClient(t, okta.Config{OrgURL: srv.URL, Token: secretToken}).Accounts()
	accounts := c.Accounts()
	ctx := context.Background()
	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }

	collect(wrong.FindUser(ctx, staged.Login))
	collect(wrong.Activate(ctx, staged.ID, false))
	collect(accounts.FindUser(ctx, "nobody@example.com"))
	srv.FailNext(10, http.StatusServiceUnavailable)
	collect(accounts.FindUser(ctx, staged.Login))
	srv.ClearFaults()
	srv.RespondNext(http.StatusUnauthorized,
		http.Header{"Www-Authenticate": {`Bearer error="insufficient_scope"`}}, "")
	collect(accounts.Activate(ctx, staged.ID, false)) // the missing scope
	collect(accounts.Activate(ctx, staged.ID, false)) // succeeds
	collect(accounts.Activate(ctx, staged.ID, false)) // already active

	for i, err := range errs {
		if i != 5 && err == nil {
			t.Errorf("call %d succeeded, want an error", i)
		}
		mustNotContain(t, err, secretToken, srv.Token)
	}
}

// C4 through the whole path: Okta activates without email but returns no
// link. The queue must record a failure, not "activated" or "email sent".
func TestAMissingActivationLinkFailsTheRequest(t *testing.T) {
	srv, c := newSim(t)
	srv.AddUser("noemail@example.com", oktasim.StatusStaged)
	srv.OmitActivationLink(true)
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "dayone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := queue.NewService(store, &queuetest.Scheduler{}, c.Accounts(), queue.Config{})

	r, err := svc.ActivateNow(context.Background(), queue.ActivateInput{
		Login: "noemail@example.com", SendEmail: false, Actor: "helpdesk"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != queue.StatusFailed || !strings.Contains(r.Result, "no activation link") {
		t.Errorf("request %s: %q; want failed, naming the missing link", r.Status, r.Result)
	}
	if n := srv.ActivateCalls("noemail@example.com"); n != 1 {
		t.Errorf("%d activate calls, want 1", n)
	}
}
