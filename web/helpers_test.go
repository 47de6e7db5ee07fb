package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/testenv"

	"golang.org/x/net/html"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/boltstore"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// fixedNow is the test clock: 2027 dates are ahead and inside the horizon.
var fixedNow = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// The staged users every fixture's directory knows.
var stagedUsers = []string{"anna.schmidt@example.com", "ben.ito@example.com",
	"chloe.martin@example.com", "dev.patel@example.com"}

// fixture is the handler over a real bbolt file, a fake directory and a fake
// scheduler, served on 127.0.0.1.
type fixture struct {
	url      string
	client   *http.Client
	svc      *queue.Service
	store    *boltstore.Store
	accounts *queuetest.Accounts
	sched    *queuetest.Scheduler
	logs     *testenv.SyncBuffer
}

func newFixture(t *testing.T, tweaks ...func(*Options)) *fixture {
	t.Helper()
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "dayone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	f := &fixture{store: store, accounts: queuetest.NewAccounts(),
		sched: &queuetest.Scheduler{}, logs: &testenv.SyncBuffer{}}
	for _, login := range stagedUsers {
		f.accounts.AddUser(login, "STAGED")
	}
	f.svc = queue.NewService(store, f.sched, f.accounts,
		queue.Config{Clock: func() time.Time { return fixedNow }})

	opts := Options{
		Mode:             "Local mode: Okta simulator — no real accounts are changed",
		Local:            true,
		DefaultSendEmail: true,
		DemoUsers:        stagedUsers[:2],
		Logger:           slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{})),
		Clock:            func() time.Time { return fixedNow },
	}
	for _, tweak := range tweaks {
		tweak(&opts)
	}
	srv := httptest.NewServer(NewHandler(f.svc, opts))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return f
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (f *fixture) get(t *testing.T, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.do(t, req)
}

func (f *fixture) postForm(t *testing.T, path string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(t, req)
}

func (f *fixture) postJSON(t *testing.T, path, body string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return f.do(t, req)
}

// follow GETs the Location of a redirect.
func (f *fixture) follow(t *testing.T, res response) response {
	t.Helper()
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", res.status, res.body)
	}
	return f.get(t, res.header.Get("Location"))
}

// schedule creates a request through the service, failing the test on error.
func (f *fixture) schedule(t *testing.T, login, start, zone string) *queue.Request {
	t.Helper()
	r, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: login, Start: start, TimeZone: zone, SendEmail: true, Actor: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) stored(t *testing.T, id string) *queue.Request {
	t.Helper()
	r, err := f.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) count(t *testing.T) int {
	t.Helper()
	page, err := f.store.List(context.Background(), queue.ListQuery{Limit: queue.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Requests)
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

// page is parsed HTML searched by data-testid.
type page struct {
	t    *testing.T
	root *html.Node
}

func parsePage(t *testing.T, body string) *page {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return &page{t: t, root: root}
}

// all returns the elements whose data-testid is id, in document order.
func (p *page) all(id string) []*html.Node {
	var found []*html.Node
	for n := range p.root.Descendants() {
		if n.Type == html.ElementNode && attr(n, "data-testid") == id {
			found = append(found, n)
		}
	}
	return found
}

// one returns the only element whose data-testid is id.
func (p *page) one(id string) *html.Node {
	p.t.Helper()
	found := p.all(id)
	if len(found) != 1 {
		p.t.Fatalf("found %d elements with data-testid %q, want 1", len(found), id)
	}
	return found[0]
}

// has reports whether an element with data-testid id exists.
func (p *page) has(id string) bool { return len(p.all(id)) > 0 }

// text is the element's text with runs of white space made single spaces.
func (p *page) text(id string) string { return text(p.one(id)) }

// byID returns the element with the HTML id.
func (p *page) byID(id string) *html.Node {
	p.t.Helper()
	for n := range p.root.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			return n
		}
	}
	p.t.Fatalf("no element has id %q", id)
	return nil
}

// labelFor returns the text of the label of the input with the HTML id.
func (p *page) labelFor(id string) string {
	for n := range p.root.Descendants() {
		if n.Type == html.ElementNode && n.Data == "label" && attr(n, "for") == id {
			return text(n)
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// cells returns the text of each cell of a table row.
func cells(row *html.Node) []string {
	var out []string
	for c := range row.ChildNodes() {
		if c.Type == html.ElementNode && c.Data == "td" {
			out = append(out, text(c))
		}
	}
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// selected returns the value of the selected option of a select element.
func selected(sel *html.Node) string {
	for n := range sel.Descendants() {
		if n.Type == html.ElementNode && n.Data == "option" && hasAttr(n, "selected") {
			return attr(n, "value")
		}
	}
	return ""
}
