package oktasim

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// rateLimit counts requests in fixed windows that start with the first
// request after the previous window ended.
type rateLimit struct {
	max    int
	window time.Duration
	start  time.Time
	used   int
}

// roll starts a new window when the current one is over.
func (l *rateLimit) roll(now time.Time) {
	if l.start.IsZero() || !now.Before(l.start.Add(l.window)) {
		l.start, l.used = now, 0
	}
}

// take counts a request and reports whether the limit allows it.
func (l *rateLimit) take(now time.Time) bool {
	l.roll(now)
	if l.used >= l.max {
		return false
	}
	l.used++
	return true
}

// setHeaders writes the X-Rate-Limit-* headers; the reset is rounded up to
// whole seconds, so that it is never earlier than the real one.
func (l *rateLimit) setHeaders(h http.Header, now time.Time) {
	l.roll(now)
	reset := l.start.Add(l.window)
	secs := reset.Unix()
	if reset.Nanosecond() > 0 {
		secs++
	}
	setDefault(h, "X-Rate-Limit-Limit", fmt.Sprint(l.max))
	setDefault(h, "X-Rate-Limit-Remaining", fmt.Sprint(max(l.max-l.used, 0)))
	setDefault(h, "X-Rate-Limit-Reset", fmt.Sprint(secs))
}

// FailNext makes the next n requests fail with status (a 5xx) and an Okta
// error object, before any other check.
func (s *Sim) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queue = append(s.queue, errorReply(status, "E0000009", http.StatusText(status)))
	}
}

// RespondNext makes the next request get this answer, before any other
// check. The rate limit and request id headers are added unless header
// has them. Answers queued by RespondNext and FailNext go out in order.
func (s *Sim) RespondNext(status int, header http.Header, body string) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, reply{status: status, header: h, body: []byte(body)})
}

// ClearFaults drops the answers queued by FailNext and RespondNext.
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = nil
}

// SetDelay delays every answer by d; a client that gives up first gets
// nothing, and its call is logged with status 0.
func (s *Sim) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// OmitActivationLink makes activate and reactivate with sendEmail=false
// answer {} without a link, while still changing the user's status.
func (s *Sim) OmitActivationLink(omit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.omitLink = omit
}

// wait applies the delay and reports whether the client is still there.
func (s *Sim) wait(ctx context.Context) bool {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d <= 0 {
		return ctx.Err() == nil
	}

	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// popCanned returns the next queued answer, if any.
func (s *Sim) popCanned() (reply, bool) {
	if len(s.queue) == 0 {
		return reply{}, false
	}
	r := s.queue[0]
	s.queue = s.queue[1:]
	return r, true
}

func setDefault(h http.Header, key, value string) {
	if h.Get(key) == "" {
		h.Set(key, value)
	}
}
