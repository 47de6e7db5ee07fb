package web

import (
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/dayone/dayone/internal/queue"
)

// fieldLimits are the longest values the forms and the API accept, in
// characters. They only keep oversized input out: the login's own limit (100)
// is checked by the queue after Unicode normalisation, which may shorten it.
var fieldLimits = map[string]int{"login": 300, "start": 25, "timezone": 50, "offset": 10}

// field is one named input value.
type field struct{ name, value string }

// checkLimits returns an input error for the first field that is too long.
func checkLimits(fields ...field) error {
	for _, f := range fields {
		if limit := fieldLimits[f.name]; utf8.RuneCountInString(f.value) > limit {
			return &queue.InputError{Field: f.name,
				Message: fmt.Sprintf("%s is longer than %d characters", f.name, limit)}
		}
	}
	return nil
}

// parseForm reads a posted form; a body over the limit is a bad request.
func parseForm(r *http.Request) error {
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return err
	}
	return &badRequestError{msg: "the form could not be read: " + err.Error()}
}

// readScheduleForm reads the schedule form; the form comes back as typed even
// when an error is returned, so that the page can show it again.
func readScheduleForm(r *http.Request) (scheduleForm, error) {
	err := parseForm(r)
	f := scheduleForm{
		Login:     r.PostForm.Get("login"),
		Start:     r.PostForm.Get("start"),
		TimeZone:  r.PostForm.Get("timezone"),
		Offset:    r.PostForm.Get("offset"),
		SendEmail: r.PostForm.Get("send_email") != "",
	}
	if err != nil {
		return f, err
	}
	return f, checkLimits(field{"login", f.Login}, field{"start", f.Start},
		field{"timezone", f.TimeZone}, field{"offset", f.Offset})
}

// readActivateForm reads the Activate now form, as readScheduleForm does.
func readActivateForm(r *http.Request) (activateForm, error) {
	err := parseForm(r)
	f := activateForm{
		Login:     r.PostForm.Get("login"),
		SendEmail: r.PostForm.Get("send_email") != "",
	}
	if err != nil {
		return f, err
	}
	return f, checkLimits(field{"login", f.Login})
}

// readRescheduleForm reads the reschedule form, as readScheduleForm does.
func readRescheduleForm(r *http.Request) (rescheduleForm, error) {
	err := parseForm(r)
	f := rescheduleForm{
		Start:    r.PostForm.Get("start"),
		TimeZone: r.PostForm.Get("timezone"),
		Offset:   r.PostForm.Get("offset"),
	}
	if err != nil {
		return f, err
	}
	return f, checkLimits(field{"start", f.Start}, field{"timezone", f.TimeZone},
		field{"offset", f.Offset})
}

// placeError puts a problem next to its field; a repeated wall clock goes
// next to the start with the two offsets to choose from. It returns the
// message for the whole form when no field is at fault.
func placeError(p problem, errs fieldErrors, start, zone, offset string,
	fields ...string) (choices []offsetChoice, alert string) {
	if p.Field == "offset" {
		errs["start"] = p.Message
		return offsetChoices(start, zone, offset), ""
	}
	for _, f := range fields {
		if p.Field == f {
			errs[f] = p.Message
			return nil, ""
		}
	}
	return nil, p.Message
}
