package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/dayone/dayone/internal/queue"
)

// config is every setting of the web binary, read once from the environment.
type config struct {
	Addr          string   // DAYONE_ADDR: where the web server listens, loopback only
	DBPath        string   // DAYONE_DB: the bbolt file
	TimeZone      string   // DAYONE_TIMEZONE: the default zone of the forms and the queue
	LoginDomains  []string // DAYONE_LOGIN_DOMAINS: allowed e-mail domains; empty allows any
	AllowReenable bool     // DAYONE_ALLOW_REENABLE: may activate a DEPROVISIONED account

	OktaOrgURL    string // OKTA_ORG_URL: empty means local mode with the Okta simulator
	OktaToken     secret // OKTA_API_TOKEN: required with OKTA_ORG_URL
	OktaSendEmail bool   // OKTA_SEND_EMAIL: the default of "send activation email"

	AWS awsSettings // DynamoDB, EventBridge Scheduler and the worker Lambda
}

// Local reports whether dayone runs against the Okta simulator.
func (c config) Local() bool { return c.OktaOrgURL == "" && !c.AWS.EventBridge() }

// secret is a setting that must never be printed; fmt and slog show it redacted.
type secret string

func (s secret) String() string   { return "[redacted]" }
func (s secret) GoString() string { return "[redacted]" }

// LogValue keeps the token out of slog's text and JSON output.
func (s secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalJSON keeps the token out of any JSON the config is written into.
func (s secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// The defaults of the settings.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "dayone.db"
)

// loadConfig reads and checks the settings. The error names every setting
// that is wrong, and never holds the token.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:     or(getenv("DAYONE_ADDR"), defaultAddr),
		DBPath:   or(getenv("DAYONE_DB"), defaultDB),
		TimeZone: or(getenv("DAYONE_TIMEZONE"), queue.DefaultZone),

		OktaOrgURL: strings.TrimSpace(getenv("OKTA_ORG_URL")),
		OktaToken:  secret(strings.TrimSpace(getenv("OKTA_API_TOKEN"))),
	}

	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	c.AWS, err = readAWS(getenv)
	add(err)
	if !c.AWS.InLambda {
		add(checkAddr(c.Addr))
	}
	add(checkZone(c.TimeZone))
	if c.AWS.EventBridge() {
		add(checkNoOkta(c.OktaOrgURL, c.OktaToken))
	} else {
		add(checkOkta(c.OktaOrgURL, c.OktaToken))
	}

	c.LoginDomains, err = parseDomains(getenv("DAYONE_LOGIN_DOMAINS"))
	add(err)
	c.OktaSendEmail, err = parseBool("OKTA_SEND_EMAIL", getenv("OKTA_SEND_EMAIL"), true)
	add(err)
	c.AllowReenable, err = parseBool("DAYONE_ALLOW_REENABLE",
		getenv("DAYONE_ALLOW_REENABLE"), false)
	add(err)
	if strings.TrimSpace(c.DBPath) == "" {
		add(errors.New("DAYONE_DB must name a file"))
	}
	return c, errors.Join(errs...)
}

func or(v, fallback string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return fallback
}

// checkAddr refuses every address but loopback: dayone has no sign-in yet.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("DAYONE_ADDR %q is not host:port, such as %s", addr, defaultAddr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("DAYONE_ADDR %q has no valid port", addr)
	}
	if !loopback(host) {
		// TODO(auth): allow other addresses once dayone has sign-in.
		return fmt.Errorf("DAYONE_ADDR %q is not a loopback address; dayone has no "+
			"sign-in yet, so it listens only on 127.0.0.1, ::1 or localhost", addr)
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkZone(zone string) error {
	if _, err := queue.LoadZone(zone); err != nil {
		return fmt.Errorf("DAYONE_TIMEZONE: %w", err)
	}
	return nil
}

// checkOkta checks the org URL and that a token comes with it. It quotes
// neither the token nor anything after the URL's host.
func checkOkta(orgURL string, token secret) error {
	if orgURL == "" {
		if token != "" {
			return errors.New("OKTA_API_TOKEN is set but OKTA_ORG_URL is not; set both " +
				"for a real Okta org, or neither for local mode with the simulator")
		}
		return nil
	}

	u, err := url.Parse(orgURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("OKTA_ORG_URL must be a URL such as https://acme.okta.com")
	}
	var errs []error
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		errs = append(errs, fmt.Errorf("OKTA_ORG_URL must use https; http is allowed "+
			"only for a loopback host, not %s", u.Hostname()))
	}
	if token == "" {
		errs = append(errs, errors.New("OKTA_API_TOKEN is required when OKTA_ORG_URL is set"))
	}
	return errors.Join(errs...)
}

// checkNoOkta keeps the Okta token out of the web when the worker Lambda
// activates: only the worker holds it.
func checkNoOkta(orgURL string, token secret) error {
	if orgURL == "" && token == "" {
		return nil
	}
	return errors.New("OKTA_ORG_URL and OKTA_API_TOKEN must not be set with " +
		"DAYONE_WORKER_ARN: only the worker holds the Okta token")
}

// parseDomains reads a comma-separated list of e-mail domains.
func parseDomains(v string) ([]string, error) {
	var domains []string
	for _, d := range strings.Split(v, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if strings.ContainsAny(d, "@/ \t") || !strings.Contains(d, ".") {
			return nil, fmt.Errorf("DAYONE_LOGIN_DOMAINS: %q is not a domain such as "+
				"example.com", d)
		}
		domains = append(domains, d)
	}
	return domains, nil
}

func parseBool(name, v string, fallback bool) (bool, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return fallback, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fallback, fmt.Errorf("%s %q is not true or false", name, v)
	}
	return b, nil
}
