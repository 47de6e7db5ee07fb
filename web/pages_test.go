package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

func TestHomeShowsTheFormsWithLabelsAndDefaults(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "/")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	p := parsePage(t, res.body)

	banner := "Local mode: Okta simulator — no real accounts are changed"
	if got := p.text("mode-banner"); got != banner {
		t.Errorf("banner %q", got)
	}
	login := p.one("schedule-login")
	if attr(login, "maxlength") != "100" || !hasAttr(login, "required") ||
		attr(login, "name") != "login" {
		t.Errorf("login input %v", login.Attr)
	}
	if got := p.labelFor("schedule-login"); got != "Okta login" {
		t.Errorf("login label %q", got)
	}
	if got := attr(p.one("schedule-start"), "type"); got != "datetime-local" {
		t.Errorf("start type %q", got)
	}
	if got := p.labelFor("schedule-start"); !strings.HasPrefix(got, "Start") {
		t.Errorf("start label %q", got)
	}
	zone := p.one("schedule-timezone")
	if got := selected(zone); got != "Europe/Berlin" {
		t.Errorf("selected zone %q", got)
	}
	if got := p.labelFor("schedule-timezone"); got != "Time zone" {
		t.Errorf("zone label %q", got)
	}
	if !strings.Contains(text(zone), "America/New_York") {
		t.Errorf("zones lack America/New_York: %s", text(zone))
	}
	for _, id := range []string{"schedule-send-email", "activate-send-email"} {
		if box := p.one(id); attr(box, "type") != "checkbox" || !hasAttr(box, "checked") {
			t.Errorf("%s: %v, want a checked checkbox", id, box.Attr)
		}
	}
	if got := attr(p.one("activate-form"), "action"); got != "/activations" {
		t.Errorf("activate form action %q", got)
	}
	if got := p.text("now"); got != "Now: 2026-12-04 10:00 Europe/Berlin (09:00 UTC)" {
		t.Errorf("now %q", got)
	}
	if p.has("schedule-login-error") || p.has("offset-choices") {
		t.Error("a fresh form shows errors")
	}
}

func TestHomeListsDemoUsersAsFillIns(t *testing.T) {
	f := newFixture(t)
	p := parsePage(t, f.get(t, "/").body)

	users := p.all("demo-user")
	if len(users) != 2 || text(users[0]) != stagedUsers[0] {
		t.Fatalf("demo users %d, first %q", len(users), text(users[0]))
	}
	href := attr(users[0], "href")
	if href != "/?login=anna.schmidt%40example.com" {
		t.Fatalf("href %q", href)
	}

	filled := parsePage(t, f.get(t, href).body)
	for _, id := range []string{"schedule-login", "activate-login"} {
		if got := attr(filled.one(id), "value"); got != stagedUsers[0] {
			t.Errorf("%s value %q", id, got)
		}
	}
}

func TestProductionModeHasItsBannerAndNoDemoUsers(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.Mode, o.Local = "Production: activations change real Okta accounts", false
	})
	p := parsePage(t, f.get(t, "/").body)
	if got := p.text("mode-banner"); got != "Production: activations change real Okta accounts" {
		t.Errorf("banner %q", got)
	}
	if p.has("demo-users") {
		t.Error("production mode shows demo users")
	}
}

// C7: a zone-less wall clock is read in the chosen zone, whatever time.Local is.
func TestScheduleFormReadsTheWallClockInTheChosenZone(t *testing.T) {
	saved := time.Local
	time.Local = time.FixedZone("Far", -11*3600)
	t.Cleanup(func() { time.Local = saved })

	for _, start := range []string{"2027-07-01T09:00", "2027-07-01T09:00:00"} {
		f := newFixture(t)
		res := f.postForm(t, "/requests", url.Values{"login": {stagedUsers[0]},
			"start": {start}, "timezone": {"Europe/Berlin"}, "send_email": {"on"}})
		stored := f.stored(t, createdID(t, res))
		if want := time.Date(2027, 7, 1, 7, 0, 0, 0, time.UTC); !stored.DueAt.Equal(want) {
			t.Fatalf("%s: due %s, want %s", start, stored.DueAt, want)
		}
		p := parsePage(t, f.follow(t, res).body)
		want := "Scheduled for 2027-07-01 09:00 Europe/Berlin (07:00 UTC)"
		if got := p.text("flash"); got != want {
			t.Errorf("flash %q", got)
		}
		if got := p.text("request-due"); got != "2027-07-01 09:00 Europe/Berlin (07:00 UTC)" {
			t.Errorf("due %q", got)
		}
	}
}

func TestScheduleFormShowsEachErrorNextToItsField(t *testing.T) {
	cases := []struct {
		name, login, start, zone string
		field                    string
		wantStatus               int
		want                     string
	}{
		{"empty login", " ", "2027-07-01T09:00", "Europe/Berlin", "login", 422,
			"login is required"},
		{"long login", strings.Repeat("a", 101), "2027-07-01T09:00", "Europe/Berlin",
			"login", 422, "login is longer than 100 characters"},
		{"bad zone", "a@example.com", "2027-07-01T09:00", "Mars/Olympus", "timezone", 422,
			`unknown time zone "Mars/Olympus"`},
		{"past", "a@example.com", "2026-12-01T09:00", "Europe/Berlin", "start", 422,
			"is in the past"},
		{"beyond horizon", "a@example.com", "2028-06-01T09:00", "Europe/Berlin", "start",
			422, "days ahead"},
		{"not a time", "a@example.com", "tomorrow", "Europe/Berlin", "start", 422,
			"is not a date and time"},
		{"C6 gap", "a@example.com", "2027-03-28T02:30", "Europe/Berlin", "start", 422,
			"2027-03-28 02:30 does not exist in Europe/Berlin: " +
				"the clocks jump from 02:00 to 03:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.postForm(t, "/requests", url.Values{"login": {c.login},
				"start": {c.start}, "timezone": {c.zone}})
			if res.status != c.wantStatus {
				t.Fatalf("status %d, want %d", res.status, c.wantStatus)
			}
			p := parsePage(t, res.body)

			errID := "schedule-" + c.field + "-error"
			if got := p.text(errID); !strings.Contains(got, c.want) {
				t.Errorf("error %q, want it to contain %q", got, c.want)
			}
			input := p.one("schedule-" + c.field)
			if attr(input, "aria-invalid") != "true" || attr(input, "aria-describedby") != errID {
				t.Errorf("%s attrs %v", c.field, input.Attr)
			}
			if got := attr(p.one("schedule-start"), "value"); got != c.start {
				t.Errorf("start kept as %q, want %q", got, c.start)
			}
			if got := selected(p.one("schedule-timezone")); got != c.zone {
				t.Errorf("zone kept as %q, want %q", got, c.zone)
			}
			if hasAttr(p.one("schedule-send-email"), "checked") {
				t.Error("the unticked email box came back ticked")
			}
			if n := f.count(t); n != 0 {
				t.Errorf("%d requests stored, want 0", n)
			}
		})
	}
}

// C6: a wall clock that happens twice offers both instants, and the choice works.
func TestScheduleFormOffersBothInstantsOfARepeatedHour(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"login": {stagedUsers[0]}, "start": {"2027-10-31T02:30"},
		"timezone": {"Europe/Berlin"}, "send_email": {"on"}}
	res := f.postForm(t, "/requests", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.status)
	}
	p := parsePage(t, res.body)
	if got := p.text("schedule-start-error"); !strings.Contains(got, "happens twice") {
		t.Errorf("start error %q", got)
	}
	choices := map[string]string{}
	for _, in := range []string{"+02:00", "+01:00"} {
		n := p.one("offset-choice-" + in)
		choices[in] = text(n.Parent)
		if attr(n, "type") != "radio" || attr(n, "name") != "offset" || attr(n, "value") != in {
			t.Errorf("choice %s: %v", in, n.Attr)
		}
	}
	if choices["+02:00"] != "02:30 CEST (00:30 UTC)" ||
		choices["+01:00"] != "02:30 CET (01:30 UTC)" {
		t.Errorf("choices %q", choices)
	}
	if f.count(t) != 0 {
		t.Fatal("an ambiguous start was stored")
	}

	form.Set("offset", "+01:00")
	res = f.postForm(t, "/requests", form)
	stored := f.stored(t, createdID(t, res))
	if want := time.Date(2027, 10, 31, 1, 30, 0, 0, time.UTC); !stored.DueAt.Equal(want) {
		t.Fatalf("due %s, want %s", stored.DueAt, want)
	}
	p = parsePage(t, f.follow(t, res).body)
	if got := p.text("flash"); got != "Scheduled for 2027-10-31 02:30 Europe/Berlin (01:30 UTC)" {
		t.Errorf("flash %q", got)
	}
}

func TestScheduleFormRefusesAnOversizedBody(t *testing.T) {
	f := newFixture(t)
	res := f.postForm(t, "/requests", url.Values{"login": {strings.Repeat("a", 20<<10)}})
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d", res.status)
	}
	got := parsePage(t, res.body).text("schedule-alert")
	if got != "the request body is larger than 16 KiB" {
		t.Errorf("alert %q", got)
	}
}

func TestScheduleFormPointsAtTheOpenRequest(t *testing.T) {
	f := newFixture(t)
	first := f.schedule(t, stagedUsers[0], "2027-07-01T09:00", "Europe/Berlin")

	res := f.postForm(t, "/requests", url.Values{"login": {strings.ToUpper(stagedUsers[0])},
		"start": {"2027-07-02T09:00"}, "timezone": {"Europe/Berlin"}})
	if res.status != http.StatusConflict {
		t.Fatalf("status %d", res.status)
	}
	p := parsePage(t, res.body)
	if got := p.text("schedule-login-error"); !strings.Contains(got, first.ID) {
		t.Errorf("login error %q does not name %s", got, first.ID)
	}
	if got := attr(p.one("schedule-existing"), "href"); got != "/requests/"+first.ID {
		t.Errorf("existing link %q", got)
	}
}

func TestActivateNowFormShowsTheOutcome(t *testing.T) {
	f := newFixture(t)
	res := f.postForm(t, "/activations", url.Values{"login": {stagedUsers[1]}})
	p := parsePage(t, f.follow(t, res).body)

	if got := p.text("request-status"); got != "activated" {
		t.Errorf("status %q", got)
	}
	if got := p.text("request-result"); !strings.HasPrefix(got, "activated; no email was sent") {
		t.Errorf("result %q", got)
	}
	if got := p.text("flash"); !strings.Contains(got, "no email was sent") {
		t.Errorf("flash %q", got)
	}
	calls := f.accounts.Activations()
	if len(calls) != 1 || calls[0].SendEmail || calls[0].Login != stagedUsers[1] {
		t.Errorf("activate calls %+v", calls)
	}
	if p.has("reschedule-form") || p.has("cancel-submit") {
		t.Error("a finished request offers changes")
	}
}

func TestActivateNowFormWithAnUnknownUserShowsWhy(t *testing.T) {
	f := newFixture(t)
	res := f.postForm(t, "/activations", url.Values{"login": {"nobody@example.com"},
		"send_email": {"on"}})
	p := parsePage(t, f.follow(t, res).body)
	if got := p.text("request-status"); got != "failed" {
		t.Errorf("status %q", got)
	}
	want := "no Okta user has the login nobody@example.com"
	if got := p.text("request-result"); !strings.Contains(got, want) {
		t.Errorf("result %q", got)
	}
	if got := p.text("request-alert"); !strings.Contains(got, "did not activate") ||
		p.has("flash") {
		t.Errorf("alert %q; want the failure as an alert, and no flash", got)
	}
}

func TestActivateNowFormWhenOktaIsDown(t *testing.T) {
	f := newFixture(t)
	f.accounts.FindHook = func(context.Context, string) error {
		return errTemporary{}
	}
	res := f.postForm(t, "/activations", url.Values{"login": {stagedUsers[0]}})
	p := parsePage(t, f.follow(t, res).body)
	if got := p.text("request-status"); got != "scheduled" {
		t.Errorf("status %q", got)
	}
	const result = "attempt 1 failed, will retry at 09:00:30 UTC: user lookup failed"
	if got := p.text("request-result"); !strings.HasPrefix(got, result) {
		t.Errorf("result %q, want it to start %q", got, result)
	}
	want := "Activate now did not activate the account yet; dayone will retry it on " +
		"its own: " + result
	if got := p.text("request-alert"); !strings.HasPrefix(got, want) {
		t.Errorf("alert %q, want it to start %q", got, want)
	}
	if p.has("flash") {
		t.Errorf("a failure shown as good news: %q", p.text("flash"))
	}
}

func TestAStaleConfirmationIsNotShown(t *testing.T) {
	f := newFixture(t)
	res := f.postForm(t, "/activations", url.Values{"login": {stagedUsers[0]}})
	activated := strings.SplitN(res.header.Get("Location"), "?", 2)[0]

	for _, done := range []string{"scheduled", "rescheduled", "cancelled"} {
		p := parsePage(t, f.get(t, activated+"?done="+done).body)
		if p.has("flash") {
			t.Errorf("?done=%s on an activated request shows %q", done, p.text("flash"))
		}
	}
}

func TestActivateNowFormWhenNoRetryCanBeArmed(t *testing.T) {
	f := newFixture(t)
	f.accounts.FindHook = func(context.Context, string) error {
		return errTemporary{}
	}
	f.sched.RetryErr = errors.New("localsched: the scheduler is stopped")
	res := f.postForm(t, "/activations", url.Values{"login": {stagedUsers[0]}})
	if res.status != http.StatusBadGateway {
		t.Fatalf("status %d", res.status)
	}
	p := parsePage(t, res.body)
	if got := p.text("request-alert"); !strings.Contains(got, "records the attempt") {
		t.Errorf("alert %q", got)
	}
	if got := p.text("request-result"); !strings.Contains(got, "attempt 1 failed, will retry") {
		t.Errorf("result %q", got)
	}
}

func TestActivateNowFormErrorStaysNextToLogin(t *testing.T) {
	f := newFixture(t)
	res := f.postForm(t, "/activations", url.Values{"login": {"two words"}, "send_email": {"on"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.status)
	}
	p := parsePage(t, res.body)
	if got := p.text("activate-login-error"); !strings.Contains(got, "spaces") {
		t.Errorf("error %q", got)
	}
	if got := attr(p.one("activate-login"), "value"); got != "two words" {
		t.Errorf("login kept as %q", got)
	}
	if p.has("schedule-login-error") {
		t.Error("the error also shows on the schedule form")
	}
}

func TestQueueListsRequestsInDueOrderWithBothTimes(t *testing.T) {
	f := newFixture(t)
	late := f.schedule(t, "late@example.com", "2027-09-01T09:00", "America/New_York")
	early := f.schedule(t, "early@example.com", "2027-07-01T09:00", "Europe/Berlin")
	mid := f.schedule(t, "mid@example.com", "2027-08-01T09:00", "Asia/Tokyo")
	if _, err := f.svc.Cancel(context.Background(), mid.ID, "test"); err != nil {
		t.Fatal(err)
	}

	p := parsePage(t, f.get(t, "/queue").body)
	rows := p.all("queue-row")
	var ids []string
	for _, r := range rows {
		ids = append(ids, attr(r, "data-request-id"))
	}
	if strings.Join(ids, ",") != early.ID+","+mid.ID+","+late.ID {
		t.Fatalf("rows %v", ids)
	}
	first := &page{t: t, root: rows[0]}
	if got := first.text("row-due-local"); got != "2027-07-01 09:00 Europe/Berlin" {
		t.Errorf("local %q", got)
	}
	if got := first.text("row-due-utc"); got != "2027-07-01 07:00 UTC" {
		t.Errorf("utc %q", got)
	}
	if got := first.text("row-login"); got != "early@example.com" {
		t.Errorf("login %q", got)
	}
	reschedule := attr(first.one("row-reschedule"), "href")
	if !first.has("row-cancel") || reschedule != "/requests/"+early.ID+"#reschedule" {
		t.Error("a scheduled row lacks cancel or reschedule")
	}
	// Each row's buttons say whose activation they act on, for screen readers.
	if got := attr(first.one("row-cancel"), "aria-label"); got !=
		"Cancel the activation of early@example.com" {
		t.Errorf("cancel button named %q", got)
	}
	second := &page{t: t, root: rows[1]}
	if second.text("row-status") != "cancelled" || second.has("row-cancel") {
		t.Error("the cancelled row is wrong")
	}
	if got := second.text("row-result"); got != "cancelled by test" {
		t.Errorf("result %q", got)
	}
}

func TestQueueFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i, day := range []string{"01", "02", "03"} {
		r := f.schedule(t, stagedUsers[i], "2027-07-"+day+"T09:00", "Europe/Berlin")
		want = append(want, r.ID)
	}
	cancelled := f.schedule(t, stagedUsers[3], "2027-06-01T09:00", "Europe/Berlin")
	if _, err := f.svc.Cancel(context.Background(), cancelled.ID, "test"); err != nil {
		t.Fatal(err)
	}

	p := parsePage(t, f.get(t, "/queue?status=scheduled&limit=2").body)
	if got := attr(p.one("filter-scheduled"), "aria-current"); got != "true" {
		t.Errorf("scheduled filter not current")
	}
	rows := p.all("queue-row")
	if len(rows) != 2 || attr(rows[0], "data-request-id") != want[0] {
		t.Fatalf("first page has %d rows", len(rows))
	}
	next := attr(p.one("next-page"), "href")

	p = parsePage(t, f.get(t, next).body)
	rows = p.all("queue-row")
	if len(rows) != 1 || attr(rows[0], "data-request-id") != want[2] {
		t.Fatalf("second page: %d rows", len(rows))
	}
	if p.has("next-page") {
		t.Error("the last page links to a next one")
	}

	p = parsePage(t, f.get(t, "/queue?status=cancelled").body)
	rows = p.all("queue-row")
	if len(rows) != 1 || attr(rows[0], "data-request-id") != cancelled.ID {
		t.Errorf("cancelled filter: %d rows", len(rows))
	}
	if p = parsePage(t, f.get(t, "/queue?status=failed").body); !p.has("queue-empty") {
		t.Error("an empty filter shows no empty note")
	}
}

func TestQueueRefusesAnUnknownStatus(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "/queue?status=sleeping")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.status)
	}
	if got := parsePage(t, res.body).text("queue-alert"); got != `unknown status "sleeping"` {
		t.Errorf("alert %q", got)
	}
}

func TestRequestPageShowsHistoryAndForms(t *testing.T) {
	f := newFixture(t)
	r := f.schedule(t, stagedUsers[0], "2027-07-01T09:00", "Europe/Berlin")
	p := parsePage(t, f.get(t, "/requests/"+r.ID).body)

	if p.text("request-status") != "scheduled" || p.text("request-login") != stagedUsers[0] {
		t.Errorf("status %q login %q", p.text("request-status"), p.text("request-login"))
	}
	rows := p.all("history-row")
	if len(rows) != 1 {
		t.Fatalf("%d history rows", len(rows))
	}
	want := []string{"2026-12-04 10:00:00 Europe/Berlin (09:00:00 UTC)", "test", "scheduled",
		"2027-07-01 09:00 Europe/Berlin (07:00 UTC)"}
	if got := cells(rows[0]); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("history %q", got)
	}
	if got := attr(p.one("reschedule-start"), "value"); got != "2027-07-01T09:00" {
		t.Errorf("reschedule start %q", got)
	}
	if got := selected(p.one("reschedule-timezone")); got != "Europe/Berlin" {
		t.Errorf("reschedule zone %q", got)
	}
	if !p.has("cancel-submit") {
		t.Error("no cancel button")
	}
}

func TestRequestPageForAnUnknownIDIs404(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "/requests/no-such-id")
	if res.status != http.StatusNotFound {
		t.Fatalf("status %d", res.status)
	}
	p := parsePage(t, res.body)
	if p.text("error-title") != "Request not found" || !p.has("mode-banner") {
		t.Errorf("page %q", p.text("error-title"))
	}
}

func TestRescheduleAndCancelThroughTheForms(t *testing.T) {
	f := newFixture(t)
	r := f.schedule(t, stagedUsers[0], "2027-07-01T09:00", "Europe/Berlin")
	base := "/requests/" + r.ID

	res := f.postForm(t, base+"/reschedule", url.Values{"start": {"2027-07-01T09:00"},
		"timezone": {"America/New_York"}})
	p := parsePage(t, f.follow(t, res).body)
	want := "Rescheduled to 2027-07-01 09:00 America/New_York (13:00 UTC)"
	if got := p.text("flash"); got != want {
		t.Errorf("flash %q", got)
	}
	if got := f.stored(t, r.ID).DueAt; !got.Equal(time.Date(2027, 7, 1, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("due %s", got)
	}

	res = f.postForm(t, base+"/reschedule", url.Values{"start": {"2027-03-28T02:30"},
		"timezone": {"Europe/Berlin"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("gap: status %d", res.status)
	}
	p = parsePage(t, res.body)
	if got := p.text("reschedule-start-error"); !strings.Contains(got, "does not exist") {
		t.Errorf("gap error %q", got)
	}
	if got := attr(p.one("reschedule-start"), "value"); got != "2027-03-28T02:30" {
		t.Errorf("start kept as %q", got)
	}

	p = parsePage(t, f.follow(t, f.postForm(t, base+"/cancel", nil)).body)
	if p.text("request-status") != "cancelled" ||
		!strings.HasPrefix(p.text("flash"), "Cancelled") {
		t.Errorf("after cancel: %q, %q", p.text("request-status"), p.text("flash"))
	}

	res = f.postForm(t, base+"/reschedule", url.Values{"start": {"2027-07-02T09:00"},
		"timezone": {"Europe/Berlin"}})
	if res.status != http.StatusConflict {
		t.Fatalf("reschedule a cancelled request: status %d", res.status)
	}
	if got := parsePage(t, res.body).text("request-alert"); !strings.Contains(got, "cancelled") {
		t.Errorf("reschedule alert %q", got)
	}
	if res := f.postForm(t, "/requests/nope/cancel", nil); res.status != http.StatusNotFound {
		t.Errorf("cancel unknown: status %d", res.status)
	}
}

func TestUnknownPathsAndWrongMethods(t *testing.T) {
	f := newFixture(t)
	if res := f.get(t, "/nowhere"); res.status != http.StatusNotFound ||
		parsePage(t, res.body).text("error-title") != "Page not found" {
		t.Errorf("unknown path: %d", res.status)
	}
	res := f.get(t, "/requests/abc/cancel")
	if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "POST" {
		t.Errorf("GET cancel: %d, Allow %q", res.status, res.header.Get("Allow"))
	}
	if res := f.get(t, "/static/"); res.status != http.StatusNotFound {
		t.Errorf("static folder listing: %d", res.status)
	}
	res = f.get(t, "/static/style.css")
	ct := res.header.Get("Content-Type")
	if res.status != http.StatusOK || !strings.HasPrefix(ct, "text/css") {
		t.Errorf("css: %d %s", res.status, res.header.Get("Content-Type"))
	}
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/", "/queue", "/api/requests"} {
		h := f.get(t, path).header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestCrossOriginFormPostsAreRefused(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"login": {stagedUsers[0]}, "start": {"2027-07-01T09:00"},
		"timezone": {"Europe/Berlin"}}
	for name, header := range map[string][2]string{
		"sec-fetch-site": {"Sec-Fetch-Site", "cross-site"},
		"origin":         {"Origin", "https://evil.example"},
	} {
		req, _ := http.NewRequest(http.MethodPost, f.url+"/requests",
			strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(header[0], header[1])
		if res := f.do(t, req); res.status != http.StatusForbidden {
			t.Errorf("%s: status %d", name, res.status)
		}
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("%d requests stored", n)
	}

	req, _ := http.NewRequest(http.MethodPost, f.url+"/requests", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", f.url)
	if res := f.do(t, req); res.status != http.StatusSeeOther {
		t.Errorf("same-origin: status %d", res.status)
	}
}

func TestFailuresAreLoggedOnceAtTheirLevel(t *testing.T) {
	f := newFixture(t)
	f.postForm(t, "/requests", url.Values{"login": {""}, "start": {"2027-07-01T09:00"}})
	f.accounts.FindHook = func(context.Context, string) error { return errTemporary{} }
	f.sched.RetryErr = errors.New("localsched: the scheduler is stopped")
	res := f.postJSON(t, "/api/activations", `{"login":"anna.schmidt@example.com"}`)

	logs := f.logs.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines:\n%s", len(lines), logs)
	}
	for _, want := range []string{"level=WARN", "method=POST", "path=/requests ", "status=422"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("4xx line lacks %q: %s", want, lines[0])
		}
	}
	id := res.header.Get("X-Request-Id")
	for _, want := range []string{"level=ERROR", "request_id=" + id, "status=502",
		"path=/api/activations"} {
		if id == "" || !strings.Contains(lines[1], want) {
			t.Errorf("5xx line lacks %q: %s", want, lines[1])
		}
	}
}

func TestRenderFailureIsACleanServerError(t *testing.T) {
	h := &handler{opts: withDefaults(Options{})}
	rec := httptest.NewRecorder()
	h.render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, "Broken", "",
		failing{})
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "half") {
		t.Errorf("status %d, body %q", rec.Code, rec.Body.String())
	}
}

// errTemporary is a directory failure worth retrying.
type errTemporary struct{}

func (errTemporary) Error() string { return "okta: 503 from Okta" }
func (errTemporary) Is(target error) bool {
	return target == queue.ErrTemporary
}

// failing is a component whose rendering fails half way.
type failing struct{}

func (failing) Render(_ context.Context, w io.Writer) error {
	_, _ = w.Write([]byte("<p>half"))
	return errors.New("boom")
}

// createdID is the id of the request a form created, from its redirect.
func createdID(t *testing.T, res response) string {
	t.Helper()
	loc := res.header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/requests/")
	id, _, _ = strings.Cut(id, "?")
	if res.status != http.StatusSeeOther || !ok || id == "" {
		t.Fatalf("status %d, Location %q; body:\n%s", res.status, loc, res.body)
	}
	return id
}
