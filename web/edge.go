package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
)

// entry is what the edge logs about one request; handlers note their error in it.
type entry struct {
	id  string
	err error
}

type entryKey struct{}

// note records the error behind a failed response, for the edge to log.
func note(r *http.Request, err error) {
	if e, ok := r.Context().Value(entryKey{}).(*entry); ok {
		e.err = err
	}
}

// requestID returns the id the edge gave this request.
func requestID(r *http.Request) string {
	if e, ok := r.Context().Value(entryKey{}).(*entry); ok {
		return e.id
	}
	return ""
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// edge gives each request an id and a body limit, turns a panic into a 500 and
// logs failures once: 5xx at Error, 4xx at Warn. It logs only the path, never
// the query or the body.
func (h *handler) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := &entry{id: newRequestID()}
		r = r.WithContext(context.WithValue(r.Context(), entryKey{}, e))
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		w.Header().Set("X-Request-Id", e.id)
		sw := &statusWriter{ResponseWriter: w}

		defer h.logOutcome(sw, r, e)
		defer func() {
			if v := recover(); v != nil {
				e.err = fmt.Errorf("web: panic: %v", v)
				if sw.status == 0 {
					http.Error(sw, "internal error, request "+e.id, http.StatusInternalServerError)
				}
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (h *handler) logOutcome(w *statusWriter, r *http.Request, e *entry) {
	attrs := []any{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", w.status),
		slog.String("request_id", e.id),
	}
	if e.err != nil {
		attrs = append(attrs, slog.String("error", e.err.Error()))
	}
	switch {
	case w.status >= 500:
		h.log.Error("request failed", attrs...)
	case w.status >= 400:
		h.log.Warn("request refused", attrs...)
	default:
		h.log.Debug("request", attrs...)
	}
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// securityHeaders keeps pages from being framed, sniffed or leaking referrers,
// and allows scripts, styles and forms from this origin only.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; "+
			"form-action 'self'; frame-ancestors 'none'; object-src 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
