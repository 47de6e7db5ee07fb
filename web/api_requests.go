package web

import (
	"net/http"

	"github.com/dayone/dayone/internal/queue"
)

// scheduleBody is the body of POST /api/requests.
type scheduleBody struct {
	Login     string `json:"login"`
	Start     string `json:"start"`
	TimeZone  string `json:"timezone"`
	Offset    string `json:"offset"`
	SendEmail *bool  `json:"send_email"` // nil: the configured default
}

// rescheduleBody is the body of POST /api/requests/{id}/reschedule.
type rescheduleBody struct {
	Start    string `json:"start"`
	TimeZone string `json:"timezone"`
	Offset   string `json:"offset"`
}

// sendEmail is the value of an optional send_email field.
func (h *handler) sendEmail(v *bool) bool {
	if v == nil {
		return h.opts.DefaultSendEmail
	}
	return *v
}

// apiCreateRequest schedules an activation: 201 with the request.
func (h *handler) apiCreateRequest(w http.ResponseWriter, r *http.Request) {
	var b scheduleBody
	if err := decodeJSON(r, &b); err != nil {
		h.apiFail(w, r, err, nil)
		return
	}
	err := checkLimits(field{"login", b.Login}, field{"start", b.Start},
		field{"timezone", b.TimeZone}, field{"offset", b.Offset})
	if err != nil {
		h.apiFail(w, r, err, nil)
		return
	}

	req, err := h.svc.Schedule(r.Context(), queue.ScheduleInput{
		Login: b.Login, Start: b.Start, TimeZone: b.TimeZone, Offset: b.Offset,
		SendEmail: h.sendEmail(b.SendEmail), Actor: h.opts.Actor(r),
	})
	if err != nil {
		h.apiFail(w, r, schedulingError(req, err), req)
		return
	}
	w.Header().Set("Location", "/api"+requestHref(req.ID))
	writeJSON(w, http.StatusCreated, toJSON(req))
}

// apiListRequests returns a page of requests in due order.
func (h *handler) apiListRequests(w http.ResponseWriter, r *http.Request) {
	q, err := listQuery(r.URL.Query())
	if err != nil {
		h.apiFail(w, r, err, nil)
		return
	}
	page, err := h.svc.List(r.Context(), q)
	if err != nil {
		h.apiFail(w, r, err, nil)
		return
	}

	out := listJSON{Requests: make([]requestJSON, 0, len(page.Requests)),
		NextCursor: page.NextCursor}
	for _, req := range page.Requests {
		out.Requests = append(out.Requests, *toJSON(req))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiGetRequest returns one request, or 404.
func (h *handler) apiGetRequest(w http.ResponseWriter, r *http.Request) {
	req, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.apiFail(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(req))
}

// apiCancelRequest cancels a scheduled request: 200, or 409 when it is not
// scheduled any more.
func (h *handler) apiCancelRequest(w http.ResponseWriter, r *http.Request) {
	req, err := h.svc.Cancel(r.Context(), r.PathValue("id"), h.opts.Actor(r))
	if err != nil {
		h.apiFail(w, r, err, req)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(req))
}

// apiRescheduleRequest moves a scheduled request: 200, 409 or 422.
func (h *handler) apiRescheduleRequest(w http.ResponseWriter, r *http.Request) {
	var b rescheduleBody
	if err := decodeJSON(r, &b); err != nil {
		h.apiFail(w, r, err, nil)
		return
	}
	err := checkLimits(field{"start", b.Start}, field{"timezone", b.TimeZone},
		field{"offset", b.Offset})
	if err != nil {
		h.apiFail(w, r, err, nil)
		return
	}

	req, err := h.svc.Reschedule(r.Context(), r.PathValue("id"), queue.RescheduleInput{
		Start: b.Start, TimeZone: b.TimeZone, Offset: b.Offset, Actor: h.opts.Actor(r),
	})
	if err != nil {
		h.apiFail(w, r, err, req)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(req))
}
