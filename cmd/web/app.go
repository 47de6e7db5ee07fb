package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/localsched"
	"github.com/dayone/dayone/web"
)

// localBanner is what every page says in local mode.
const localBanner = "Local mode: Okta simulator — no real accounts are changed"

// shutdownGrace bounds the wait for requests and fires under way at shutdown.
const shutdownGrace = 10 * time.Second

// env holds what build takes from outside the settings.
type env struct {
	Logger *slog.Logger

	// Sim, when set, is the Okta simulator of local mode; build starts one
	// otherwise. Tests pass theirs to look at its calls and to restart dayone
	// against the same org.
	Sim *oktasim.Server

	Clock queue.Clock // default time.Now

	// retryDelay, when set, replaces queue.DefaultRetryDelay, so that tests
	// see a retry after a temporary failure within moments.
	retryDelay func(attempt int) time.Duration
}

// app is dayone built from its settings, ready to serve.
type app struct {
	log     *slog.Logger
	handler http.Handler
	svc     *queue.Service
	sched   *localsched.Scheduler         // nil with EventBridge Scheduler
	closers []func(context.Context) error // run in reverse order by close
}

// directory is the Okta side of dayone, and how the pages describe it.
type directory struct {
	accounts  queue.Accounts
	mode      string
	demoUsers []string
}

// build wires dayone in one place: store, directory, service, triggers,
// web handler. On error it releases what it had built.
func build(ctx context.Context, cfg config, e env) (_ *app, err error) {
	a := &app{log: e.Logger}
	defer func() {
		if err != nil {
			a.close(context.Background())
		}
	}()

	cloud, err := newCloud(ctx, cfg.AWS)
	if err != nil {
		return nil, err
	}
	store, err := a.store(ctx, cfg, cloud)
	if err != nil {
		return nil, err
	}
	dir, err := a.directory(cfg, e, cloud)
	if err != nil {
		return nil, err
	}

	qcfg := queue.Config{
		DefaultZone:   cfg.TimeZone,
		LoginDomains:  cfg.LoginDomains,
		AllowReenable: cfg.AllowReenable,
		Clock:         e.Clock,
		RetryDelay:    e.retryDelay,
	}
	if cfg.AWS.EventBridge() {
		a.svc, err = cloud.service(store, dir.accounts, qcfg)
	} else {
		a.svc, err = a.localService(ctx, store, dir.accounts, qcfg, e)
	}
	if err != nil {
		return nil, err
	}

	a.handler = web.NewHandler(a.svc, web.Options{
		Mode:             dir.mode + " (" + backendsOf(cfg) + ")",
		Local:            cfg.Local(),
		DefaultZone:      cfg.TimeZone,
		DefaultSendEmail: cfg.OktaSendEmail,
		DemoUsers:        dir.demoUsers,
		Actor:            actorOf(cfg),
		Logger:           e.Logger,
		Clock:            e.Clock,
	})
	return a, nil
}

// store opens the DynamoDB table when DAYONE_TABLE is set, else the
// embedded store.
func (a *app) store(ctx context.Context, cfg config, cloud *cloud) (queue.Store, error) {
	if cfg.AWS.Table != "" {
		return cloud.store(ctx)
	}
	store, err := boltstore.Open(cfg.DBPath)
	if err != nil {
		return nil, fmt.Errorf("DAYONE_DB: %w", err)
	}
	a.onClose(func(context.Context) error { return store.Close() })
	return store, nil
}

// localService fires requests in this process, from in-process timers that
// are re-armed from the store at start.
func (a *app) localService(ctx context.Context, store queue.Store, accounts queue.Accounts,
	qcfg queue.Config, e env) (*queue.Service, error) {
	var svc *queue.Service
	a.sched = localsched.New(func(ctx context.Context, id string) error {
		r, err := svc.Fire(ctx, id)
		a.logOutcome(r)
		return err
	}, localsched.Options{Logger: e.Logger, Clock: e.Clock})
	svc = queue.NewService(store, a.sched, accounts, qcfg)
	a.onClose(a.sched.Stop)

	err := a.sched.Start(ctx, store, func(ctx context.Context, id string) error {
		_, err := svc.Resume(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("re-arm the scheduled requests: %w", err)
	}
	a.sweepEvery(localSweepInterval, svc)
	return svc, nil
}

// localSweepInterval is how often local mode looks for stranded requests.
const localSweepInterval = time.Minute

// sweepEvery runs the service's sweep until the app closes. The timers
// re-armed at start cover crashes; the sweep catches what a failed write
// left behind while running (a request stuck running, a retry not armed).
func (a *app) sweepEvery(interval time.Duration, svc *queue.Service) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				a.logSweep(svc.Sweep(ctx))
			}
		}
	}()
	a.onClose(func(context.Context) error { stop(); <-done; return nil })
}

func (a *app) logSweep(report queue.SweepReport, err error) {
	switch {
	case err != nil:
		a.log.Error("dayone: sweep", "error", err)
	case report.Fired > 0 || report.Failed > 0:
		a.log.Warn("dayone: sweep fired stranded requests", "fired", report.FiredIDs,
			"failed", report.Failed)
	}
}

// directory connects the Okta client to the configured org, or in local mode
// to the simulator, over real HTTP either way.
func (a *app) directory(cfg config, e env, cloud *cloud) (directory, error) {
	if cfg.AWS.EventBridge() {
		return directory{accounts: workerOnly{}, mode: cloud.mode()}, nil
	}
	if cfg.OktaOrgURL != "" {
		client, err := okta.New(okta.Config{OrgURL: cfg.OktaOrgURL, Token: string(cfg.OktaToken)})
		if err != nil {
			return directory{}, err
		}
		mode := "Okta org " + client.OrgURL() + " — activations change real accounts"
		return directory{accounts: client.Accounts(), mode: mode}, nil
	}

	sim := e.Sim
	if sim == nil {
		sim = oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
		a.onClose(func(context.Context) error { sim.Close(); return nil })
	}
	client, err := okta.New(okta.Config{OrgURL: sim.URL, Token: sim.Token})
	if err != nil {
		return directory{}, fmt.Errorf("connect to the Okta simulator: %w", err)
	}
	a.log.Info("local mode: Okta simulator at " + sim.URL)
	return directory{accounts: client.Accounts(), mode: localBanner,
		demoUsers: stagedLogins(sim)}, nil
}

// stagedLogins are the simulator's demo users that can still be activated.
func stagedLogins(sim *oktasim.Server) []string {
	var logins []string
	for _, u := range sim.DemoUsers() {
		if u.Status == oktasim.StatusStaged {
			logins = append(logins, u.Login)
		}
	}
	return logins
}

// logOutcome leaves one line per attempt that the timers fired, so that the
// log tells what happened to every request without opening the queue.
func (a *app) logOutcome(r *queue.Request) {
	if r == nil {
		return
	}
	level := slog.LevelInfo
	if r.Status != queue.StatusActivated {
		level = slog.LevelWarn
	}
	a.log.Log(context.Background(), level, "dayone: request fired", "id", r.ID,
		"login", r.Login, "status", r.Status, "attempts", r.Attempts, "result", r.Result)
}

func (a *app) onClose(f func(context.Context) error) { a.closers = append(a.closers, f) }

// close stops the scheduler, closes the store and the simulator, newest first.
func (a *app) close(ctx context.Context) error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i](ctx))
	}
	a.closers = nil
	return errors.Join(errs...)
}

// serve answers HTTP on ln until ctx ends, then shuts down gracefully: it
// stops taking requests, waits for those under way, stops the scheduler and
// closes the store.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           loopbackHostsOnly(a.handler),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      90 * time.Second, // Activate now waits for Okta's retries
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.log.Info("dayone: listening", "addr", "http://"+ln.Addr().String())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	a.log.Info("dayone: shutting down")

	down, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := errors.Join(srv.Shutdown(down), a.close(down))
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, err)
}
