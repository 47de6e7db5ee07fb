package web

import "net/http"

// home shows the schedule and Activate now forms; ?login= fills both in.
func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	v := h.newHome()
	if login := r.URL.Query().Get("login"); checkLimits(field{"login", login}) == nil {
		v.Schedule.Login, v.Activate.Login = login, login
	}
	h.render(w, r, http.StatusOK, "Schedule", "schedule", homePage(v))
}

// newHome is the schedule page with empty forms and their defaults.
func (h *handler) newHome() homeView {
	v := homeView{
		Schedule: scheduleForm{TimeZone: h.opts.DefaultZone, SendEmail: h.opts.DefaultSendEmail,
			Errors: fieldErrors{}},
		Activate: activateForm{SendEmail: h.opts.DefaultSendEmail, Errors: fieldErrors{}},
		Zones:    h.opts.Zones,
		Now:      nowText(h.opts.Clock(), h.opts.DefaultZone),
	}
	if h.opts.Local {
		v.DemoUsers = h.opts.DemoUsers
	}
	return v
}
