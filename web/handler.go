// Package web serves dayone's pages and its JSON API over the queue service.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// Service is what the web layer needs from the queue; *queue.Service has it.
type Service interface {
	Schedule(ctx context.Context, in queue.ScheduleInput) (*queue.Request, error)
	ActivateNow(ctx context.Context, in queue.ActivateInput) (*queue.Request, error)
	Cancel(ctx context.Context, id, actor string) (*queue.Request, error)
	Reschedule(ctx context.Context, id string, in queue.RescheduleInput) (*queue.Request, error)
	Get(ctx context.Context, id string) (*queue.Request, error)
	List(ctx context.Context, q queue.ListQuery) (queue.Page, error)
}

var _ Service = (*queue.Service)(nil)

// Options tune the handler. Zero values get the defaults noted on each field.
type Options struct {
	// Mode is the banner text every page shows, such as
	// "Local mode: Okta simulator — no real accounts are changed".
	Mode string

	// Local marks the local mode: the banner stands out and DemoUsers are shown.
	Local bool

	// Zones are the time zones the form offers; default CommonZones().
	// DefaultZone is added when missing.
	Zones []string

	// DefaultZone is the zone the form selects first; default queue.DefaultZone.
	DefaultZone string

	// DefaultSendEmail is the first state of the "send activation email" boxes
	// and the value of an API request that leaves send_email out.
	DefaultSendEmail bool

	// Actor names the person behind a request; default: LocalActor for everyone.
	Actor func(r *http.Request) string

	// DemoUsers are logins offered as fill-ins in local mode.
	DemoUsers []string

	// Logger gets one line per failed request; default slog.Default().
	Logger *slog.Logger

	// Clock tells the time shown on the form; default time.Now.
	Clock queue.Clock
}

// LocalActor is the actor of every request until dayone has sign-in.
const LocalActor = "local-admin"

// maxBodyBytes caps every request body, form or JSON.
const maxBodyBytes = 16 << 10

// handler holds the dependencies of every route.
type handler struct {
	svc  Service
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// NewHandler returns the dayone web application: pages, JSON API and static
// files, behind cross-origin protection, body limits and security headers.
func NewHandler(svc Service, opts Options) http.Handler {
	h := &handler{svc: svc, opts: withDefaults(opts)}
	h.log = h.opts.Logger

	h.mux = http.NewServeMux()
	h.routes(h.mux)

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(h.crossOrigin))
	return h.edge(securityHeaders(csrf.Handler(h.mux)))
}

func withDefaults(o Options) Options {
	if o.DefaultZone == "" {
		o.DefaultZone = queue.DefaultZone
	}
	if len(o.Zones) == 0 {
		o.Zones = CommonZones()
	}
	o.Zones = withZone(o.Zones, o.DefaultZone)
	if o.Actor == nil {
		// TODO(auth): name the signed-in person once dayone has sign-in.
		o.Actor = func(*http.Request) string { return LocalActor }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}

// routes is the site map.
func (h *handler) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /queue", h.queuePage)
	mux.HandleFunc("POST /requests", h.createRequest)
	mux.HandleFunc("GET /requests/{id}", h.showRequest)
	mux.HandleFunc("POST /requests/{id}/cancel", h.cancelRequest)
	mux.HandleFunc("POST /requests/{id}/reschedule", h.rescheduleRequest)
	mux.HandleFunc("POST /activations", h.createActivation)

	mux.HandleFunc("POST /api/requests", h.apiCreateRequest)
	mux.HandleFunc("GET /api/requests", h.apiListRequests)
	mux.HandleFunc("GET /api/requests/{id}", h.apiGetRequest)
	mux.HandleFunc("POST /api/requests/{id}/cancel", h.apiCancelRequest)
	mux.HandleFunc("POST /api/requests/{id}/reschedule", h.apiRescheduleRequest)
	mux.HandleFunc("POST /api/activations", h.apiCreateActivation)

	mux.Handle("GET /static/", staticFiles())
	mux.HandleFunc("/api/", h.apiNotFound)
	mux.HandleFunc("/", h.notFound)
}
