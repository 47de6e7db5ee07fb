package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
)

// C4: sendEmail=false is sent explicitly and the link is only noted.
func TestActivateWithoutEmail(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)

	res, err := c.Activate(context.Background(), u.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.LinkIssued {
		t.Error("LinkIssued = false, want true")
	}

	calls := srv.Calls()
	wantPath := "/api/v1/users/" + u.ID + "/lifecycle/activate"
	if len(calls) != 1 || calls[0].Path != wantPath || calls[0].Query != "sendEmail=false" {
		t.Fatalf("calls = %+v, want one POST %s?sendEmail=false", calls, wantPath)
	}
	if got, _ := srv.User(u.Login); got.Status != oktasim.StatusProvisioned {
		t.Errorf("status = %s, want PROVISIONED", got.Status)
	}
	if n := len(srv.Emails()); n != 0 {
		t.Errorf("%d emails sent, want none", n)
	}

	token, ok := srv.ActivationToken(u.Login)
	if !ok || strings.Contains(fmt.Sprintf("%#v %+v", res, res), token) {
		t.Errorf("the result shows the activation token (issued: %v)", ok)
	}
}

func TestActivateWithEmail(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("grace.hopper@example.com", oktasim.StatusStaged)

	res, err := c.Activate(context.Background(), u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.LinkIssued {
		t.Error("LinkIssued = true, want false")
	}
	if q := srv.Calls()[0].Query; q != "sendEmail=true" {
		t.Errorf("query = %q, want sendEmail=true", q)
	}
	emails := srv.Emails()
	if len(emails) != 1 || emails[0].Login != u.Login || emails[0].Kind != "activation" {
		t.Errorf("emails = %+v, want one activation email to %s", emails, u.Login)
	}
}

func TestActivateMissingLinkIsAnError(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("alan.turing@example.com", oktasim.StatusStaged)
	srv.OmitActivationLink(true)

	_, err := c.Activate(context.Background(), u.ID, false)
	e := asError(t, err)
	if e.Kind != okta.KindNoLink || !errors.Is(err, okta.ErrNoLink) || e.Temporary() {
		t.Errorf("error = %+v, want a permanent KindNoLink", e)
	}
	want := "okta: activation returned no activation link; nobody can finish the activation"
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

// Whatever the answer, an error never repeats the link or the token.
func TestActivateErrorsNeverShowTheLink(t *testing.T) {
	const secret = "XE6wE17zmphl3KqAPFxO"
	link := `"activationUrl":"https://acme.okta.com/welcome/` + secret + `"`
	bodies := []string{
		`{` + link + `,"activationToken":"` + secret + `"`, // cut short
		`{` + link + `,"activationToken":` + secret + `}`,  // not JSON
		`{"activationUrl":7,"activationToken":"` + secret + `"}`,
		`["` + secret + `"]`,
	}
	for _, body := range bodies {
		srv, c := newSim(t)
		srv.RespondNext(http.StatusOK, nil, body)

		_, err := c.Activate(context.Background(), "00u1", false)
		if err == nil {
			t.Errorf("Activate with answer %s succeeded", body)
		}
		mustNotContain(t, err, secret)
	}
}

func TestActivateDeprovisionedUser(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("old.timer@example.com", oktasim.StatusDeprovisioned)

	if _, err := c.Activate(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.User(u.Login); got.Status != oktasim.StatusProvisioned {
		t.Errorf("status = %s, want PROVISIONED", got.Status)
	}
}

func TestReactivate(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("dorothy.vaughan@example.com", oktasim.StatusProvisioned)

	if err := c.Reactivate(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	call := srv.Calls()[0]
	wantPath := "/api/v1/users/" + u.ID + "/lifecycle/reactivate"
	if call.Path != wantPath || call.Query != "sendEmail=true" {
		t.Errorf("call = %+v", call)
	}
	emails := srv.Emails()
	if len(emails) != 1 || emails[0].Kind != "reactivation" {
		t.Errorf("emails = %+v, want one reactivation email", emails)
	}
}

func TestReactivateNeedsProvisionedUser(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)

	err := c.Reactivate(context.Background(), u.ID, true)
	e := asError(t, err)
	if e.Kind != okta.KindBadRequest || e.Code != "E0000038" || e.HTTPStatus != 403 {
		t.Errorf("error = %+v, want a 403 E0000038 bad request", e)
	}
	if !strings.Contains(err.Error(), "not allowed in the user's current status") {
		t.Errorf("message %q does not say why", err)
	}
}
