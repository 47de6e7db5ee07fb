package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

func TestAPICreateReturnsTheRequestInUTC(t *testing.T) {
	f := newFixture(t)
	res := f.postJSON(t, "/api/requests",
		`{"login":"anna.schmidt@example.com","start":"2027-07-01T09:00",`+
			`"timezone":"Europe/Berlin"}`)
	if res.status != http.StatusCreated {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	got := decode[map[string]any](t, res.body)

	want := map[string]any{
		"login": "anna.schmidt@example.com", "timezone": "Europe/Berlin",
		"start": "2027-07-01T09:00:00", "due_at": "2027-07-01T07:00:00Z",
		"due_local": "2027-07-01T09:00:00+02:00", "status": "scheduled", "result": "",
		"attempts": float64(0), "created_by": LocalActor, "send_email": true,
		"created_at": "2026-12-04T09:00:00Z", "updated_at": "2026-12-04T09:00:00Z",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	history, _ := got["history"].([]any)
	if len(history) != 1 || history[0].(map[string]any)["event"] != "scheduled" {
		t.Errorf("history %v", got["history"])
	}
	if loc := res.header.Get("Location"); loc != "/api/requests/"+got["id"].(string) {
		t.Errorf("Location %q", loc)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestAPICreateHonoursAnExplicitSendEmail(t *testing.T) {
	f := newFixture(t)
	res := f.postJSON(t, "/api/requests", `{"login":"ben.ito@example.com",`+
		`"start":"2027-07-01T09:00","timezone":"Europe/Berlin","send_email":false}`)
	got := decode[requestJSON](t, res.body)
	if res.status != http.StatusCreated || got.SendEmail || f.stored(t, got.ID).SendEmail {
		t.Fatalf("status %d, send_email %v", res.status, got.SendEmail)
	}
}

func TestAPIRefusesBodiesItCannotRead(t *testing.T) {
	cases := []struct {
		name, body, want, field string
	}{
		{"malformed", `{"login":`, "the body is not valid JSON", ""},
		{"not an object", `["a"]`, "the body must be a JSON object", ""},
		{"unknown field", `{"login":"a@example.com","start_at":"x"}`,
			`unknown field "start_at"`, "start_at"},
		{"wrong type", `{"login":"a@example.com","send_email":"yes"}`,
			`field "send_email" must be true or false`, "send_email"},
		{"two objects", `{"login":"a@example.com"} {}`,
			"the body must hold exactly one JSON object", ""},
		{"empty", ``, "the body is empty; send a JSON object", ""},
		{"too large", `{"login":"` + strings.Repeat("a", 20<<10) + `"}`,
			"the request body is larger than 16 KiB", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.postJSON(t, "/api/requests", c.body)
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			got := decode[apiError](t, res.body)
			if got.Error != c.want || got.Field != c.field {
				t.Errorf("error %q field %q, want %q %q", got.Error, got.Field, c.want, c.field)
			}
			if f.count(t) != 0 {
				t.Error("a request was stored")
			}
		})
	}
}

func TestAPIInvalidInputNamesTheField(t *testing.T) {
	cases := []struct {
		name, body, field, want string
	}{
		{"empty login", `{"login":"","start":"2027-07-01T09:00","timezone":"Europe/Berlin"}`,
			"login", "login is required"},
		{"long login", `{"login":"` + strings.Repeat("x", 101) + `","start":"2027-07-01T09:00"}`,
			"login", "login is longer than 100 characters"},
		{"bad zone", `{"login":"a@example.com","start":"2027-07-01T09:00","timezone":"Berlin"}`,
			"timezone", `unknown time zone "Berlin"`},
		{"long zone", `{"login":"a@example.com","start":"2027-07-01T09:00","timezone":"` +
			strings.Repeat("Z", 51) + `"}`, "timezone", "timezone is longer than 50 characters"},
		{"long start", `{"login":"a@example.com","start":"` + strings.Repeat("2", 26) + `"}`,
			"start", "start is longer than 25 characters"},
		{"past", `{"login":"a@example.com","start":"2026-12-04T09:59","timezone":"Europe/Berlin"}`,
			"start", "is in the past"},
		{"horizon", `{"login":"a@example.com","start":"2028-01-15T09:00"}`,
			"start", "more than 400 days ahead"},
		{"C6 gap", `{"login":"a@example.com","start":"2027-03-28T02:30"}`,
			"start", "does not exist in Europe/Berlin"},
		{"C6 overlap", `{"login":"a@example.com","start":"2027-10-31T02:30"}`,
			"offset", "02:30 CEST (+02:00, 00:30 UTC) or 02:30 CET (+01:00, 01:30 UTC)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.postJSON(t, "/api/requests", c.body)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			got := decode[apiError](t, res.body)
			if got.Field != c.field || !strings.Contains(got.Error, c.want) {
				t.Errorf("field %q error %q, want %q containing %q", got.Field, got.Error,
					c.field, c.want)
			}
			if f.count(t) != 0 {
				t.Error("a request was stored")
			}
		})
	}
}

func TestAPIOverlapWithAnOffsetSucceeds(t *testing.T) {
	f := newFixture(t)
	res := f.postJSON(t, "/api/requests", `{"login":"a@example.com","start":"2027-10-31T02:30",`+
		`"timezone":"Europe/Berlin","offset":"+02:00"}`)
	got := decode[requestJSON](t, res.body)
	due := got.DueAt.Format(time.RFC3339)
	if res.status != http.StatusCreated || due != "2027-10-31T00:30:00Z" {
		t.Fatalf("status %d, due %s", res.status, got.DueAt)
	}
	if got.Offset != "+02:00" {
		t.Errorf("offset %q", got.Offset)
	}
}

func TestAPIConflictNamesTheExistingRequest(t *testing.T) {
	f := newFixture(t)
	first := f.schedule(t, "anna.schmidt@example.com", "2027-07-01T09:00", "Europe/Berlin")
	for _, path := range []string{"/api/requests", "/api/activations"} {
		body := `{"login":"Anna.Schmidt@example.com","start":"2027-07-02T09:00"}`
		if path == "/api/activations" {
			body = `{"login":"Anna.Schmidt@example.com"}`
		}
		res := f.postJSON(t, path, body)
		got := decode[apiError](t, res.body)
		if res.status != http.StatusConflict || got.ExistingID != first.ID ||
			got.Field != "login" {
			t.Errorf("%s: status %d, %+v", path, res.status, got)
		}
	}
	if n := len(f.accounts.Activations()); n != 0 {
		t.Errorf("%d activate calls", n)
	}
}

func TestAPIGetAndList(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for i, day := range []string{"03", "01", "02"} {
		r := f.schedule(t, stagedUsers[i], "2027-07-"+day+"T09:00", "Europe/Berlin")
		ids = append(ids, r.ID)
	}

	res := f.get(t, "/api/requests/"+ids[0])
	if got := decode[requestJSON](t, res.body); res.status != 200 || got.ID != ids[0] {
		t.Errorf("get: %d %s", res.status, got.ID)
	}
	res = f.get(t, "/api/requests/nope")
	got := decode[apiError](t, res.body)
	if res.status != 404 || got.Error != "no request has this id" {
		t.Errorf("get unknown: %d %+v", res.status, got)
	}

	res = f.get(t, "/api/requests?status=scheduled&limit=2")
	page := decode[listJSON](t, res.body)
	if res.status != 200 || len(page.Requests) != 2 || page.NextCursor == "" ||
		page.Requests[0].ID != ids[1] || page.Requests[1].ID != ids[2] {
		t.Fatalf("first page: %d %+v", res.status, page)
	}
	res = f.get(t, "/api/requests?status=scheduled&limit=2&cursor="+page.NextCursor)
	page = decode[listJSON](t, res.body)
	if len(page.Requests) != 1 || page.Requests[0].ID != ids[0] || page.NextCursor != "" {
		t.Fatalf("second page: %+v", page)
	}

	res = f.get(t, "/api/requests?status=failed")
	if res.status != 200 || !strings.Contains(res.body, `"requests":[]`) {
		t.Errorf("empty page: %s", res.body)
	}
}

func TestAPIListRefusesBadQueries(t *testing.T) {
	f := newFixture(t)
	for query, field := range map[string]string{
		"status=nope": "status", "limit=0": "limit", "limit=x": "limit",
		"limit=501": "limit", "cursor=garbage": "cursor",
	} {
		res := f.get(t, "/api/requests?"+query)
		if got := decode[apiError](t, res.body); res.status != 422 || got.Field != field {
			t.Errorf("%s: %d %+v", query, res.status, got)
		}
	}
}

func TestAPICancelAndReschedule(t *testing.T) {
	f := newFixture(t)
	r := f.schedule(t, stagedUsers[0], "2027-07-01T09:00", "Europe/Berlin")
	base := "/api/requests/" + r.ID

	res := f.postJSON(t, base+"/reschedule", `{"start":"2027-07-01T08:00","timezone":"UTC"}`)
	got := decode[requestJSON](t, res.body)
	if res.status != 200 || got.DueAt.Format(time.RFC3339) != "2027-07-01T08:00:00Z" ||
		got.TimeZone != "UTC" || got.History[1].Event != "rescheduled" {
		t.Fatalf("reschedule: %d %+v", res.status, got)
	}
	res = f.postJSON(t, base+"/reschedule",
		`{"start":"2027-03-28T02:30","timezone":"Europe/Berlin"}`)
	if e := decode[apiError](t, res.body); res.status != 422 || e.Field != "start" {
		t.Errorf("reschedule into a gap: %d %+v", res.status, e)
	}

	res = f.postJSON(t, base+"/cancel", ``)
	got = decode[requestJSON](t, res.body)
	if res.status != 200 || got.Status != queue.StatusCancelled {
		t.Fatalf("cancel: %d %s", res.status, got.Status)
	}
	res = f.postJSON(t, base+"/cancel", ``)
	if got = decode[requestJSON](t, res.body); res.status != 200 || len(got.History) != 3 {
		t.Errorf("cancel again: %d, %d events; want 200 and nothing new", res.status,
			len(got.History))
	}
	res = f.postJSON(t, base+"/reschedule", `{"start":"2027-07-02T09:00"}`)
	e := decode[apiError](t, res.body)
	if res.status != 409 || !strings.Contains(e.Error, "cancelled") || e.Request == nil {
		t.Errorf("reschedule after cancel: %d %+v", res.status, e)
	}
	if res = f.postJSON(t, "/api/requests/nope/cancel", ``); res.status != 404 {
		t.Errorf("cancel unknown: %d", res.status)
	}
	res = f.postJSON(t, "/api/requests/nope/reschedule", `{"start":"2027-07-02T09:00"}`)
	if res.status != 404 {
		t.Errorf("reschedule unknown: %d", res.status)
	}
}

func TestAPIActivateNow(t *testing.T) {
	f := newFixture(t)
	res := f.postJSON(t, "/api/activations", `{"login":"ben.ito@example.com","send_email":false}`)
	got := decode[requestJSON](t, res.body)
	if res.status != 200 || got.Status != queue.StatusActivated ||
		!strings.HasPrefix(got.Result, "activated; no email was sent") {
		t.Fatalf("activate: %d %+v", res.status, got)
	}
	calls := f.accounts.Activations()
	if len(calls) != 1 || calls[0].SendEmail {
		t.Errorf("calls %+v", calls)
	}

	res = f.postJSON(t, "/api/activations", `{"login":"chloe.martin@example.com"}`)
	if got := decode[requestJSON](t, res.body); !got.SendEmail ||
		got.Result != "activated; Okta sent the activation email" {
		t.Errorf("default send_email: %+v", got)
	}

	res = f.postJSON(t, "/api/activations", `{"login":"ghost@example.com"}`)
	got = decode[requestJSON](t, res.body)
	if res.status != 200 || got.Status != queue.StatusFailed ||
		!strings.Contains(got.Result, "no Okta user has the login ghost@example.com") {
		t.Errorf("unknown user: %d %+v", res.status, got)
	}
}

// Okta fails for a reason that may pass: the service arms a retry, and the
// API answers 200 with the request scheduled, saying when.
func TestAPIActivateNowWhenOktaIsDownSchedulesARetry(t *testing.T) {
	f := newFixture(t)
	f.accounts.ActivateHook = func(context.Context, string) error { return errTemporary{} }
	res := f.postJSON(t, "/api/activations", `{"login":"anna.schmidt@example.com"}`)
	got := decode[requestJSON](t, res.body)
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	const want = "attempt 1 failed, will retry at 09:00:30 UTC: activation failed: " +
		"okta: 503 from Okta"
	if got.Status != queue.StatusScheduled || got.Attempts != 1 || got.Result != want {
		t.Errorf("request %+v; want scheduled after 1 attempt, %q", got, want)
	}
	retries := f.sched.Retries()
	if len(retries) != 1 || retries[0].ID != got.ID ||
		!retries[0].At.Equal(fixedNow.Add(30*time.Second)) {
		t.Errorf("retries %+v; want one of %s at 09:00:30", retries, got.ID)
	}
}

// Only when no retry could be armed is it a 502, with the request.
func TestAPIActivateNowWithoutARetryIs502WithTheRequest(t *testing.T) {
	f := newFixture(t)
	f.accounts.ActivateHook = func(context.Context, string) error { return errTemporary{} }
	f.sched.RetryErr = errors.New("awsched: create schedule: AccessDeniedException")
	res := f.postJSON(t, "/api/activations", `{"login":"anna.schmidt@example.com"}`)
	got := decode[apiError](t, res.body)
	if res.status != http.StatusBadGateway || got.Request == nil {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if got.Request.Status != queue.StatusScheduled || got.Request.Attempts != 1 ||
		!strings.Contains(got.Request.Result, "okta: 503 from Okta") {
		t.Errorf("request %+v", got.Request)
	}
	if strings.Contains(got.Error, "AccessDenied") || !strings.Contains(got.Error, "try again") {
		t.Errorf("error %q; want words safe to show, saying to try again", got.Error)
	}
}

func TestAPISchedulerFailureIs502(t *testing.T) {
	f := newFixture(t)
	f.sched.ScheduleErr = errTemporary{}
	res := f.postJSON(t, "/api/requests", `{"login":"a@example.com","start":"2027-07-01T09:00"}`)
	got := decode[apiError](t, res.body)
	if res.status != http.StatusBadGateway || got.Request == nil ||
		got.Request.Status != queue.StatusFailed {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
}

func TestAPICrossOriginPostsAreRefused(t *testing.T) {
	f := newFixture(t)
	headers := [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://evil.example"}}
	for _, h := range headers {
		req, _ := http.NewRequest(http.MethodPost, f.url+"/api/activations",
			strings.NewReader(`{"login":"anna.schmidt@example.com"}`))
		req.Header.Set(h[0], h[1])
		res := f.do(t, req)
		if res.status != http.StatusForbidden || decode[apiError](t, res.body).Error == "" {
			t.Errorf("%s: %d %s", h[0], res.status, res.body)
		}
	}
	if n := len(f.accounts.Activations()); n != 0 || f.count(t) != 0 {
		t.Fatalf("%d activate calls, %d requests", n, f.count(t))
	}
}

func TestAPIUnknownEndpointAndWrongMethod(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "/api/nothing")
	if res.status != 404 || decode[apiError](t, res.body).Error != "no such API endpoint" {
		t.Errorf("unknown: %d %s", res.status, res.body)
	}
	res = f.get(t, "/api/activations")
	if res.status != 405 || res.header.Get("Allow") != "POST" {
		t.Errorf("GET activations: %d %q", res.status, res.header.Get("Allow"))
	}
}

func TestAPISchedulerRefusingAChangeIsABadGateway(t *testing.T) {
	f := newFixture(t)
	r := f.schedule(t, stagedUsers[0], "2027-07-01T09:00", "Europe/Berlin")
	base := "/api/requests/" + r.ID
	f.sched.CancelErr = errors.New("awsched: throttled")
	f.sched.RescheduleErr = errors.New("awsched: throttled")

	for _, action := range []string{"/cancel", "/reschedule"} {
		res := f.postJSON(t, base+action, `{"start":"2027-07-02T09:00"}`)
		e := decode[apiError](t, res.body)
		if res.status != http.StatusBadGateway || !strings.Contains(e.Error, "scheduler") ||
			strings.Contains(e.Error, "throttled") {
			t.Errorf("%s: %d %+v", action, res.status, e)
		}
	}
	if got, _ := f.svc.Get(context.Background(), r.ID); got.Status != queue.StatusScheduled ||
		!got.DueAt.Equal(r.DueAt) {
		t.Errorf("the request changed: %s at %s", got.Status, got.DueAt)
	}
}

func TestAPIActivateNowLeavesOneLogLine(t *testing.T) {
	f := newFixture(t)
	res := f.postJSON(t, "/api/activations", `{"login":"`+stagedUsers[0]+`"}`)
	got := decode[requestJSON](t, res.body)

	logs := strings.TrimSpace(f.logs.String())
	want := []string{"level=INFO", `msg="dayone: activate now"`, "id=" + got.ID,
		"status=activated"}
	for _, w := range want {
		if strings.Count(logs, "\n") != 0 || !strings.Contains(logs, w) {
			t.Fatalf("log %q lacks %q, or has more than one line", logs, w)
		}
	}
}

func TestAPILoginLimitCountsAfterNormalisation(t *testing.T) {
	f := newFixture(t)
	// 50 × "u" + combining diaeresis: 112 characters typed, 62 once composed.
	login := strings.Repeat("u\u0308", 50) + "@example.com"
	res := f.postJSON(t, "/api/requests",
		`{"login":"`+login+`","start":"2027-07-01T09:00","timezone":"Europe/Berlin"}`)
	if got := decode[requestJSON](t, res.body); res.status != http.StatusCreated ||
		got.Login != strings.Repeat("ü", 50)+"@example.com" {
		t.Fatalf("status %d, login %q", res.status, got.Login)
	}
}

// A request shows retry_at only while a retry is pending.
func TestAPIShowsRetryAtOnlyWhenSet(t *testing.T) {
	f := newFixture(t)
	res := f.postJSON(t, "/api/requests",
		`{"login":"anna.schmidt@example.com","start":"2027-07-01T09:00",`+
			`"timezone":"Europe/Berlin"}`)
	if got := decode[map[string]any](t, res.body); res.status != http.StatusCreated ||
		got["retry_at"] != nil {
		t.Errorf("scheduled request: status %d, retry_at %v; want 201 and none",
			res.status, got["retry_at"])
	}

	f.accounts.ActivateHook = func(context.Context, string) error { return errTemporary{} }
	res = f.postJSON(t, "/api/activations", `{"login":"ben.ito@example.com"}`)
	got := decode[map[string]any](t, res.body)
	if res.status != http.StatusOK || got["retry_at"] != "2026-12-04T09:00:30Z" {
		t.Errorf("retrying request: status %d, retry_at %v; want 200 and "+
			"2026-12-04T09:00:30Z", res.status, got["retry_at"])
	}
}
