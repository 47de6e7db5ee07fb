package oktasim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/okta/oktasim"
)

// answer is a decoded response of the simulator.
type answer struct {
	status int
	header http.Header
	body   string
}

// errorCode returns the errorCode of an Okta error object in the body.
func (a answer) errorCode(t *testing.T) string {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(a.body), &raw); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", a.body, err)
	}
	for _, key := range []string{"errorCode", "errorSummary", "errorLink", "errorId",
		"errorCauses"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("error body %s has no %s", a.body, key)
		}
	}
	var code string
	_ = json.Unmarshal(raw["errorCode"], &code)
	return code
}

func newServer(t *testing.T, opts ...oktasim.Option) *oktasim.Server {
	t.Helper()
	srv := oktasim.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// send sends a request with the server's token; target is the raw path
// and query, sent as written.
func send(t *testing.T, srv *oktasim.Server, method, target string) answer {
	t.Helper()
	return sendAs(t, srv, method, target, "SSWS "+srv.Token)
}

func sendAs(t *testing.T, srv *oktasim.Server, method, target, auth string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func TestServerListensOnLoopback(t *testing.T) {
	srv := newServer(t)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %s, want http://127.0.0.1:port", srv.URL)
	}
	if other := oktasim.New(); len(srv.Token) < 40 || srv.Token == other.Token() {
		t.Errorf("token %d characters long or not random", len(srv.Token))
	}
}

func TestTokenIsChecked(t *testing.T) {
	srv := newServer(t)
	for _, auth := range []string{"", "SSWS wrong", "Bearer " + srv.Token, srv.Token} {
		a := sendAs(t, srv, http.MethodGet, "/api/v1/users", auth)
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "E0000011" {
			t.Errorf("auth %q: %d %s, want 401 E0000011", auth, a.status, a.body)
		}
		if !strings.Contains(a.body, "Invalid token provided") {
			t.Errorf("auth %q: body %s", auth, a.body)
		}
	}
}

func TestEveryAnswerHasRateLimitAndRequestHeaders(t *testing.T) {
	srv := newServer(t)
	for _, a := range []answer{
		send(t, srv, http.MethodGet, "/api/v1/users"),
		send(t, srv, http.MethodGet, "/api/v1/users/nobody@example.com"),
		sendAs(t, srv, http.MethodGet, "/api/v1/users", ""),
	} {
		for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining",
			"X-Rate-Limit-Reset", "X-Okta-Request-Id"} {
			if a.header.Get(h) == "" {
				t.Errorf("%d answer without %s", a.status, h)
			}
		}
	}
}

func TestGetUserByIDLoginOrShortName(t *testing.T) {
	srv := newServer(t)
	u := srv.AddUser("Ada.Lovelace@example.com", oktasim.StatusStaged)
	for _, key := range []string{u.ID, "ada.lovelace@EXAMPLE.com", "ada.lovelace"} {
		a := send(t, srv, http.MethodGet, "/api/v1/users/"+key)
		var got struct {
			ID      string
			Status  string
			Profile struct{ Login, Email, FirstName, LastName string }
		}
		if err := json.Unmarshal([]byte(a.body), &got); err != nil || a.status != 200 {
			t.Fatalf("GET %s: %d %s", key, a.status, a.body)
		}
		if got.ID != u.ID || got.Status != "STAGED" || got.Profile.Login != u.Login ||
			got.Profile.FirstName != "Ada" {
			t.Errorf("GET %s = %+v", key, got)
		}
	}
	if len(u.ID) != 20 || !strings.HasPrefix(u.ID, "00u") {
		t.Errorf("id %q is not Okta-like", u.ID)
	}
}

func TestGetUserDecodesThePathSegment(t *testing.T) {
	srv := newServer(t)
	plus := srv.AddUser("anna.test+hr@example.com", oktasim.StatusStaged)
	space := srv.AddUser("anna.test hr@example.com", oktasim.StatusStaged)
	tests := map[string]string{
		"/api/v1/users/anna.test%2Bhr@example.com": plus.ID,
		"/api/v1/users/anna.test+hr@example.com":   plus.ID,
		"/api/v1/users/anna.test%20hr@example.com": space.ID,
	}
	for path, wantID := range tests {
		a := send(t, srv, http.MethodGet, path)
		if a.status != 200 || !strings.Contains(a.body, `"id":"`+wantID+`"`) {
			t.Errorf("GET %s: %d %s, want user %s", path, a.status, a.body, wantID)
		}
	}
}

func TestGetUserNotFound(t *testing.T) {
	srv := newServer(t)
	a := send(t, srv, http.MethodGet, "/api/v1/users/nobody@example.com")
	if a.status != 404 || a.errorCode(t) != "E0000007" ||
		!strings.Contains(a.body, "Not found: Resource not found: nobody@example.com (User)") {
		t.Errorf("got %d %s, want 404 E0000007", a.status, a.body)
	}
}

func TestLoginWithSlashCannotBeRouted(t *testing.T) {
	srv := newServer(t)
	srv.AddUser("m.keller/ext@example.com", oktasim.StatusStaged)
	for _, path := range []string{
		"/api/v1/users/m.keller%2Fext@example.com",
		"/api/v1/users/m.keller%2fext@example.com",
		"/api/v1/users/m.keller/ext@example.com",
	} {
		a := send(t, srv, http.MethodGet, path)
		if a.status != http.StatusMethodNotAllowed || a.errorCode(t) != "E0000022" {
			t.Errorf("GET %s: %d %s, want 405 E0000022", path, a.status, a.body)
		}
	}
}

func TestWrongMethodIs405(t *testing.T) {
	srv := newServer(t)
	u := srv.AddUser("ada@example.com", oktasim.StatusStaged)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodDelete, "/api/v1/users/" + u.ID, "GET"},
		{http.MethodPost, "/api/v1/users", "GET"},
		{http.MethodGet, "/api/v1/users/" + u.ID + "/lifecycle/activate", "POST"},
	} {
		a := send(t, srv, c.method, c.path)
		if a.status != 405 || a.errorCode(t) != "E0000022" || a.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d %s (Allow %q)", c.method, c.path, a.status, a.body,
				a.header.Get("Allow"))
		}
	}
	if got, _ := srv.User("ada@example.com"); got.Status != oktasim.StatusStaged {
		t.Errorf("status changed to %s by a GET", got.Status)
	}
}

func TestListWithFilterOrSearch(t *testing.T) {
	srv := newServer(t)
	want := srv.AddUser(`we"ird\name/x@example.com`, oktasim.StatusStaged)
	srv.AddUser(`we"ird\name/x2@example.com`, oktasim.StatusStaged)
	expr := `profile.login eq "WE\"ird\\name/x@example.com"`

	for _, param := range []string{"filter", "search"} {
		a := send(t, srv, http.MethodGet, "/api/v1/users?"+param+"="+escapeQuery(expr))
		var got []struct{ ID string }
		if err := json.Unmarshal([]byte(a.body), &got); err != nil || a.status != 200 {
			t.Fatalf("%s: %d %s", param, a.status, a.body)
		}
		if len(got) != 1 || got[0].ID != want.ID {
			t.Errorf("%s = %s, want only %s", param, a.body, want.ID)
		}
	}
}

func TestListWithBadFilter(t *testing.T) {
	srv := newServer(t)
	for _, expr := range []string{
		`profile.login eq ada@example.com`,
		`profile.login eq "ada@example.com`,
		`profile.login sw "ada"`,
		`profile.nickname eq "ada"`,
		`profile.login eq "a" and status eq "ACTIVE"`,
		`profile.login eq "a\b"`,
	} {
		a := send(t, srv, http.MethodGet, "/api/v1/users?filter="+escapeQuery(expr))
		if a.status != 400 || a.errorCode(t) != "E0000031" ||
			!strings.Contains(a.body, "Invalid search criteria.") {
			t.Errorf("filter %s: %d %s, want 400 E0000031", expr, a.status, a.body)
		}
	}
}

func TestActivateAnswers(t *testing.T) {
	srv := newServer(t)
	staged := srv.AddUser("ada@example.com", oktasim.StatusStaged)
	mailed := srv.AddUser("grace@example.com", oktasim.StatusStaged)
	active := srv.AddUser("alan@example.com", oktasim.StatusActive)

	a := send(t, srv, http.MethodPost, "/api/v1/users/"+staged.ID+
		"/lifecycle/activate?sendEmail=false")
	token, _ := srv.ActivationToken(staged.Login)
	var link struct{ ActivationURL, ActivationToken string }
	_ = json.Unmarshal([]byte(a.body), &link)
	host := strings.TrimPrefix(srv.URL, "http://")
	if a.status != 200 || token == "" || link.ActivationToken != token ||
		link.ActivationURL != "https://"+host+"/welcome/"+token {
		t.Errorf("activate without email: %d %s", a.status, a.body)
	}

	a = send(t, srv, http.MethodPost, "/api/v1/users/"+mailed.ID+"/lifecycle/activate")
	if a.status != 200 || a.body != "{}" || len(srv.Emails()) != 1 {
		t.Errorf("activate with the default sendEmail: %d %s, emails %v",
			a.status, a.body, srv.Emails())
	}

	a = send(t, srv, http.MethodPost, "/api/v1/users/"+active.ID+"/lifecycle/activate")
	if a.status != 403 || a.errorCode(t) != "E0000016" {
		t.Errorf("activate an active user: %d %s", a.status, a.body)
	}
	a = send(t, srv, http.MethodPost, "/api/v1/users/00uNOBODY/lifecycle/activate")
	if a.status != 404 || a.errorCode(t) != "E0000007" {
		t.Errorf("activate an unknown user: %d %s", a.status, a.body)
	}
	if n := srv.ActivateCalls(staged.Login); n != 1 {
		t.Errorf("ActivateCalls = %d, want 1", n)
	}
}

func TestReactivateNeedsProvisioned(t *testing.T) {
	srv := newServer(t)
	u := srv.AddUser("ada@example.com", oktasim.StatusActive)
	a := send(t, srv, http.MethodPost, "/api/v1/users/"+u.ID+"/lifecycle/reactivate")
	if a.status != 403 || a.errorCode(t) != "E0000038" {
		t.Errorf("reactivate an active user: %d %s", a.status, a.body)
	}
}

func TestRateLimit(t *testing.T) {
	srv := newServer(t, oktasim.WithRateLimit(2, time.Minute))
	send(t, srv, http.MethodGet, "/api/v1/users")
	second := send(t, srv, http.MethodGet, "/api/v1/users")
	third := send(t, srv, http.MethodGet, "/api/v1/users")

	if second.status != 200 || second.header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Errorf("second call: %d, remaining %s", second.status,
			second.header.Get("X-Rate-Limit-Remaining"))
	}
	if third.status != 429 || third.errorCode(t) != "E0000047" {
		t.Fatalf("third call: %d %s, want 429 E0000047", third.status, third.body)
	}
	reset, _ := strconv.ParseInt(third.header.Get("X-Rate-Limit-Reset"), 10, 64)
	if until := time.Until(time.Unix(reset, 0)); until < 50*time.Second || until > 61*time.Second {
		t.Errorf("reset in %v, want about a minute", until)
	}
	if third.header.Get("X-Rate-Limit-Limit") != "2" {
		t.Errorf("limit header %q", third.header.Get("X-Rate-Limit-Limit"))
	}
}

func TestCannedAnswersGoOutInOrder(t *testing.T) {
	srv := newServer(t)
	srv.FailNext(1, http.StatusBadGateway)
	srv.RespondNext(http.StatusUnauthorized,
		http.Header{"Www-Authenticate": {`Bearer error="insufficient_scope"`}}, "")

	first := send(t, srv, http.MethodGet, "/api/v1/users")
	second := sendAs(t, srv, http.MethodGet, "/api/v1/users", "")
	third := send(t, srv, http.MethodGet, "/api/v1/users")

	if first.status != 502 || first.errorCode(t) == "" {
		t.Errorf("first: %d %s, want 502 with an Okta error", first.status, first.body)
	}
	if second.status != 401 || second.body != "" ||
		!strings.Contains(second.header.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("second: %d %q %v", second.status, second.body, second.header)
	}
	if third.status != 200 {
		t.Errorf("third: %d, want 200", third.status)
	}
	calls := srv.Calls()
	if len(calls) != 3 || calls[1].Status != 401 {
		t.Errorf("calls = %+v", calls)
	}
}

func TestDelayHonoursTheClientsContext(t *testing.T) {
	srv := newServer(t)
	srv.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/users", nil)

	start := time.Now()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request was answered despite the delay")
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("gave up after %v", elapsed)
	}
	srv.SetDelay(0) // Close must not wait a minute either way
}

func TestHandlerServesOnAnyListener(t *testing.T) {
	sim := oktasim.New(oktasim.WithToken("local-token"))
	u := sim.AddUser("ada@example.com", oktasim.StatusStaged)
	hs := httptest.NewServer(sim.Handler())
	defer hs.Close()

	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/v1/users/"+u.ID, nil)
	req.Header.Set("Authorization", "SSWS local-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || sim.Token() != "local-token" {
		t.Errorf("status %d, token %q", resp.StatusCode, sim.Token())
	}
}

func TestSeedDemo(t *testing.T) {
	sim := oktasim.New(oktasim.WithDemoUsers(""))
	again := sim.SeedDemo("example.com") // adds nothing twice

	count := map[string]int{}
	for _, u := range again {
		count[u.Status]++
		if !strings.HasSuffix(u.Login, "@example.com") {
			t.Errorf("demo login %s", u.Login)
		}
	}
	if len(again) != len(sim.Users()) || count["STAGED"] < 4 || count["ACTIVE"] != 1 ||
		count["PROVISIONED"] != 1 || count["SUSPENDED"] != 1 {
		t.Errorf("demo users = %+v", again)
	}
	if u, ok := sim.User("ada.lovelace@example.com"); !ok || u.Status != "STAGED" {
		t.Errorf("ada.lovelace = %+v, %v", u, ok)
	}
	if len(sim.DemoUsers()) != len(again) {
		t.Errorf("DemoUsers has %d users, want %d", len(sim.DemoUsers()), len(again))
	}
}

func TestCompleteActivation(t *testing.T) {
	sim := oktasim.New()
	sim.AddUser("ada@example.com", oktasim.StatusProvisioned)
	if !sim.CompleteActivation("ada@example.com") {
		t.Fatal("CompleteActivation = false")
	}
	u, _ := sim.User("ada@example.com")
	if u.Status != oktasim.StatusActive || u.Activated.IsZero() {
		t.Errorf("user = %+v, want ACTIVE with an activation time", u)
	}
	if sim.CompleteActivation("ada@example.com") {
		t.Error("a second CompleteActivation succeeded")
	}
}

// escapeQuery encodes a query value with %20 for spaces.
func escapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestListLeavesDeprovisionedOutUnlessFiltered(t *testing.T) {
	srv := newServer(t)
	srv.AddUser("ada@example.com", oktasim.StatusStaged)
	gone := srv.AddUser("old@example.com", oktasim.StatusDeprovisioned)

	all := send(t, srv, http.MethodGet, "/api/v1/users")
	if all.status != 200 || strings.Contains(all.body, gone.ID) {
		t.Errorf("plain list: %d %s, want no DEPROVISIONED user", all.status, all.body)
	}
	byLogin := send(t, srv, http.MethodGet,
		"/api/v1/users?filter="+escapeQuery(`profile.login eq "old@example.com"`))
	if !strings.Contains(byLogin.body, gone.ID) {
		t.Errorf("filtered list: %s, want %s", byLogin.body, gone.ID)
	}
}
