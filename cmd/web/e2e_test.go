package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/testenv"

	"github.com/dayone/dayone/internal/okta/oktasim"
)

func localSettings(t *testing.T) map[string]string {
	return map[string]string{"DAYONE_DB": filepath.Join(t.TempDir(), "dayone.db")}
}

func TestLocalModeSchedulesAndActivatesOverRealHTTP(t *testing.T) {
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	defer sim.Close()
	logs := &testenv.SyncBuffer{}
	dayone := startDayone(t, localSettings(t), sim, logs)

	if !strings.Contains(logs.String(), "local mode: Okta simulator at "+sim.URL) {
		t.Errorf("no local mode line in the log:\n%s", logs)
	}
	home := dayone.get(t, "/")
	const banner = "Local mode: Okta simulator — no real accounts are changed"
	if !strings.Contains(home.body, banner) ||
		!strings.Contains(home.body, "ada.lovelace@example.com") {
		t.Fatalf("home lacks the banner or the demo users:\n%s", home.body)
	}

	start := wallIn(t, 2*time.Second, "Europe/Berlin")
	res := dayone.postJSON(t, "/api/requests", map[string]any{
		"login": "ada.lovelace@example.com", "start": start, "timezone": "Europe/Berlin",
	})
	if res.status != http.StatusCreated {
		t.Fatalf("schedule by API: %d %s", res.status, res.body)
	}
	byAPI := decodeRequest(t, res)

	res = dayone.postForm(t, "/requests", url.Values{"login": {"grace.hopper@example.com"},
		"start": {start}, "timezone": {"Europe/Berlin"}, "send_email": {"on"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("schedule by form: %d %s", res.status, res.body)
	}
	byForm := strings.TrimSuffix(strings.TrimPrefix(res.header.Get("Location"), "/requests/"),
		"?done=scheduled")

	for login, id := range map[string]string{"ada.lovelace@example.com": byAPI.ID,
		"grace.hopper@example.com": byForm} {
		got := dayone.waitStatus(t, id, "activated", 20*time.Second)
		if got.Result != "activated; Okta sent the activation email" {
			t.Errorf("%s: result %q", login, got.Result)
		}
		assertActivatedOnce(t, sim, login)
		line := "msg=\"dayone: request fired\" id=" + id
		if !strings.Contains(logs.String(), line) {
			t.Errorf("no log line %q for %s", line, login)
		}
	}

	res = dayone.postJSON(t, "/api/activations",
		map[string]any{"login": "alan.turing@example.com"})
	if got := decodeRequest(t, res); res.status != http.StatusOK || got.Status != "activated" {
		t.Fatalf("activate now: %d %+v", res.status, got)
	}
	assertActivatedOnce(t, sim, "alan.turing@example.com")
}

// Activate now while Okta fails for a reason that may pass: the request
// comes back scheduled with the retry's time, and the in-process timers
// activate it then, with no one asking again.
func TestActivateNowRetriesATemporaryOktaFailure(t *testing.T) {
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	defer sim.Close()
	const delay = 300 * time.Millisecond
	dayone := startDayoneWith(t, localSettings(t), env{Sim: sim,
		retryDelay: func(int) time.Duration { return delay }}, &testenv.SyncBuffer{})

	sim.FailNext(4, 503) // every attempt of the Okta client's first call
	res := dayone.postJSON(t, "/api/activations",
		map[string]any{"login": "alan.turing@example.com"})
	got := decodeRequest(t, res)
	if res.status != http.StatusOK || got.Status != "scheduled" || got.Attempts != 1 ||
		!strings.Contains(got.Result, "attempt 1 failed, will retry at ") ||
		!strings.Contains(got.Result, "503") {
		t.Fatalf("activate now while Okta fails: %d %+v; want 200, scheduled, "+
			"saying when it retries", res.status, got)
	}
	if n := sim.ActivateCalls("alan.turing@example.com"); n != 0 {
		t.Fatalf("%d activate calls during the outage", n)
	}

	done := dayone.waitStatus(t, got.ID, "activated", 15*time.Second)
	if done.Attempts != 2 || done.Result != "activated; Okta sent the activation email" {
		t.Errorf("after the retry: %+v; want activated at the second attempt", done)
	}
	assertActivatedOnce(t, sim, "alan.turing@example.com")
}

func assertActivatedOnce(t *testing.T, sim *oktasim.Server, login string) {
	t.Helper()
	u, ok := sim.User(login)
	if !ok || u.Status != oktasim.StatusProvisioned {
		t.Errorf("%s in the simulator: %+v", login, u)
	}
	if n := sim.ActivateCalls(login); n != 1 {
		t.Errorf("%s: %d activate calls, want 1", login, n)
	}
}

// C1: logins with characters that need escaping are all found.
func TestActivateNowFindsLoginsThatNeedEscaping(t *testing.T) {
	sim := oktasim.NewServer()
	defer sim.Close()
	logins := []string{"ops#lead@example.com", "anna.test+hr@example.com",
		"jürgen.groß@example.com"}
	for _, login := range logins {
		sim.AddUser(login, oktasim.StatusStaged)
	}
	dayone := startDayone(t, localSettings(t), sim, &testenv.SyncBuffer{})

	for _, login := range logins {
		res := dayone.postJSON(t, "/api/activations", map[string]any{"login": login})
		got := decodeRequest(t, res)
		if res.status != http.StatusOK || got.Status != "activated" || got.Login != login {
			t.Errorf("%s: %d %+v", login, res.status, got)
		}
		assertActivatedOnce(t, sim, login)
	}
	for _, c := range sim.Calls() {
		path, err := url.PathUnescape(c.Path)
		mangled := strings.HasSuffix(path, "/users/ops") || strings.Contains(path, "anna.test hr")
		if err != nil || mangled {
			t.Errorf("a call named a mangled login: %s %s?%s", c.Method, c.Path, c.Query)
		}
	}
}

// C4: without an email, Okta is told so, the page says so, and the
// activation link goes nowhere.
func TestActivateNowWithoutEmailKeepsTheLinkSecret(t *testing.T) {
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	defer sim.Close()
	logs := &testenv.SyncBuffer{}
	dayone := startDayone(t, localSettings(t), sim, logs)
	const login = "katherine.johnson@example.com"

	res := dayone.postJSON(t, "/api/activations",
		map[string]any{"login": login, "send_email": false})
	got := decodeRequest(t, res)
	if res.status != http.StatusOK || got.Status != "activated" || got.SendEmail ||
		!strings.HasPrefix(got.Result, "activated; no email was sent") {
		t.Fatalf("activate now: %d %+v", res.status, got)
	}

	var activate *oktasim.Call
	for _, c := range sim.Calls() {
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/lifecycle/activate") {
			activate = &c
		}
	}
	if activate == nil || activate.Param("sendEmail") != "false" {
		t.Fatalf("activate call %+v, want sendEmail=false", activate)
	}
	if len(sim.Emails()) != 0 {
		t.Errorf("emails sent: %+v", sim.Emails())
	}

	token, ok := sim.ActivationToken(login)
	if !ok || token == "" {
		t.Fatal("the simulator issued no activation token")
	}
	page := dayone.get(t, "/requests/"+got.ID)
	if !strings.Contains(page.body, "no email was sent") {
		t.Errorf("the request page does not say that no email was sent")
	}
	seen := res.body + page.body + dayone.get(t, "/api/requests").body +
		dayone.get(t, "/queue").body + dayone.get(t, "/api/requests/"+got.ID).body
	secrets := map[string]string{"activation token": token, "API token": sim.Token}
	for name, secret := range secrets {
		if strings.Contains(seen, secret) {
			t.Errorf("the %s appears in a response", name)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the %s appears in the log", name)
		}
	}
}

func TestAScheduledRequestFiresOnceAfterARestart(t *testing.T) {
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	defer sim.Close()
	settings := localSettings(t)
	const login = "ada.lovelace@example.com"

	first := startDayone(t, settings, sim, &testenv.SyncBuffer{})
	res := first.postJSON(t, "/api/requests", map[string]any{
		"login": login, "start": wallIn(t, 3*time.Second, "Europe/Berlin"),
		"timezone": "Europe/Berlin",
	})
	if res.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", res.status, res.body)
	}
	id := decodeRequest(t, res).ID
	first.stop(t)
	if n := sim.ActivateCalls(login); n != 0 {
		t.Fatalf("%d activate calls before the restart", n)
	}

	second := startDayone(t, settings, sim, &testenv.SyncBuffer{})
	second.waitStatus(t, id, "activated", 20*time.Second)
	assertActivatedOnce(t, sim, login)
}

func TestRunServesUntilItsContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &testenv.SyncBuffer{}
	settings := localSettings(t)
	settings["DAYONE_ADDR"] = "127.0.0.1:0"
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"web"}, envOf(settings), out) }()

	base := waitForLine(t, out, "dayone: serving ")
	res, err := http.Get(base + "/queue")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /queue: %v %v", res, err)
	}
	res.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func TestRunStopsOnABadSetting(t *testing.T) {
	err := run(context.Background(), []string{"web"},
		envOf(map[string]string{"DAYONE_ADDR": "0.0.0.0:8080", "OKTA_API_TOKEN": testToken,
			"OKTA_ORG_URL": "https://acme.okta.com"}), &testenv.SyncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "DAYONE_ADDR") ||
		strings.Contains(err.Error(), testToken) {
		t.Fatalf("run: %v", err)
	}
}

// waitForLine polls out for a line starting with prefix and returns its rest.
func waitForLine(t *testing.T, out *testenv.SyncBuffer, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(out.String(), "\n") {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(rest)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no line %q in:\n%s", prefix, out)
	return ""
}

func TestASecondDayoneOnTheSameStoreStopsWithAClearError(t *testing.T) {
	settings := localSettings(t)
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	defer sim.Close()
	startDayone(t, settings, sim, &testenv.SyncBuffer{})

	cfg, err := loadConfig(envOf(settings))
	if err != nil {
		t.Fatal(err)
	}
	_, err = build(context.Background(), cfg, env{Logger: discardLogger(), Sim: sim})
	if err == nil || !strings.Contains(err.Error(), "DAYONE_DB") ||
		!strings.Contains(err.Error(), "locked by another dayone") {
		t.Fatalf("second build: %v, want an error naming DAYONE_DB and the lock", err)
	}
}

func TestAnotherHostNameIsRefused(t *testing.T) {
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	defer sim.Close()
	dayone := startDayone(t, localSettings(t), sim, &testenv.SyncBuffer{})

	for _, host := range []string{"rebind.evil.example", "rebind.evil.example:8080", "10.0.0.1"} {
		req, err := http.NewRequest(http.MethodGet, dayone.url+"/api/requests", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: status %d, want 421", host, res.StatusCode)
		}
	}
	if got := dayone.get(t, "/api/requests"); got.status != http.StatusOK {
		t.Errorf("Host 127.0.0.1: status %d", got.status)
	}
}
