package oktasim

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Call is one request the simulator received.
type Call struct {
	Method string
	Path   string // the escaped path as received, such as /api/v1/users/a%2Bb@x.com
	Query  string // the raw query as received
	Status int    // 0 while unanswered, or when the client left first
	At     time.Time
}

// Param returns the decoded value of a query parameter of the call.
func (c Call) Param(name string) string {
	q, _ := url.ParseQuery(c.Query)
	return q.Get(name)
}

// Email is an email the simulated org sent.
type Email struct {
	Login string
	Kind  string // "activation" or "reactivation"
	At    time.Time
}

// Calls returns the calls received so far, oldest first.
func (s *Sim) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = *c
	}
	return out
}

// ResetCalls forgets the calls received so far.
func (s *Sim) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// ActivateCalls counts the activate calls that named the user, by id or
// by login, whatever their outcome.
func (s *Sim) ActivateCalls(login string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byLogin(login)
	if u == nil {
		return 0
	}

	n := 0
	for _, c := range s.calls {
		segs, err := splitPath(c.Path)
		if err != nil || c.Method != http.MethodPost || len(segs) != 6 {
			continue
		}
		named := segs[3] == u.ID || strings.EqualFold(segs[3], u.Login)
		if named && segs[4] == "lifecycle" && segs[5] == "activate" {
			n++
		}
	}
	return n
}

// Emails returns the emails sent so far, oldest first. They hold no link.
func (s *Sim) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.emails...)
}

// logCall records the start of a request.
func (s *Sim) logCall(r *http.Request) *Call {
	c := &Call{
		Method: r.Method,
		Path:   r.URL.EscapedPath(),
		Query:  r.URL.RawQuery,
		At:     time.Now(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	return c
}

// setCallStatus records the answer to a logged call.
func (s *Sim) setCallStatus(c *Call, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Status = status
}

// splitPath splits an escaped path into decoded segments. A segment may
// then hold a "/" that was sent as %2F.
func splitPath(escaped string) ([]string, error) {
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, seg := range segs {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return nil, err
		}
		segs[i] = dec
	}
	return segs, nil
}
