package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dayone/dayone/internal/queue"
)

// queuePage lists requests in due order, filtered by ?status= and paged by ?cursor=.
func (h *handler) queuePage(w http.ResponseWriter, r *http.Request) {
	q, err := listQuery(r.URL.Query())
	p := queuePage{Status: string(q.Status), Filters: filters(q.Status)}
	if err == nil {
		var page queue.Page
		page, err = h.svc.List(r.Context(), q)
		for _, req := range page.Requests {
			p.Rows = append(p.Rows, newRequestView(req))
		}
		if page.NextCursor != "" {
			p.NextHref = queueHref(q.Status, page.NextCursor, q.Limit)
		}
	}

	status := http.StatusOK
	if err != nil {
		pr := describe(err, requestID(r))
		note(r, err)
		status, p.Alert = pr.Status, pr.Message
	}
	h.render(w, r, status, "Queue", "queue", queuePageView(p))
}

// listQuery reads status ("" or "all" for every status), cursor and limit.
func listQuery(v url.Values) (queue.ListQuery, error) {
	q := queue.ListQuery{Cursor: v.Get("cursor")}
	if s := v.Get("status"); s != "" && s != "all" {
		st, err := queue.ParseStatus(s)
		if err != nil {
			return q, err
		}
		q.Status = st
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, &queue.InputError{Field: "limit", Message: fmt.Sprintf(
				"limit must be a whole number from 1 to %d", queue.MaxPageSize)}
		}
		q.Limit = n
	}
	return q, nil
}

// filters are the status links of the queue page, "all" first.
func filters(current queue.Status) []filterLink {
	links := []filterLink{{Label: "all", Href: "/queue", Current: current == ""}}
	for _, st := range queue.Statuses {
		links = append(links, filterLink{
			Label: string(st), Href: queueHref(st, "", 0), Current: st == current,
		})
	}
	return links
}

func queueHref(status queue.Status, cursor string, limit int) string {
	v := url.Values{}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if status != "" {
		v.Set("status", string(status))
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if len(v) == 0 {
		return "/queue"
	}
	return "/queue?" + v.Encode()
}
