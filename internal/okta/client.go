// Package okta is a small client for the user endpoints of the Okta Management
// API that dayone needs: find a user by login, activate it, resend its
// activation. It speaks plain net/http, retries what is safe to retry, and
// reports Okta's failures as *Error values whose messages are safe to show.
package okta

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New to the zero fields of a Config.
const (
	DefaultTimeout     = 15 * time.Second
	DefaultUserAgent   = "dayone/1 (+okta-client)"
	DefaultMaxAttempts = 4
	DefaultMinBackoff  = 200 * time.Millisecond
	DefaultMaxBackoff  = 5 * time.Second
)

// Config configures a Client. Only OrgURL and Token are required.
type Config struct {
	// OrgURL is the base URL of the Okta org (the OKTA_ORG_URL setting), such
	// as https://acme.okta.com. It must use https; http is accepted only for
	// a loopback host (127.0.0.1, ::1, localhost), where the simulator runs.
	OrgURL string

	// Token is an Okta API token, sent as "SSWS <token>". It never appears in
	// an error message or in String.
	Token string

	// HTTPClient sends the requests. Nil means a client with DefaultTimeout
	// that does not follow redirects.
	HTTPClient *http.Client

	// UserAgent names dayone to Okta. Empty means DefaultUserAgent.
	UserAgent string

	// MaxAttempts bounds the attempts per call, the first included.
	// Zero or less means DefaultMaxAttempts; 1 turns retries off.
	MaxAttempts int

	// MinBackoff and MaxBackoff bound the waits between attempts after a
	// server or network failure. Zero means the defaults.
	MinBackoff, MaxBackoff time.Duration
}

// String describes the configuration without the token.
func (c Config) String() string {
	return fmt.Sprintf("okta.Config{OrgURL: %q, Token: %s, UserAgent: %q, "+
		"MaxAttempts: %d, MinBackoff: %s, MaxBackoff: %s}",
		c.OrgURL, redacted(c.Token), c.UserAgent, c.MaxAttempts, c.MinBackoff, c.MaxBackoff)
}

// GoString is String, so that %#v does not print the token either.
func (c Config) GoString() string { return c.String() }

// Client calls the Okta Management API. It is safe for concurrent use.
type Client struct {
	base        string // scheme://host[:port], no trailing slash
	token       string
	hc          *http.Client
	userAgent   string
	maxAttempts int
	minBackoff  time.Duration
	maxBackoff  time.Duration
}

// New checks cfg and returns a Client. The errors name the setting at fault
// (OKTA_ORG_URL, the token) and never contain the token.
func New(cfg Config) (*Client, error) {
	base, err := parseOrgURL(cfg.OrgURL)
	if err != nil {
		return nil, err
	}
	token, err := checkToken(cfg.Token)
	if err != nil {
		return nil, err
	}

	c := &Client{
		base:        base,
		token:       token,
		hc:          cfg.HTTPClient,
		userAgent:   cmp.Or(cfg.UserAgent, DefaultUserAgent),
		maxAttempts: cfg.MaxAttempts,
		minBackoff:  cmp.Or(cfg.MinBackoff, DefaultMinBackoff),
		maxBackoff:  cmp.Or(cfg.MaxBackoff, DefaultMaxBackoff),
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout, CheckRedirect: noRedirect}
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	c.maxBackoff = max(c.maxBackoff, c.minBackoff)
	return c, nil
}

// OrgURL returns the org's base URL as the client uses it, port included.
func (c *Client) OrgURL() string { return c.base }

// String describes the client without the token.
func (c *Client) String() string {
	return fmt.Sprintf("okta.Client{OrgURL: %q, Token: %s}", c.base, redacted(c.token))
}

// GoString is String, so that %#v does not print the token either.
func (c *Client) GoString() string { return c.String() }

// parseOrgURL returns scheme://host[:port] of a valid org URL.
func parseOrgURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("okta: OKTA_ORG_URL is empty; " +
			"set it to the org's URL, such as https://acme.okta.com")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the url.Error repeats the whole input
		}
		return "", fmt.Errorf("okta: OKTA_ORG_URL is not a valid URL: %w", err)
	}
	if err := checkOrgURL(u); err != nil {
		return "", err
	}
	return strings.ToLower(u.Scheme) + "://" + u.Host, nil
}

func checkOrgURL(u *url.URL) error {
	switch {
	case u.Host == "" || u.Opaque != "":
		return errors.New("okta: OKTA_ORG_URL must be an absolute URL " +
			"such as https://acme.okta.com")
	case u.User != nil:
		return errors.New("okta: OKTA_ORG_URL must not contain a user name or password")
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("okta: OKTA_ORG_URL must be the org's base URL without "+
			"a path, such as %s://%s", u.Scheme, u.Host)
	}

	scheme := strings.ToLower(u.Scheme)
	if scheme == "https" || (scheme == "http" && isLoopback(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("okta: OKTA_ORG_URL must use https (http is allowed only "+
		"for 127.0.0.1, ::1 or localhost), not %s://%s", u.Scheme, u.Host)
}

func isLoopback(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}

// checkToken returns the token without surrounding blanks or a pasted
// "SSWS " prefix.
func checkToken(token string) (string, error) {
	token = strings.TrimSpace(token)
	if len(token) >= 4 && strings.EqualFold(token[:4], "SSWS") &&
		(len(token) == 4 || token[4] == ' ') {
		token = strings.TrimSpace(token[4:])
	}
	if token == "" {
		return "", errors.New("okta: the API token is empty")
	}
	for _, r := range token {
		if r <= ' ' || r == 0x7f {
			return "", errors.New("okta: the API token contains blanks or control characters")
		}
	}
	return token, nil
}

func redacted(token string) string {
	if token == "" {
		return `""`
	}
	return "[redacted]"
}

// noRedirect keeps the response of a redirect: the Okta API does not
// redirect, and the Authorization header must not follow one elsewhere.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
