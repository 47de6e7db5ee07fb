package web

import (
	"log/slog"
	"net/http"

	"github.com/dayone/dayone/internal/queue"
)

// createActivation activates a user now from the form and shows the outcome.
func (h *handler) createActivation(w http.ResponseWriter, r *http.Request) {
	f, err := readActivateForm(r)
	if err != nil {
		h.activateRefused(w, r, f, err)
		return
	}

	req, err := h.svc.ActivateNow(r.Context(), queue.ActivateInput{
		Login: f.Login, SendEmail: f.SendEmail, Actor: h.opts.Actor(r),
	})
	switch {
	case err == nil:
		h.logActivation(r, req)
		http.Redirect(w, r, requestHref(req.ID)+"?done=activated", http.StatusSeeOther)
	case req != nil:
		// The request exists, but the attempt did not finish: show where it stands.
		h.requestRefused(w, r, req, rescheduleForm{}, err)
	default:
		h.activateRefused(w, r, f, err)
	}
}

// activateRefused shows the Activate now form again, as typed, with the error.
func (h *handler) activateRefused(w http.ResponseWriter, r *http.Request, f activateForm,
	err error) {
	p := describe(err, requestID(r))
	note(r, err)

	f.Errors = fieldErrors{}
	_, f.Alert = placeError(p, f.Errors, "", "", "", "login")
	if p.ExistingID != "" {
		f.Existing = requestHref(p.ExistingID)
	}

	v := h.newHome()
	v.Activate = f
	h.render(w, r, p.Status, "Schedule", "schedule", homePage(v))
}

// logActivation leaves one line per finished Activate now, so that the log
// tells what happened without opening the queue; the edge logs the errors.
func (h *handler) logActivation(r *http.Request, req *queue.Request) {
	level := slog.LevelInfo
	if req.Status != queue.StatusActivated {
		level = slog.LevelWarn
	}
	h.log.Log(r.Context(), level, "dayone: activate now", "request_id", requestID(r),
		"id", req.ID, "login", req.Login, "status", req.Status, "result", req.Result)
}
