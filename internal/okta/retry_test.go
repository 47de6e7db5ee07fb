package okta_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
)

func TestServerErrorsAreRetried(t *testing.T) {
	srv, c := newSim(t)
	want := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)
	srv.FailNext(2, http.StatusServiceUnavailable)

	got, err := c.FindUser(context.Background(), want.Login)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID {
		t.Errorf("FindUser = %+v, want id %s", got, want.ID)
	}
	if s := statuses(srv.Calls()); !slices.Equal(s, []int{503, 503, 200}) {
		t.Errorf("call statuses = %v, want [503 503 200]", s)
	}
}

// A retried activate is answered by the second call.
func TestActivateIsRetriedAfterServerError(t *testing.T) {
	srv, c := newSim(t)
	u := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)
	srv.FailNext(1, http.StatusBadGateway)

	res, err := c.Activate(context.Background(), u.ID, false)
	if err != nil || !res.LinkIssued {
		t.Fatalf("Activate = %+v, %v; want a link", res, err)
	}
	if n := srv.ActivateCalls(u.Login); n != 2 {
		t.Errorf("%d activate calls, want 2", n)
	}
}

func TestServerErrorsExhausted(t *testing.T) {
	srv, c := newSim(t)
	c = newClient(t, okta.Config{OrgURL: srv.URL, Token: srv.Token, MaxAttempts: 3})
	srv.FailNext(10, http.StatusServiceUnavailable)

	_, err := c.FindUser(context.Background(), "ada.lovelace@example.com")
	e := asError(t, err)
	if e.Kind != okta.KindServer || !e.Temporary() || e.HTTPStatus != 503 {
		t.Errorf("error = %+v, want a temporary 503 server error", e)
	}
	if n := len(srv.Calls()); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestRateLimitWaitsForResetWithinDeadline(t *testing.T) {
	srv, c := newSim(t, oktasim.WithRateLimit(1, time.Second))
	srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)
	if _, err := c.FindUser(context.Background(), "ada.lovelace@example.com"); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.FindUser(ctx, "ada.lovelace@example.com"); err != nil {
		t.Fatalf("second FindUser: %v", err)
	}
	if s := statuses(srv.Calls()); !slices.Equal(s, []int{200, 429, 200}) {
		t.Errorf("call statuses = %v, want [200 429 200]", s)
	}
}

func TestRateLimitReturnsAtOnceWhenResetIsPastDeadline(t *testing.T) {
	srv, c := newSim(t, oktasim.WithRateLimit(1, 3*time.Second))
	srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)
	if _, err := c.FindUser(context.Background(), "ada.lovelace@example.com"); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.FindUser(ctx, "ada.lovelace@example.com")
	elapsed := time.Since(start)

	e := asError(t, err)
	if e.Kind != okta.KindRateLimited || !e.Temporary() || e.Code != "E0000047" {
		t.Fatalf("error = %+v, want rate limited E0000047", e)
	}
	if until := time.Until(e.ResetAt); until < time.Second {
		t.Errorf("ResetAt is %v away, want about 3s", until)
	}
	if elapsed > 500*time.Millisecond {
		t.Errorf("returned after %v, want at once", elapsed)
	}
	if n := len(srv.Calls()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

// Without a deadline, a reset more than a minute away is not waited for.
func TestRateLimitFarResetWithoutDeadline(t *testing.T) {
	srv, c := newSim(t)
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	srv.RespondNext(http.StatusTooManyRequests, http.Header{"X-Rate-Limit-Reset": {reset}},
		oktaError("E0000047", "API call exceeded rate limit due to too many requests."))

	start := time.Now()
	_, err := c.FindUser(context.Background(), "ada.lovelace@example.com")
	if !errors.Is(err, okta.ErrRateLimited) {
		t.Fatalf("FindUser = %v, want ErrRateLimited", err)
	}
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("returned after %v, want at once", elapsed)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestBackoffNeverSleepsPastDeadline(t *testing.T) {
	srv := oktasim.NewServer()
	defer srv.Close()
	c := newClient(t, okta.Config{OrgURL: srv.URL, Token: srv.Token,
		MinBackoff: 10 * time.Second, MaxBackoff: 10 * time.Second})
	srv.FailNext(5, http.StatusInternalServerError)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.FindUser(ctx, "ada.lovelace@example.com")

	if !errors.Is(err, okta.ErrServer) {
		t.Fatalf("FindUser = %v, want ErrServer", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("returned after %v, want at once", elapsed)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestCancelStopsRetries(t *testing.T) {
	srv := oktasim.NewServer()
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newClient(t, okta.Config{OrgURL: srv.URL, Token: srv.Token,
		HTTPClient: &http.Client{Transport: cancelAfterFirst{cancel}},
		MinBackoff: time.Minute, MaxBackoff: time.Minute})
	srv.FailNext(5, http.StatusServiceUnavailable)

	start := time.Now()
	_, err := c.FindUser(ctx, "ada.lovelace@example.com")

	if !errors.Is(err, context.Canceled) || !errors.Is(err, okta.ErrServer) {
		t.Errorf("FindUser = %v, want context.Canceled after a server error", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("returned after %v, want at once", elapsed)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestDeadlineStopsASlowCall(t *testing.T) {
	srv, c := newSim(t)
	srv.SetDelay(time.Minute)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.FindUser(ctx, "ada.lovelace@example.com")

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FindUser = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("returned after %v", elapsed)
	}
}
