package okta

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind sorts the failures of an Okta call.
type Kind int

// The kinds of *Error.
const (
	KindNotFound      Kind = iota + 1 // 404, E0000007: no such user
	KindAlreadyActive                 // E0000016: activate on a user that is not STAGED
	KindRateLimited                   // 429, E0000047
	KindInvalidToken                  // 401, E0000011: the API token is wrong or revoked
	KindMissingScope                  // 401/403 with error="insufficient_scope"
	KindNoPermission                  // 403, E0000006: the token's admin may not do this
	KindServer                        // 5xx
	KindNetwork                       // no answer: connection, TLS, timeout
	KindBadRequest                    // any other 4xx, such as E0000001 or E0000038
	KindNoLink                        // sendEmail=false, yet no activation link came back
	KindAmbiguous                     // several users have exactly the login
)

var kindNames = map[Kind]string{
	KindNotFound: "not_found", KindAlreadyActive: "already_active",
	KindRateLimited: "rate_limited", KindInvalidToken: "invalid_token",
	KindMissingScope: "missing_scope", KindNoPermission: "no_permission",
	KindServer: "server", KindNetwork: "network", KindBadRequest: "bad_request",
	KindNoLink: "no_link", KindAmbiguous: "ambiguous",
}

// String returns a short name of the kind, such as "not_found".
func (k Kind) String() string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// The sentinels that errors.Is matches against an *Error of the same kind.
var (
	ErrNotFound      = errors.New("okta: user not found")
	ErrAlreadyActive = errors.New("okta: activation failed because the user is already active")
	ErrRateLimited   = errors.New("okta: rate limit exceeded")
	ErrInvalidToken  = errors.New("okta: invalid API token; check the configured token " +
		"or create a new one in the Okta admin console")
	ErrMissingScope = errors.New("okta: the API credentials lack the " +
		"okta.users.manage scope")
	ErrNoPermission = errors.New("okta: missing admin permission: the token's admin " +
		"may not manage this user")
	ErrServer     = errors.New("okta: Okta server error")
	ErrNetwork    = errors.New("okta: network error talking to Okta")
	ErrBadRequest = errors.New("okta: request rejected by Okta")
	ErrNoLink     = errors.New("okta: activation returned no activation link; " +
		"nobody can finish the activation")
	ErrAmbiguous = errors.New("okta: several users have this login")
)

var sentinels = map[Kind]error{
	KindNotFound: ErrNotFound, KindAlreadyActive: ErrAlreadyActive,
	KindRateLimited: ErrRateLimited, KindInvalidToken: ErrInvalidToken,
	KindMissingScope: ErrMissingScope, KindNoPermission: ErrNoPermission,
	KindServer: ErrServer, KindNetwork: ErrNetwork, KindBadRequest: ErrBadRequest,
	KindNoLink: ErrNoLink, KindAmbiguous: ErrAmbiguous,
}

// Error is a failed Okta call. Its message names the problem and is safe to
// show: it never holds the API token nor an activation link.
type Error struct {
	Kind       Kind
	HTTPStatus int       // 0 when no response came back
	Code       string    // Okta's errorCode, such as E0000007
	Summary    string    // Okta's errorSummary
	RequestID  string    // X-Okta-Request-Id, or else the body's errorId
	Causes     []string  // the errorSummary of each errorCauses entry
	ResetAt    time.Time // KindRateLimited: when the limit resets, if Okta said

	detail string        // what the client itself found out
	wait   time.Duration // KindRateLimited: time to ResetAt by Okta's clock
	err    error         // KindNetwork: the transport failure
}

// Error returns the kind's message followed by what Okta said.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.message())
	if e.detail != "" {
		b.WriteString(": " + e.detail)
	}
	if e.Kind == KindBadRequest && e.Summary != "" {
		b.WriteString(": " + e.Summary)
		if len(e.Causes) > 0 {
			b.WriteString(" (" + strings.Join(e.Causes, "; ") + ")")
		}
	}
	if e.Kind == KindRateLimited && !e.ResetAt.IsZero() {
		b.WriteString("; it resets at " + e.ResetAt.UTC().Format(time.RFC3339))
	}
	if e.err != nil {
		b.WriteString(": " + e.err.Error())
	}
	b.WriteString(e.origin())
	return b.String()
}

// origin tells where the error came from: " (HTTP 404 E0000007, request id X)".
func (e *Error) origin() string {
	var parts []string
	if e.HTTPStatus != 0 {
		parts = append(parts, strings.TrimSpace("HTTP "+strconv.Itoa(e.HTTPStatus)+" "+e.Code))
	}
	if e.RequestID != "" {
		parts = append(parts, "request id "+e.RequestID)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func (k Kind) message() string {
	if s, ok := sentinels[k]; ok {
		return s.Error()
	}
	return "okta: call failed"
}

// Is reports whether target is the sentinel of e's kind, such as ErrNotFound.
func (e *Error) Is(target error) bool {
	s, ok := sentinels[e.Kind]
	return ok && target == s
}

// Unwrap returns the transport failure behind a KindNetwork error.
func (e *Error) Unwrap() error { return e.err }

// Temporary reports whether the failure may pass on its own: a rate limit,
// a server error or a network failure.
func (e *Error) Temporary() bool {
	return e.Kind == KindRateLimited || e.Kind == KindServer || e.Kind == KindNetwork
}

// apiError is the error object in Okta's answers.
type apiError struct {
	Code    string `json:"errorCode"`
	Summary string `json:"errorSummary"`
	ID      string `json:"errorId"`
	Causes  []struct {
		Summary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

// decodeError turns a non-2xx answer into an *Error.
func decodeError(resp *http.Response, body []byte) *Error {
	var ae apiError
	_ = json.Unmarshal(body, &ae) // a body that is not Okta's leaves ae empty

	e := &Error{
		HTTPStatus: resp.StatusCode,
		Code:       ae.Code,
		Summary:    ae.Summary,
		RequestID:  cmp.Or(resp.Header.Get("X-Okta-Request-Id"), ae.ID),
	}
	for _, c := range ae.Causes {
		e.Causes = append(e.Causes, c.Summary)
	}
	e.Kind = classify(resp.StatusCode, ae.Code, insufficientScope(resp.Header))
	if e.Kind == KindRateLimited {
		e.ResetAt, e.wait = rateReset(resp.Header)
	}
	return e
}

// classify maps an answer to a Kind; the order of the cases matters.
func classify(status int, code string, scopeMissing bool) Kind {
	switch {
	case scopeMissing && (status == http.StatusUnauthorized || status == http.StatusForbidden):
		return KindMissingScope
	case status == http.StatusTooManyRequests || code == "E0000047":
		return KindRateLimited
	case code == "E0000016":
		return KindAlreadyActive
	case status == http.StatusNotFound || code == "E0000007":
		return KindNotFound
	case status == http.StatusUnauthorized || code == "E0000011":
		return KindInvalidToken
	case code == "E0000006":
		return KindNoPermission
	case status >= 500:
		return KindServer
	}
	return KindBadRequest
}

func insufficientScope(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if strings.Contains(strings.ToLower(v), `error="insufficient_scope"`) {
			return true
		}
	}
	return false
}

// rateReset reads X-Rate-Limit-Reset (epoch seconds) and how far away it is
// by the server's Date, so that a skewed local clock does not matter.
func rateReset(h http.Header) (time.Time, time.Duration) {
	secs, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, 0
	}
	reset := time.Unix(secs, 0)

	now := time.Now()
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return reset, reset.Sub(now)
}
