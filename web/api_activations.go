package web

import (
	"net/http"

	"github.com/dayone/dayone/internal/queue"
)

// activateBody is the body of POST /api/activations.
type activateBody struct {
	Login     string `json:"login"`
	SendEmail *bool  `json:"send_email"` // nil: the configured default
}

// apiCreateActivation activates a user now: 200 with the request as the
// attempt left it, also when the activation failed, and when Okta failed for
// a reason that may pass and a retry is armed (the request is scheduled and
// its result names the retry's time); 502 with the request when no retry
// could be armed.
func (h *handler) apiCreateActivation(w http.ResponseWriter, r *http.Request) {
	var b activateBody
	if err := decodeJSON(r, &b); err != nil {
		h.apiFail(w, r, err, nil)
		return
	}
	if err := checkLimits(field{"login", b.Login}); err != nil {
		h.apiFail(w, r, err, nil)
		return
	}

	req, err := h.svc.ActivateNow(r.Context(), queue.ActivateInput{
		Login: b.Login, SendEmail: h.sendEmail(b.SendEmail), Actor: h.opts.Actor(r),
	})
	if err != nil {
		h.apiFail(w, r, err, req)
		return
	}
	h.logActivation(r, req)
	writeJSON(w, http.StatusOK, toJSON(req))
}
