package okta_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
)

// newSim starts a simulated org and a client for it with short backoffs.
func newSim(t *testing.T, opts ...oktasim.Option) (*oktasim.Server, *okta.Client) {
	t.Helper()
	srv := oktasim.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, newClient(t, okta.Config{OrgURL: srv.URL, Token: srv.Token})
}

// newClient fills in short backoffs and builds the client.
func newClient(t *testing.T, cfg okta.Config) *okta.Client {
	t.Helper()
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
	}
	c, err := okta.New(cfg)
	if err != nil {
		t.Fatalf("okta.New: %v", err)
	}
	return c
}

// asError returns err as an *okta.Error, failing the test otherwise.
func asError(t *testing.T, err error) *okta.Error {
	t.Helper()
	var e *okta.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *okta.Error", err, err)
	}
	return e
}

// statuses returns the answer status of each call, oldest first.
func statuses(calls []oktasim.Call) []int {
	out := make([]int, len(calls))
	for i, c := range calls {
		out[i] = c.Status
	}
	return out
}

// oktaError renders an Okta error object.
func oktaError(code, summary string) string {
	return `{"errorCode":"` + code + `","errorSummary":"` + summary + `","errorLink":"` +
		code + `","errorId":"oaeTEST","errorCauses":[]}`
}

// mustNotContain fails when the error's text contains any of secrets.
func mustNotContain(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text %q contains a secret", err.Error())
		}
	}
}

// cancelAfterFirst is a transport that cancels a context once the first
// answer has come back.
type cancelAfterFirst struct {
	cancel func()
}

func (c cancelAfterFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	c.cancel()
	return resp, err
}
