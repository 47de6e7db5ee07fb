package oktasim

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"
)

// serve logs the call, waits the configured delay, and answers.
func (s *Sim) serve(w http.ResponseWriter, r *http.Request) {
	call := s.logCall(r)
	if !s.wait(r.Context()) {
		return // the client left; its call keeps status 0
	}

	rep := s.handle(r)
	s.setCallStatus(call, rep.status)
	rep.write(w)
}

// handle builds the answer: canned faults first, then the token, the rate
// limit and the route, as Okta checks them.
func (s *Sim) handle(r *http.Request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()

	rep, canned := s.popCanned()
	switch {
	case canned:
	case !s.authorized(r):
		rep = errorReply(http.StatusUnauthorized, "E0000011", "Invalid token provided")
	case !s.limit.take(now):
		rep = errorReply(http.StatusTooManyRequests, "E0000047",
			"API call exceeded rate limit due to too many requests.")
	default:
		rep = s.route(r)
	}

	s.limit.setHeaders(rep.header, now)
	setDefault(rep.header, "X-Okta-Request-Id", randomString(27, idChars))
	return rep
}

func (s *Sim) authorized(r *http.Request) bool {
	got := []byte(r.Header.Get("Authorization"))
	want := []byte("SSWS " + s.token)
	return subtle.ConstantTimeCompare(got, want) == 1
}

// route dispatches on the decoded segments of the escaped path, so that a
// login's %2B stays "+" and a literal "+" stays "+" too.
func (s *Sim) route(r *http.Request) reply {
	segs, err := splitPath(r.URL.EscapedPath())
	if err != nil {
		return errorReply(http.StatusBadRequest, "E0000003",
			"The request body was not well-formed.", "bad escape in the path")
	}
	if len(segs) < 3 || segs[0] != "api" || segs[1] != "v1" || segs[2] != "users" {
		return notFound(r.URL.EscapedPath(), "Path")
	}

	rest := segs[3:]
	switch {
	case len(rest) == 0:
		return s.onList(r)
	case len(rest) == 1 && !strings.Contains(rest[0], "/"):
		return s.onUser(r, rest[0])
	case len(rest) == 3 && rest[1] == "lifecycle" && !strings.Contains(rest[0], "/"):
		return s.onLifecycle(r, rest[0], rest[2])
	}
	// Like Okta: a login with a slash, plain or encoded, matches no route.
	return methodNotAllowed("")
}

// onList serves GET /api/v1/users, with filter= or search= if given.
func (s *Sim) onList(r *http.Request) reply {
	if r.Method != http.MethodGet {
		return methodNotAllowed(http.MethodGet)
	}
	q := r.URL.Query()
	expr := q.Get("search")
	if expr == "" {
		expr = q.Get("filter")
	}

	// Like Okta, a list without a filter leaves DEPROVISIONED users out.
	match := func(u *User) bool { return u.Status != StatusDeprovisioned }
	if expr != "" {
		f, err := parseFilter(expr)
		if err != nil {
			return errorReply(http.StatusBadRequest, "E0000031",
				"Invalid search criteria.", err.Error())
		}
		match = f.match
	}

	out := []apiUser{}
	for _, u := range s.users {
		if match(u) {
			out = append(out, toAPI(u, orgURL(r)))
		}
	}
	return jsonReply(http.StatusOK, out)
}

// onUser serves GET /api/v1/users/{idOrLogin}.
func (s *Sim) onUser(r *http.Request, key string) reply {
	if r.Method != http.MethodGet {
		return methodNotAllowed(http.MethodGet)
	}
	u := s.lookup(key)
	if u == nil {
		return notFound(key, "User")
	}
	return jsonReply(http.StatusOK, toAPI(u, orgURL(r)))
}

// onLifecycle serves POST /api/v1/users/{id}/lifecycle/{activate,reactivate}.
func (s *Sim) onLifecycle(r *http.Request, key, action string) reply {
	if action != "activate" && action != "reactivate" {
		return notFound(action, "Operation")
	}
	if r.Method != http.MethodPost {
		return methodNotAllowed(http.MethodPost)
	}
	u := s.lookup(key)
	if u == nil {
		return notFound(key, "User")
	}
	sendEmail, err := sendEmailParam(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, "E0000001", "Api validation failed: sendEmail",
			"sendEmail: "+err.Error())
	}

	if action == "activate" {
		return s.activate(r, u, sendEmail)
	}
	return s.reactivate(r, u, sendEmail)
}

func (s *Sim) activate(r *http.Request, u *User, sendEmail bool) reply {
	if u.Status != StatusStaged && u.Status != StatusDeprovisioned {
		return errorReply(http.StatusForbidden, "E0000016",
			"Activation failed because the user is already active")
	}
	s.setStatus(u, StatusProvisioned)
	return s.issue(r, u, sendEmail, "activation")
}

func (s *Sim) reactivate(r *http.Request, u *User, sendEmail bool) reply {
	if u.Status != StatusProvisioned {
		return errorReply(http.StatusForbidden, "E0000038",
			"This operation is not allowed in the user's current status.")
	}
	return s.issue(r, u, sendEmail, "reactivation")
}

// issue sends the email, or answers with a new activation link.
func (s *Sim) issue(r *http.Request, u *User, sendEmail bool, kind string) reply {
	if sendEmail {
		s.emails = append(s.emails, Email{Login: u.Login, Kind: kind, At: time.Now()})
		return jsonReply(http.StatusOK, struct{}{})
	}
	if s.omitLink {
		return jsonReply(http.StatusOK, struct{}{})
	}

	token := randomString(20, idChars)
	s.links[u.ID] = token
	return jsonReply(http.StatusOK, map[string]string{
		"activationUrl":   "https://" + r.Host + "/welcome/" + token,
		"activationToken": token,
	})
}

// sendEmailParam reads sendEmail; Okta's default is true.
func sendEmailParam(r *http.Request) (bool, error) {
	switch strings.ToLower(r.URL.Query().Get("sendEmail")) {
	case "", "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errors.New("must be true or false")
}

func orgURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
