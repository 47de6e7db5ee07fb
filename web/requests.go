package web

import (
	"errors"
	"net/http"

	"github.com/dayone/dayone/internal/queue"
)

// createRequest schedules an activation from the form and redirects to it.
func (h *handler) createRequest(w http.ResponseWriter, r *http.Request) {
	f, err := readScheduleForm(r)
	if err != nil {
		h.scheduleRefused(w, r, f, err)
		return
	}

	req, err := h.svc.Schedule(r.Context(), queue.ScheduleInput{
		Login: f.Login, Start: f.Start, TimeZone: f.TimeZone, Offset: f.Offset,
		SendEmail: f.SendEmail, Actor: h.opts.Actor(r),
	})
	if err != nil {
		h.scheduleRefused(w, r, f, schedulingError(req, err))
		return
	}
	http.Redirect(w, r, requestHref(req.ID)+"?done=scheduled", http.StatusSeeOther)
}

// schedulingError marks the failure of a request that was saved but not armed:
// queue.Service.Schedule returns the request only in that case.
func schedulingError(req *queue.Request, err error) error {
	if req == nil {
		return err
	}
	return &upstreamError{err: err, msg: "the scheduler did not accept the trigger, " +
		"so the request was recorded as failed; try again"}
}

// scheduleRefused shows the schedule form again, as typed, with the error next
// to its field.
func (h *handler) scheduleRefused(w http.ResponseWriter, r *http.Request, f scheduleForm,
	err error) {
	p := describe(err, requestID(r))
	note(r, err)

	f.Errors = fieldErrors{}
	f.Offsets, f.Alert = placeError(p, f.Errors, f.Start, f.TimeZone, f.Offset,
		"login", "start", "timezone")
	if p.ExistingID != "" {
		f.Existing = requestHref(p.ExistingID)
	}

	v := h.newHome()
	v.Schedule = f
	h.render(w, r, p.Status, "Schedule", "schedule", homePage(v))
}

// showRequest shows one request with its history; ?done= adds the sentence
// that confirms the change just made.
func (h *handler) showRequest(w http.ResponseWriter, r *http.Request) {
	req, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newRequestPage(req)
	p.Flash, p.Alert = confirmation(r.URL.Query().Get("done"), req)
	h.render(w, r, http.StatusOK, "Activation of "+req.Login, "queue", requestPageView(p))
}

func (h *handler) newRequestPage(req *queue.Request) requestPage {
	return requestPage{
		Req:        newRequestView(req),
		Reschedule: newRescheduleForm(req),
		Zones:      h.opts.Zones,
	}
}

// cancelRequest cancels a scheduled request and redirects back to it.
func (h *handler) cancelRequest(w http.ResponseWriter, r *http.Request) {
	req, err := h.svc.Cancel(r.Context(), r.PathValue("id"), h.opts.Actor(r))
	if err != nil {
		h.requestRefused(w, r, req, rescheduleForm{}, err)
		return
	}
	http.Redirect(w, r, requestHref(req.ID)+"?done=cancelled", http.StatusSeeOther)
}

// rescheduleRequest moves a scheduled request and redirects back to it.
func (h *handler) rescheduleRequest(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := readRescheduleForm(r)
	if err != nil {
		h.requestRefused(w, r, nil, f, err)
		return
	}

	req, err := h.svc.Reschedule(r.Context(), id, queue.RescheduleInput{
		Start: f.Start, TimeZone: f.TimeZone, Offset: f.Offset, Actor: h.opts.Actor(r),
	})
	if err != nil {
		h.requestRefused(w, r, req, f, err)
		return
	}
	http.Redirect(w, r, requestHref(req.ID)+"?done=rescheduled", http.StatusSeeOther)
}

// requestRefused shows the request page again with why the change was
// refused: input errors next to the reschedule fields, anything else on top.
// A request that cannot be read becomes an error page.
func (h *handler) requestRefused(w http.ResponseWriter, r *http.Request, req *queue.Request,
	f rescheduleForm, err error) {
	id := r.PathValue("id")
	if id == "" && req != nil {
		id = req.ID
	}
	if fresh, getErr := h.svc.Get(r.Context(), id); getErr == nil {
		req = fresh
	} else if req == nil || errors.Is(err, queue.ErrNotFound) {
		h.fail(w, r, errors.Join(err, getErr))
		return
	}

	p := describe(err, requestID(r))
	note(r, err)
	page := h.newRequestPage(req)
	if f.Start != "" || f.TimeZone != "" {
		f.Errors = fieldErrors{}
		f.Offsets, page.Alert = placeError(p, f.Errors, f.Start, f.TimeZone, f.Offset,
			"start", "timezone")
		page.Reschedule = f
	} else {
		page.Alert = p.Message
	}
	h.render(w, r, p.Status, "Activation of "+req.Login, "queue", requestPageView(page))
}
