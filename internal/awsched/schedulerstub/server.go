// Package schedulerstub is a local stand-in of the Amazon EventBridge
// Scheduler API (restJson1), for tests that drive the real SDK client. It
// serves CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule and
// ListSchedules on 127.0.0.1, enforces the constraints of the service's
// model, answers errors the way the SDK decodes into its typed exceptions,
// and records every request it receives.
//
// Where the model is silent, the stand-in chooses, and says so on the
// method: a malformed body is a ValidationException; a client token reused
// with another request is a ConflictException; tokens are remembered for
// TokenMemory; unknown JSON members are ignored.
package schedulerstub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
)

// Account is the account id in the ARNs the stand-in makes up.
const Account = "123456789012"

// DefaultGroup is the group a schedule belongs to when the request names none.
const DefaultGroup = "default"

// TokenMemory is how long a client token is remembered. The real service's
// window is not documented.
const TokenMemory = 10 * time.Minute

// Received is one request as the stand-in received it.
type Received struct {
	Op        string         // "CreateSchedule", …; "" for an unknown route
	Name      string         // the Name path label
	GroupName string         // from the body or the query, as the operation sends it
	Body      map[string]any // the decoded JSON body; numbers are float64
	Query     url.Values
}

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, for the client's BaseEndpoint.
	URL string

	http *httptest.Server

	mu        sync.Mutex
	groups    map[string]bool
	schedules map[key]Stored
	tokens    map[tokenKey]tokenEntry
	received  []Received
	faults    []fault
}

type key struct{ group, name string }

// NewServer starts a stand-in on 127.0.0.1 at a free port, with only the
// default group. Close it when done.
func NewServer() *Server {
	s := &Server{
		groups:    map[string]bool{DefaultGroup: true},
		schedules: map[key]Stored{},
		tokens:    map[tokenKey]tokenEntry{},
	}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("schedulerstub: listen on 127.0.0.1: %v", err))
	}
	s.http = &httptest.Server{Listener: listener, Config: &http.Server{Handler: s.routes()}}
	s.http.Start()
	s.URL = s.http.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// Client returns an SDK client aimed at the stand-in, with static dummy
// credentials, so that no credential chain or metadata address is consulted.
func (s *Server) Client(optFns ...func(*scheduler.Options)) *scheduler.Client {
	return scheduler.New(scheduler.Options{
		Region:       "eu-central-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, optFns...)
}

// CreateGroup adds a schedule group, as if created beforehand (by the stack).
func (s *Server) CreateGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[name] = true
}

// FailNext makes the next n requests, whatever their operation, fail with
// the error errorType ("ThrottlingException", …) and HTTP status. They are
// still recorded.
func (s *Server) FailNext(n int, errorType string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{errorType: errorType, status: status})
	}
}

type fault struct {
	errorType string
	status    int
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Schedule returns the schedule called name in group, if it exists.
func (s *Server) Schedule(group, name string) (Stored, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.schedules[key{group, name}]
	return st, ok
}

// Schedules returns every schedule, ordered by group and name.
func (s *Server) Schedules() []Stored {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sorted()
}

// Fire plays the schedule's moment: it returns the input the target would
// receive and, when the schedule's ActionAfterCompletion is DELETE, deletes
// the schedule as the service does after the invoke.
func (s *Server) Fire(group, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.schedules[key{group, name}]
	if !ok {
		return "", fmt.Errorf("schedulerstub: no schedule %s in group %s", name, group)
	}
	if st.ActionAfterCompletion == "DELETE" {
		delete(s.schedules, key{group, name})
	}
	return st.Input, nil
}

func (s *Server) sorted() []Stored {
	all := make([]Stored, 0, len(s.schedules))
	for _, st := range s.schedules {
		all = append(all, st)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].GroupName != all[j].GroupName {
			return all[i].GroupName < all[j].GroupName
		}
		return all[i].Name < all[j].Name
	})
	return all
}

// call is one request, read and recorded, as an operation sees it.
type call struct {
	name   string
	query  url.Values
	body   []byte
	region string
}

// reply is an operation's answer: a body for 200, or an error.
type reply struct {
	status    int
	errorType string
	body      any
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

func failure(status int, errorType, format string, args ...any) reply {
	return reply{status: status, errorType: errorType,
		body: map[string]string{"Message": fmt.Sprintf(format, args...)}}
}

func invalid(p problems) reply {
	return failure(http.StatusBadRequest, "ValidationException", "%s", strings.Join(p, "; "))
}

func notFound(format string, args ...any) reply {
	return failure(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

func conflict(format string, args ...any) reply {
	return failure(http.StatusConflict, "ConflictException", format, args...)
}

// routes maps the operations' HTTP bindings to their handlers.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /schedules/{Name}", s.operation("CreateSchedule", s.create))
	mux.Handle("GET /schedules/{Name}", s.operation("GetSchedule", s.get))
	mux.Handle("PUT /schedules/{Name}", s.operation("UpdateSchedule", s.update))
	mux.Handle("DELETE /schedules/{Name}", s.operation("DeleteSchedule", s.remove))
	mux.Handle("GET /schedules", s.operation("ListSchedules", s.list))
	mux.Handle("/", s.operation("", func(c call) reply {
		return failure(http.StatusNotFound, "UnknownOperationException",
			"the stand-in does not serve this operation")
	}))
	return mux
}

// operation reads, records and answers one request. The signature is not
// verified, but a request must carry a SigV4 Authorization for the
// "scheduler" service, as a misconfigured client would not.
func (s *Server) operation(op string, handle func(call) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			write(w, failure(http.StatusBadRequest, "ValidationException", "unreadable body"))
			return
		}
		c := call{name: r.PathValue("Name"), query: r.URL.Query(), body: body,
			region: regionOf(r.Header.Get("Authorization"))}

		s.mu.Lock()
		defer s.mu.Unlock()
		s.record(op, c)
		switch {
		case c.region == "":
			write(w, failure(http.StatusForbidden, "MissingAuthenticationTokenException",
				"no SigV4 Authorization for the scheduler service"))
		case len(s.faults) > 0:
			f := s.faults[0]
			s.faults = s.faults[1:]
			write(w, failure(f.status, f.errorType, "injected %s", f.errorType))
		default:
			write(w, handle(c))
		}
	})
}

// record keeps the request for Requests.
func (s *Server) record(op string, c call) {
	rec := Received{Op: op, Name: c.name, Query: c.query}
	if len(c.body) > 0 {
		_ = json.Unmarshal(c.body, &rec.Body) // an undecodable body is left nil
	}
	switch op {
	case "CreateSchedule", "UpdateSchedule":
		if g, ok := rec.Body["GroupName"].(string); ok {
			rec.GroupName = g
		}
	case "ListSchedules":
		rec.GroupName = c.query.Get("ScheduleGroup")
	default:
		rec.GroupName = c.query.Get("groupName")
	}
	s.received = append(s.received, rec)
}

// scope is the credential scope of a SigV4 Authorization header.
var scope = regexp.MustCompile(
	`^AWS4-HMAC-SHA256 Credential=[^/]+/\d{8}/([a-z0-9-]+)/scheduler/aws4_request,`)

// regionOf returns the region a request was signed for, or "" when it was
// not signed for the scheduler.
func regionOf(authorization string) string {
	m := scope.FindStringSubmatch(authorization)
	if m == nil {
		return ""
	}
	return m[1]
}

// write sends a reply as restJson1 does: JSON body, error name in a header.
func write(w http.ResponseWriter, r reply) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(r.body); err != nil {
		r = failure(http.StatusInternalServerError, "InternalServerException", "encode: %v", err)
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(r.body)
	}
	w.Header().Set("Content-Type", "application/json")
	if r.errorType != "" {
		w.Header().Set("X-Amzn-Errortype", r.errorType)
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(buf.Bytes())
}
