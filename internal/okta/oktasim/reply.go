package oktasim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// reply is an answer, built under the lock and written after.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) write(w http.ResponseWriter) {
	for k, vs := range r.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body) // the client may have left; nothing to do about it
}

// apiError is Okta's error object.
type apiError struct {
	Code    string       `json:"errorCode"`
	Summary string       `json:"errorSummary"`
	Link    string       `json:"errorLink"`
	ID      string       `json:"errorId"`
	Causes  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	Summary string `json:"errorSummary"`
}

func errorReply(status int, code, summary string, causes ...string) reply {
	e := apiError{Code: code, Summary: summary, Link: code,
		ID: "oae" + randomString(22, idChars), Causes: []errorCause{}}
	for _, c := range causes {
		e.Causes = append(e.Causes, errorCause{Summary: c})
	}
	return jsonReply(status, e)
}

func jsonReply(status int, v any) reply {
	body, err := json.Marshal(v)
	if err != nil {
		// Only the package's own types are marshalled; this is a bug.
		panic("oktasim: " + err.Error())
	}
	h := http.Header{"Content-Type": {"application/json"}}
	return reply{status: status, header: h, body: body}
}

func notFound(key, what string) reply {
	return errorReply(http.StatusNotFound, "E0000007",
		"Not found: Resource not found: "+key+" ("+what+")")
}

func methodNotAllowed(allow string) reply {
	r := errorReply(http.StatusMethodNotAllowed, "E0000022",
		"The endpoint does not support the provided HTTP method")
	if allow != "" {
		r.header.Set("Allow", allow)
	}
	return r
}

// apiUser is Okta's user object, with the fields dayone might look at.
type apiUser struct {
	ID              string      `json:"id"`
	Status          string      `json:"status"`
	Created         string      `json:"created"`
	Activated       *string     `json:"activated"`
	StatusChanged   *string     `json:"statusChanged"`
	LastLogin       *string     `json:"lastLogin"`
	LastUpdated     string      `json:"lastUpdated"`
	PasswordChanged *string     `json:"passwordChanged"`
	Profile         userProfile `json:"profile"`
	Credentials     struct {
		Provider struct {
			Type string `json:"type"`
			Name string `json:"name"`
		} `json:"provider"`
	} `json:"credentials"`
	Links map[string]link `json:"_links"`
}

type userProfile struct {
	FirstName   string  `json:"firstName"`
	LastName    string  `json:"lastName"`
	MobilePhone *string `json:"mobilePhone"`
	SecondEmail *string `json:"secondEmail"`
	Login       string  `json:"login"`
	Email       string  `json:"email"`
}

type link struct {
	Href string `json:"href"`
}

// toAPI renders u as Okta does; base is the org's URL.
func toAPI(u *User, base string) apiUser {
	first, last := namesOf(u.Login)
	profile := userProfile{FirstName: first, LastName: last, Login: u.Login, Email: u.Login}
	a := apiUser{
		ID:            u.ID,
		Status:        u.Status,
		Created:       stamp(u.Created),
		Activated:     optStamp(u.Activated),
		StatusChanged: optStamp(u.StatusChanged),
		LastUpdated:   stamp(u.StatusChanged),
		Profile:       profile,
		Links:         map[string]link{"self": {Href: base + "/api/v1/users/" + u.ID}},
	}
	a.Credentials.Provider.Type, a.Credentials.Provider.Name = "OKTA", "OKTA"
	return a
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optStamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

// namesOf makes first and last names from a login: ada.lovelace@x → Ada Lovelace.
func namesOf(login string) (string, string) {
	local, _, _ := strings.Cut(login, "@")
	first, last, ok := strings.Cut(local, ".")
	if !ok {
		last = "User"
	}
	return title(first), title(last)
}

func title(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
