package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/okta/oktasim"
)

// instance is dayone running in this process on 127.0.0.1.
type instance struct {
	url    string
	cancel context.CancelFunc
	done   chan error
}

// startDayone builds dayone from the settings, against sim, and serves it
// on a free port until stop or the end of the test.
func startDayone(t *testing.T, settings map[string]string, sim *oktasim.Server,
	logs io.Writer) *instance {
	t.Helper()
	return startDayoneWith(t, settings, env{Sim: sim}, logs)
}

// startDayoneWith is startDayone with more of env; its Logger writes to logs.
func startDayoneWith(t *testing.T, settings map[string]string, e env,
	logs io.Writer) *instance {
	t.Helper()
	cfg, err := loadConfig(envOf(settings))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := build(ctx, cfg, e)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}

	in := &instance{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- a.serve(ctx, ln) }()
	t.Cleanup(func() { in.stop(t) })
	return in
}

// stop shuts dayone down and waits until the store is closed.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	if in.done == nil {
		return
	}
	in.cancel()
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("dayone did not shut down in 15 s")
	}
	in.done = nil
}

// reply is a finished HTTP exchange.
type reply struct {
	status int
	header http.Header
	body   string
}

var noRedirects = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (in *instance) send(t *testing.T, method, path, contentType, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, in.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (in *instance) get(t *testing.T, path string) reply {
	t.Helper()
	return in.send(t, http.MethodGet, path, "", "")
}

func (in *instance) postJSON(t *testing.T, path string, v any) reply {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return in.send(t, http.MethodPost, path, "application/json", string(body))
}

func (in *instance) postForm(t *testing.T, path string, form url.Values) reply {
	t.Helper()
	return in.send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode())
}

// apiRequest is the part of the API's request JSON the tests read.
type apiRequest struct {
	ID        string    `json:"id"`
	Login     string    `json:"login"`
	Status    string    `json:"status"`
	Result    string    `json:"result"`
	DueAt     time.Time `json:"due_at"`
	SendEmail bool      `json:"send_email"`
	Attempts  int       `json:"attempts"`
}

func decodeRequest(t *testing.T, r reply) apiRequest {
	t.Helper()
	var out apiRequest
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("status %d, body %s: %v", r.status, r.body, err)
	}
	return out
}

// waitStatus polls the API until the request has the status, or fails the
// test after the deadline.
func (in *instance) waitStatus(t *testing.T, id, status string, within time.Duration) apiRequest {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := decodeRequest(t, in.get(t, "/api/requests/"+id))
		if got.Status == status {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s is %s (%s) after %s, want %s", id, got.Status, got.Result,
				within, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wallIn is the wall clock d from now in zone, as the forms send it.
func wallIn(t *testing.T, d time.Duration, zone string) string {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return time.Now().Add(d).In(loc).Format("2006-01-02T15:04:05")
}
