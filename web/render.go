package web

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/a-h/templ"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded CSS under /static/.
func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no folder listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// render writes a full page with the given status. It renders into a buffer
// first, so a failure becomes a clean 500 instead of half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int,
	title, nav string, page templ.Component) {
	l := layoutView{Title: title, Mode: h.opts.Mode, Local: h.opts.Local, Nav: nav}

	var buf bytes.Buffer
	if err := layout(l, page).Render(r.Context(), &buf); err != nil {
		note(r, fmt.Errorf("web: render %s: %w", title, err))
		http.Error(w, "internal error, request "+requestID(r), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail shows err as an error page with the status describe gives it.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := describe(err, requestID(r))
	note(r, err)
	title := http.StatusText(p.Status)
	if p.Status == http.StatusNotFound {
		title = "Request not found"
	}
	h.render(w, r, p.Status, title, "", errorPageView(errorView{Title: title, Message: p.Message}))
}

// notFound is the page for every path no route knows; a known path asked
// with the wrong method gets 405.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	if h.methodNotAllowed(w, r) {
		return
	}
	v := errorView{Title: "Page not found", Message: "There is no page at this address."}
	h.render(w, r, http.StatusNotFound, v.Title, "", errorPageView(v))
}

// crossOrigin refuses a state change that a page of another origin asked for.
func (h *handler) crossOrigin(w http.ResponseWriter, r *http.Request) {
	err := &badRequestError{msg: "cross-origin request refused"}
	note(r, err)
	if isAPI(r) {
		writeJSON(w, http.StatusForbidden, apiError{Error: "cross-origin requests are refused"})
		return
	}
	v := errorView{Title: "Refused", Message: "This form was sent from another site, " +
		"so dayone refused it. Open dayone itself and send the form from there."}
	h.render(w, r, http.StatusForbidden, v.Title, "", errorPageView(v))
}

// methodNotAllowed answers 405 when another method has a route for the path.
func (h *handler) methodNotAllowed(w http.ResponseWriter, r *http.Request) bool {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := *r
		probe.Method = m
		if _, pattern := h.mux.Handler(&probe); pattern != "/" && pattern != "/api/" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return false
	}

	msg := "use " + strings.Join(allowed, " or ") + " for this address"
	note(r, &badRequestError{msg: msg})
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	if isAPI(r) {
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: msg})
		return true
	}
	v := errorView{Title: "Method not allowed", Message: "Use the forms of dayone; " + msg + "."}
	h.render(w, r, http.StatusMethodNotAllowed, v.Title, "", errorPageView(v))
	return true
}
