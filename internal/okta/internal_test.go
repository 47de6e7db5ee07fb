package okta

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestEscapeSegment(t *testing.T) {
	tests := map[string]string{
		"ada.lovelace@example.com": "ada.lovelace@example.com",
		"anna.test+hr@example.com": "anna.test%2Bhr@example.com",
		"ops#lead@example.com":     "ops%23lead@example.com",
		"a b?c;d,e%f@example.com":  "a%20b%3Fc%3Bd%2Ce%25f@example.com",
		"jürgen.groß@example.com":  "j%C3%BCrgen.gro%C3%9F@example.com",
		"m.keller/ext@example.com": "m.keller%2Fext@example.com",
	}
	for in, want := range tests {
		if got := escapeSegment(in); got != want {
			t.Errorf("escapeSegment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuoteFilter(t *testing.T) {
	in, want := `a"b\c\"d`, `a\"b\\c\\\"d`
	if got := quoteFilter(in); got != want {
		t.Errorf("quoteFilter(%q) = %q, want %q", in, got, want)
	}
}

func TestPathSafe(t *testing.T) {
	for login, want := range map[string]bool{
		"ops#lead@example.com": true, "m.keller/ext@example.com": false,
		`dom\user`: false, ".": false, "..": false, "...": true,
	} {
		if got := pathSafe(login); got != want {
			t.Errorf("pathSafe(%q) = %v, want %v", login, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		status int
		code   string
		scope  bool
		want   Kind
	}{
		{404, "E0000007", false, KindNotFound},
		{404, "", false, KindNotFound},
		{403, "E0000016", false, KindAlreadyActive},
		{400, "E0000016", false, KindAlreadyActive},
		{429, "", false, KindRateLimited},
		{429, "E0000047", false, KindRateLimited},
		{401, "E0000011", false, KindInvalidToken},
		{401, "", true, KindMissingScope},
		{403, "", true, KindMissingScope},
		{403, "E0000006", false, KindNoPermission},
		{403, "E0000038", false, KindBadRequest},
		{400, "E0000001", false, KindBadRequest},
		{405, "E0000022", false, KindBadRequest},
		{500, "E0000009", false, KindServer},
		{503, "", false, KindServer},
	}
	for _, tt := range tests {
		if got := classify(tt.status, tt.code, tt.scope); got != tt.want {
			t.Errorf("classify(%d, %q, %v) = %v, want %v",
				tt.status, tt.code, tt.scope, got, tt.want)
		}
	}
}

func TestBackoffGrowsWithinBounds(t *testing.T) {
	c := &Client{minBackoff: 100 * time.Millisecond, maxBackoff: time.Second}
	for attempt, full := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		full *= time.Millisecond
		for range 50 {
			d := c.backoff(attempt + 1)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]",
					attempt+1, d, full/2, full)
			}
		}
	}
}

func TestRetryWait(t *testing.T) {
	c := &Client{maxAttempts: 4, minBackoff: time.Millisecond, maxBackoff: time.Millisecond}
	bg := context.Background()
	short, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	limited := func(wait time.Duration) error {
		return &Error{Kind: KindRateLimited, ResetAt: time.Now().Add(wait), wait: wait}
	}

	tests := []struct {
		name    string
		ctx     context.Context
		err     error
		attempt int
		want    bool
	}{
		{"server error", bg, &Error{Kind: KindServer}, 1, true},
		{"last attempt", bg, &Error{Kind: KindServer}, 4, false},
		{"not temporary", bg, &Error{Kind: KindNotFound}, 1, false},
		{"not an *Error", bg, context.Canceled, 1, false},
		{"reset within a minute", bg, limited(30 * time.Second), 1, true},
		{"reset past a minute", bg, limited(2 * time.Minute), 1, false},
		{"reset past the deadline", short, limited(2 * time.Second), 1, false},
		{"reset before the deadline", short, limited(100 * time.Millisecond), 1, true},
	}
	for _, tt := range tests {
		if _, got := c.retryWait(tt.ctx, tt.err, tt.attempt); got != tt.want {
			t.Errorf("%s: retryWait = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRateResetUsesServerDate(t *testing.T) {
	date := time.Date(2027, 4, 1, 6, 0, 0, 0, time.UTC)
	h := http.Header{
		"Date":               {date.Format(http.TimeFormat)},
		"X-Rate-Limit-Reset": {"1806559230"}, // date + 30 s
	}
	reset, wait := rateReset(h)
	if !reset.Equal(date.Add(30*time.Second)) || wait != 30*time.Second {
		t.Errorf("rateReset = %v, %v; want %v, 30s", reset, wait, date.Add(30*time.Second))
	}
}
