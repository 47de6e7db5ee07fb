package web

import (
	"fmt"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"github.com/dayone/dayone/internal/queue"
)

// layoutView is what every page shows around its body.
type layoutView struct {
	Title string
	Mode  string
	Local bool
	Nav   string // the current section: "schedule" or "queue"
}

// fieldErrors holds one message per form field name.
type fieldErrors map[string]string

// invalid returns the ARIA attributes of an input whose field has an error.
func (e fieldErrors) invalid(field, errorID string) templ.Attributes {
	if e[field] == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": errorID}
}

// homeView is the schedule page: two forms and, in local mode, demo users.
type homeView struct {
	Schedule  scheduleForm
	Activate  activateForm
	Zones     []string
	DemoUsers []string
	Now       string
}

// scheduleForm is the schedule form as typed, with its errors.
type scheduleForm struct {
	Login     string
	Start     string
	TimeZone  string
	Offset    string
	SendEmail bool
	Errors    fieldErrors
	Offsets   []offsetChoice // set when the start happens twice
	Alert     string         // a problem not tied to one field
	Existing  string         // link to the open request that blocks this one
}

// activateForm is the Activate now form as typed, with its errors.
type activateForm struct {
	Login     string
	SendEmail bool
	Errors    fieldErrors
	Alert     string
	Existing  string
}

// rescheduleForm is the form that moves a scheduled request.
type rescheduleForm struct {
	Start    string
	TimeZone string
	Offset   string
	Errors   fieldErrors
	Offsets  []offsetChoice
}

// requestView is one request as the pages show it.
type requestView struct {
	ID        string
	Href      string
	Login     string
	Zone      string
	Due       string // "2027-07-01 09:00 Europe/Berlin (07:00 UTC)"
	DueLocal  string // "2027-07-01 09:00 Europe/Berlin"
	DueUTC    string // "2027-07-01 07:00 UTC"
	Status    string
	Result    string
	SendEmail bool
	CreatedBy string
	Created   string
	Scheduled bool
	History   []eventView
}

// eventView is one line of a request's history.
type eventView struct {
	At     string
	Actor  string
	Event  string
	Detail string
}

// requestPage shows one request, its history and, while scheduled, its forms.
type requestPage struct {
	Req        requestView
	Flash      string // what just happened, after a redirect
	Alert      string // why the last change was refused
	Reschedule rescheduleForm
	Zones      []string
}

// queuePage is one page of the queue.
type queuePage struct {
	Status   string // the filter, "" for all
	Filters  []filterLink
	Rows     []requestView
	NextHref string
	Alert    string
}

// filterLink is one status filter of the queue page.
type filterLink struct {
	Label   string
	Href    string
	Current bool
}

// errorView is a page that only says what went wrong.
type errorView struct {
	Title   string
	Message string
}

func newRequestView(r *queue.Request) requestView {
	v := requestView{
		ID:        r.ID,
		Href:      requestHref(r.ID),
		Login:     r.Login,
		Zone:      r.TimeZone,
		Due:       queue.DescribeTime(r.DueAt, r.TimeZone, dayMinute),
		DueLocal:  r.DueAt.In(location(r.TimeZone)).Format(dayMinute) + " " + r.TimeZone,
		DueUTC:    r.DueAt.UTC().Format(dayMinute) + " UTC",
		Status:    string(r.Status),
		Result:    r.Result,
		SendEmail: r.SendEmail,
		CreatedBy: r.CreatedBy,
		Created:   queue.DescribeTime(r.CreatedAt, r.TimeZone, daySecond),
		Scheduled: r.Status == queue.StatusScheduled,
	}
	for _, e := range r.History {
		v.History = append(v.History, eventView{
			At: queue.DescribeTime(e.At, r.TimeZone, daySecond), Actor: e.Actor,
			Event: e.Event, Detail: e.Detail,
		})
	}
	return v
}

// newRescheduleForm fills the form with the request's current start.
func newRescheduleForm(r *queue.Request) rescheduleForm {
	return rescheduleForm{
		Start:    r.DueAt.In(location(r.TimeZone)).Format("2006-01-02T15:04"),
		TimeZone: r.TimeZone,
	}
}

func requestHref(id string) string { return "/requests/" + url.PathEscape(id) }

// confirmation is what a request page says after a redirect: good news as a
// flash, bad news as an alert. It is derived from the request as it stands,
// so that a stale or edited ?done= never claims what did not happen.
func confirmation(done string, r *queue.Request) (flash, alert string) {
	due := queue.DescribeTime(r.DueAt, r.TimeZone, dayMinute)
	switch {
	case done == "scheduled" && r.Status == queue.StatusScheduled:
		return "Scheduled for " + due, ""
	case done == "rescheduled" && r.Status == queue.StatusScheduled:
		return "Rescheduled to " + due, ""
	case done == "cancelled" && r.Status == queue.StatusCancelled:
		return "Cancelled; the account of " + r.Login + " will not be activated by dayone", ""
	case done != "activated":
		return "", ""
	}

	switch r.Status {
	case queue.StatusActivated:
		return "Activate now: " + r.Result, ""
	case queue.StatusScheduled:
		return "", "Activate now did not activate the account yet; " +
			"dayone will retry it on its own: " + r.Result
	}
	return "", fmt.Sprintf("Activate now did not activate the account (%s): %s",
		r.Status, r.Result)
}

// nowText reads like "2026-12-04 10:00 Europe/Berlin (09:00 UTC)".
func nowText(now time.Time, zone string) string { return queue.DescribeTime(now, zone, dayMinute) }
