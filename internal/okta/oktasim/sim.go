// Package oktasim simulates the user endpoints of the Okta Management API
// that dayone calls: get a user by id or login, list users with a filter,
// activate and reactivate. It answers like Okta does (status codes, error
// objects, rate limit headers), checks an SSWS token, can inject faults and
// keeps a log of the calls for tests. It never logs anything.
//
// NewServer runs it on 127.0.0.1 like httptest; New and Handler let a
// program serve it on a listener of its own.
package oktasim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Okta's user statuses.
const (
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"
	StatusActive          = "ACTIVE"
	StatusRecovery        = "RECOVERY"
	StatusLockedOut       = "LOCKED_OUT"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
)

var statuses = []string{
	StatusStaged, StatusProvisioned, StatusActive, StatusRecovery,
	StatusLockedOut, StatusPasswordExpired, StatusSuspended, StatusDeprovisioned,
}

// User is a simulated Okta user.
type User struct {
	ID            string // Okta-like: 20 characters starting with "00u"
	Login         string
	Status        string
	Created       time.Time
	Activated     time.Time // zero until the user is ACTIVE
	StatusChanged time.Time
}

// Sim is the simulated Okta org. Its methods are safe for concurrent use.
type Sim struct {
	mu       sync.Mutex
	token    string
	users    []*User
	links    map[string]string // user id → last activation token issued
	demo     []string          // logins seeded by SeedDemo
	calls    []*Call
	emails   []Email
	limit    rateLimit
	queue    []reply // canned answers, first in first out
	delay    time.Duration
	omitLink bool
}

// Option configures a Sim.
type Option func(*Sim)

// WithToken sets the API token instead of a random one; an empty token
// keeps the random one.
func WithToken(token string) Option {
	return func(s *Sim) {
		if token != "" {
			s.token = token
		}
	}
}

// WithRateLimit allows limit requests per window, counted from the first
// request of each window; the default is 600 a minute. Values of zero or
// less keep the default.
func WithRateLimit(limit int, window time.Duration) Option {
	return func(s *Sim) {
		if limit > 0 && window > 0 {
			s.limit = rateLimit{max: limit, window: window}
		}
	}
}

// WithDemoUsers seeds the demo users of SeedDemo for the given domain.
func WithDemoUsers(domain string) Option {
	return func(s *Sim) { s.SeedDemo(domain) }
}

// New returns a simulated org with a random token and no users.
func New(opts ...Option) *Sim {
	s := &Sim{
		token: "00" + randomString(40, tokenChars),
		links: map[string]string{},
		limit: rateLimit{max: 600, window: time.Minute},
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Handler returns the HTTP handler that serves the API.
func (s *Sim) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Token returns the API token that requests must carry as "SSWS <token>".
func (s *Sim) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// AddUser adds a user and returns it. It panics when status is not one of
// Okta's or another user already has the login: both are mistakes in a
// test's setup, which Okta would refuse as well.
func (s *Sim) AddUser(login, status string) User {
	checkStatus(status)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byLogin(login) != nil {
		panic(fmt.Sprintf("oktasim: a user with login %q exists already", login))
	}
	return *s.add(login, status)
}

// add adds a user whose login is free; s.mu must be held.
func (s *Sim) add(login, status string) *User {
	now := time.Now()
	u := &User{ID: newUserID(), Login: login, Status: status, Created: now, StatusChanged: now}
	if status == StatusActive {
		u.Activated = now
	}
	s.users = append(s.users, u)
	return u
}

// User returns the user with the login (compared without regard to case).
func (s *Sim) User(login string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.byLogin(login); u != nil {
		return *u, true
	}
	return User{}, false
}

// Users returns every user in the order they were added.
func (s *Sim) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = *u
	}
	return out
}

// SetStatus changes a user's status and reports whether the login exists.
// It panics when status is not one of Okta's.
func (s *Sim) SetStatus(login, status string) bool {
	checkStatus(status)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byLogin(login)
	if u == nil {
		return false
	}
	s.setStatus(u, status)
	return true
}

// CompleteActivation plays the user who follows the activation link or
// email: a PROVISIONED user becomes ACTIVE. It reports whether that happened.
func (s *Sim) CompleteActivation(login string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byLogin(login)
	if u == nil || u.Status != StatusProvisioned {
		return false
	}
	s.setStatus(u, StatusActive)
	return true
}

// ActivationToken returns the last activation token issued for the user
// with sendEmail=false, so that a test can check it leaks nowhere.
func (s *Sim) ActivationToken(login string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byLogin(login)
	if u == nil {
		return "", false
	}
	token, ok := s.links[u.ID]
	return token, ok
}

func (s *Sim) setStatus(u *User, status string) {
	u.Status, u.StatusChanged = status, time.Now()
	if status == StatusActive {
		u.Activated = u.StatusChanged
		delete(s.links, u.ID)
	}
}

func (s *Sim) byLogin(login string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Login, login) {
			return u
		}
	}
	return nil
}

// lookup finds a user as Okta's GET /users/{id} does: by id, by login, or
// by the login's short name (the part before "@") when only one user has it.
func (s *Sim) lookup(key string) *User {
	for _, u := range s.users {
		if u.ID == key {
			return u
		}
	}
	if u := s.byLogin(key); u != nil || strings.Contains(key, "@") {
		return u
	}

	var found *User
	for _, u := range s.users {
		short, _, _ := strings.Cut(u.Login, "@")
		if strings.EqualFold(short, key) {
			if found != nil {
				return nil
			}
			found = u
		}
	}
	return found
}

func checkStatus(status string) {
	if slices.Contains(statuses, status) {
		return
	}
	panic(fmt.Sprintf("oktasim: %q is not an Okta user status", status))
}
