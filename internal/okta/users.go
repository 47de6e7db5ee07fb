package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// User is an Okta user as far as activation cares.
type User struct {
	ID    string
	Login string
	// Status is Okta's: STAGED, PROVISIONED, ACTIVE, RECOVERY, LOCKED_OUT,
	// PASSWORD_EXPIRED, SUSPENDED or DEPROVISIONED.
	Status string
}

// ActivationResult is what an activate call came to.
type ActivationResult struct {
	// LinkIssued is true when Okta returned an activation link instead of
	// sending the email. The link itself is dropped at once.
	LinkIssued bool
}

// FindUser returns the user whose login is exactly login (compared without
// regard to case). A login is sent as one escaped path segment; a login
// that a path cannot carry (one with a slash or a backslash) is looked up
// through the list endpoint's filter instead. A near match, such as the
// user Okta finds by a short name, counts as not found.
//
// Errors: ErrNotFound, ErrAmbiguous, or any other *Error of the call.
func (c *Client) FindUser(ctx context.Context, login string) (User, error) {
	if login == "" {
		return User{}, errors.New("okta: the login is empty")
	}
	if !pathSafe(login) {
		return c.findByFilter(ctx, login)
	}

	var u apiUser
	if err := c.do(ctx, http.MethodGet, userPath(login), nil, &u); err != nil {
		return User{}, err
	}
	if !strings.EqualFold(u.Profile.Login, login) {
		return User{}, &Error{Kind: KindNotFound,
			detail: "Okta matched another login (a short name?), not " + login}
	}
	return u.user()
}

// findByFilter looks login up with filter=profile.login eq "…" and keeps
// only exact matches.
func (c *Client) findByFilter(ctx context.Context, login string) (User, error) {
	q := url.Values{"filter": {`profile.login eq "` + quoteFilter(login) + `"`}}
	var found []apiUser
	if err := c.do(ctx, http.MethodGet, "/api/v1/users", q, &found); err != nil {
		return User{}, err
	}

	var exact []apiUser
	for _, u := range found {
		if strings.EqualFold(u.Profile.Login, login) {
			exact = append(exact, u)
		}
	}
	switch len(exact) {
	case 0:
		return User{}, &Error{Kind: KindNotFound, detail: "no user has exactly the login " + login}
	case 1:
		return exact[0].user()
	}
	return User{}, &Error{Kind: KindAmbiguous,
		detail: strconv.Itoa(len(exact)) + " users have the login " + login}
}

// Activate activates a STAGED or DEPROVISIONED user. sendEmail is always
// sent explicitly, as Okta's default is to send the email. With sendEmail
// false, Okta answers with an activation link: its absence is an error of
// KindNoLink, since nobody could finish the activation.
//
// A call that failed with a 5xx or on the network is retried. That is safe:
// if the first call did reach Okta, the retry fails with KindAlreadyActive
// (E0000016), which the caller must treat as "activated, outcome unknown".
//
// Errors: ErrNotFound, ErrAlreadyActive, ErrNoLink, or any other *Error.
func (c *Client) Activate(ctx context.Context, userID string,
	sendEmail bool) (ActivationResult, error) {
	return c.lifecycle(ctx, userID, "activate", sendEmail)
}

// Reactivate restarts the activation of a PROVISIONED user, normally to
// resend the activation email. With sendEmail false Okta issues a new link,
// which is dropped, and KindNoLink is returned when none came back.
// Retrying after a 5xx is safe: the operation may be repeated.
//
// Errors: ErrNotFound, an *Error with code E0000038 when the user is not
// PROVISIONED, or any other *Error.
func (c *Client) Reactivate(ctx context.Context, userID string, sendEmail bool) error {
	_, err := c.lifecycle(ctx, userID, "reactivate", sendEmail)
	return err
}

func (c *Client) lifecycle(ctx context.Context, userID, action string,
	sendEmail bool) (ActivationResult, error) {
	if userID == "" {
		return ActivationResult{}, errors.New("okta: the user id is empty")
	}
	path := userPath(userID) + "/lifecycle/" + action
	q := url.Values{"sendEmail": {strconv.FormatBool(sendEmail)}}

	var body activationBody
	if err := c.do(ctx, http.MethodPost, path, q, &body); err != nil {
		return ActivationResult{}, err
	}
	if !sendEmail && !bool(body.URL) {
		return ActivationResult{}, &Error{Kind: KindNoLink}
	}
	return ActivationResult{LinkIssued: bool(body.URL)}, nil
}

// activationBody records whether an activation link came back, without
// ever decoding the link or the token into a string.
type activationBody struct {
	URL present `json:"activationUrl"`
}

type present bool

// UnmarshalJSON sets p when the value is a non-empty JSON string.
func (p *present) UnmarshalJSON(b []byte) error {
	*p = len(b) > 2 && b[0] == '"'
	return nil
}

// apiUser is the part of Okta's user object that the client reads.
type apiUser struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Profile struct {
		Login string `json:"login"`
	} `json:"profile"`
}

func (u apiUser) user() (User, error) {
	if u.ID == "" {
		return User{}, fmt.Errorf("okta: Okta returned a user without an id")
	}
	return User{ID: u.ID, Login: u.Profile.Login, Status: u.Status}, nil
}

// userPath returns /api/v1/users/ and the escaped id or login.
func userPath(idOrLogin string) string {
	return "/api/v1/users/" + escapeSegment(idOrLogin)
}

// escapeSegment escapes s as one path segment. Unlike url.PathEscape it
// also escapes "+", which some servers read as a space.
func escapeSegment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "+", "%2B")
}

// pathSafe reports whether a login can travel as a path segment. Okta
// cannot route an encoded slash (it answers 405); backslashes and dot
// segments are rejected or rewritten by many HTTP servers and proxies.
func pathSafe(login string) bool {
	return !strings.ContainsAny(login, `/\`) && login != "." && login != ".."
}

// quoteFilter escapes a value for a double-quoted string of Okta's filter
// language.
func quoteFilter(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
