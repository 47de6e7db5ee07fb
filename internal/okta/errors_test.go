package okta_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
)

func TestNotFound(t *testing.T) {
	srv, c := newSim(t)

	_, err := c.FindUser(context.Background(), "nobody@example.com")
	e := asError(t, err)
	if e.Kind != okta.KindNotFound || e.HTTPStatus != 404 || e.Code != "E0000007" {
		t.Errorf("error = %+v, want not found, 404, E0000007", e)
	}
	if !errors.Is(err, okta.ErrNotFound) || e.Temporary() || e.RequestID == "" {
		t.Errorf("error %v: want ErrNotFound, not temporary, with a request id", err)
	}
	if !strings.HasPrefix(err.Error(), "okta: user not found") {
		t.Errorf("message %q", err)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1 (a 404 is not retried)", n)
	}
}

func TestActivateActiveUserIsAlreadyActive(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("margaret.hamilton@example.com", oktasim.StatusActive)

	_, err := c.Activate(context.Background(), u.ID, true)
	e := asError(t, err)
	if e.Kind != okta.KindAlreadyActive || e.Code != "E0000016" || e.HTTPStatus != 403 {
		t.Errorf("error = %+v, want already active, 403, E0000016", e)
	}
	if !errors.Is(err, okta.ErrAlreadyActive) || errors.Is(err, okta.ErrNotFound) {
		t.Errorf("errors.Is mismatch for %v", err)
	}
	if n := srv.ActivateCalls(u.Login); n != 1 {
		t.Errorf("%d activate calls, want 1", n)
	}
}

// C5a: a wrong token is named as such.
func TestInvalidToken(t *testing.T) {
	srv := oktasim.NewServer()
	defer srv.Close()
	c := newClient(t, okta.Config{OrgURL: srv.URL, Token: secretToken})

	_, err := c.FindUser(context.Background(), "ada.lovelace@example.com")
	e := asError(t, err)
	if e.Kind != okta.KindInvalidToken || e.Code != "E0000011" || e.HTTPStatus != 401 {
		t.Errorf("error = %+v, want invalid token, 401, E0000011", e)
	}
	if !strings.Contains(err.Error(), "invalid API token") || errors.Is(err, okta.ErrNotFound) {
		t.Errorf("message %q should name the invalid API token", err)
	}
	mustNotContain(t, err, secretToken, srv.Token)
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

// C5b: a 401 or 403 with an empty body and insufficient_scope.
func TestMissingScope(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		srv, c := newSim(t)
		h := http.Header{"Www-Authenticate": {`Bearer authorization_uri="http://x", ` +
			`error="insufficient_scope", error_description="The access token ` +
			`provided does not contain the required scopes."`}}
		srv.RespondNext(status, h, "")

		_, err := c.FindUser(context.Background(), "ada.lovelace@example.com")
		e := asError(t, err)
		if e.Kind != okta.KindMissingScope || !errors.Is(err, okta.ErrMissingScope) {
			t.Errorf("%d: error = %+v, want missing scope", status, e)
		}
		if !strings.Contains(err.Error(), "okta.users.manage") {
			t.Errorf("%d: message %q does not name okta.users.manage", status, err)
		}
		if errors.Is(err, okta.ErrNotFound) || e.Temporary() {
			t.Errorf("%d: %v must be neither not found nor temporary", status, err)
		}
		if n := len(srv.Calls()); n != 1 {
			t.Errorf("%d: %d calls, want 1", status, n)
		}
	}
}

// C5c: the token's admin may not manage the user.
func TestNoPermission(t *testing.T) {
	srv, c := newSim(t)
	srv.RespondNext(http.StatusForbidden, nil,
		oktaError("E0000006", "You do not have permission to perform the requested action"))

	_, err := c.Activate(context.Background(), "00u1", false)
	e := asError(t, err)
	if e.Kind != okta.KindNoPermission || !errors.Is(err, okta.ErrNoPermission) {
		t.Errorf("error = %+v, want no permission", e)
	}
	if !strings.Contains(err.Error(), "admin permission") || errors.Is(err, okta.ErrNotFound) {
		t.Errorf("message %q should name the missing admin permission", err)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestBadRequestShowsOktasSummaryAndCauses(t *testing.T) {
	srv, c := newSim(t)
	srv.RespondNext(http.StatusBadRequest, nil, `{"errorCode":"E0000001",`+
		`"errorSummary":"Api validation failed: login","errorId":"oae1",`+
		`"errorCauses":[{"errorSummary":"login: Username must be an email"}]}`)

	_, err := c.FindUser(context.Background(), "ada@example.com")
	e := asError(t, err)
	if e.Kind != okta.KindBadRequest || e.Temporary() {
		t.Errorf("error = %+v, want a permanent bad request", e)
	}
	want := "okta: request rejected by Okta: Api validation failed: login " +
		"(login: Username must be an email) (HTTP 400 E0000001, request id "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message\n %q\nwant prefix\n %q", err, want)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestNetworkErrorIsTemporary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	c := newClient(t, okta.Config{OrgURL: url, Token: secretToken, MaxAttempts: 2})

	_, err = c.FindUser(context.Background(), "ada@example.com")
	e := asError(t, err)
	if e.Kind != okta.KindNetwork || !e.Temporary() || !errors.Is(err, okta.ErrNetwork) {
		t.Errorf("error = %+v, want a temporary network error", e)
	}
	mustNotContain(t, err, secretToken)
}

func TestKindNames(t *testing.T) {
	if got := okta.KindMissingScope.String(); got != "missing_scope" {
		t.Errorf("KindMissingScope.String() = %q", got)
	}
	if got := okta.Kind(99).String(); got != "Kind(99)" {
		t.Errorf("Kind(99).String() = %q", got)
	}
}
