package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// requestJSON is a request as the API shows it; every instant is in UTC.
type requestJSON struct {
	ID        string       `json:"id"`
	Login     string       `json:"login"`
	TimeZone  string       `json:"timezone"`
	Start     string       `json:"start"`
	Offset    string       `json:"offset,omitempty"`
	DueAt     time.Time    `json:"due_at"`
	DueLocal  string       `json:"due_local"`
	RetryAt   time.Time    `json:"retry_at,omitzero"` // only while a retry is pending
	SendEmail bool         `json:"send_email"`
	Status    queue.Status `json:"status"`
	Result    string       `json:"result"`
	Attempts  int          `json:"attempts"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	History   []eventJSON  `json:"history"`
}

// eventJSON is one line of a request's history.
type eventJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Event  string    `json:"event"`
	Detail string    `json:"detail,omitempty"`
}

// apiError is every error the API returns.
type apiError struct {
	Error      string       `json:"error"`
	Field      string       `json:"field,omitempty"`
	ExistingID string       `json:"existing_id,omitempty"`
	Request    *requestJSON `json:"request,omitempty"`
}

// listJSON is one page of requests.
type listJSON struct {
	Requests   []requestJSON `json:"requests"`
	NextCursor string        `json:"next_cursor"`
}

func toJSON(r *queue.Request) *requestJSON {
	if r == nil {
		return nil
	}
	out := &requestJSON{
		ID: r.ID, Login: r.Login, TimeZone: r.TimeZone, Start: r.Start, Offset: r.Offset,
		DueAt:     r.DueAt.UTC(),
		DueLocal:  r.DueAt.In(location(r.TimeZone)).Format(time.RFC3339),
		RetryAt:   r.RetryAt.UTC(),
		SendEmail: r.SendEmail, Status: r.Status, Result: r.Result, Attempts: r.Attempts,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		History: make([]eventJSON, 0, len(r.History)),
	}
	for _, e := range r.History {
		out.History = append(out.History, eventJSON{
			At: e.At.UTC(), Actor: e.Actor, Event: e.Event, Detail: e.Detail,
		})
	}
	return out
}

// writeJSON writes v with the status; v is always one of this file's types.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":"the response could not be encoded"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// apiFail writes err as an apiError with the request it concerns, if any.
func (h *handler) apiFail(w http.ResponseWriter, r *http.Request, err error, req *queue.Request) {
	p := describe(err, requestID(r))
	note(r, err)
	writeJSON(w, p.Status, apiError{
		Error: p.Message, Field: p.Field, ExistingID: p.ExistingID, Request: toJSON(req),
	})
}

// apiNotFound answers every /api/ path no route knows.
func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	if h.methodNotAllowed(w, r) {
		return
	}
	note(r, &badRequestError{msg: "no such API endpoint"})
	writeJSON(w, http.StatusNotFound, apiError{Error: "no such API endpoint"})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// decodeJSON reads exactly one JSON object into dst, refusing unknown fields.
func decodeJSON(r *http.Request, dst any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return &badRequestError{msg: "the body must hold exactly one JSON object"}
	}
	return nil
}

// jsonError turns a decoding error into words that name the problem.
func jsonError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.Is(err, io.EOF):
		return &badRequestError{msg: "the body is empty; send a JSON object"}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &badRequestError{msg: "the body is not valid JSON"}
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return &badRequestError{msg: fmt.Sprintf("field %q must be %s", typeErr.Field,
			jsonKind(typeErr.Type)), field: typeErr.Field}
	case errors.As(err, &typeErr):
		return &badRequestError{msg: "the body must be a JSON object"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return &badRequestError{msg: "unknown field " + name, field: strings.Trim(name, `"`)}
	}
	return &badRequestError{msg: "the body could not be read as JSON"}
}

// jsonKind names a Go type as the JSON value it reads.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "an object"
	}
	return "a " + t.Kind().String()
}
