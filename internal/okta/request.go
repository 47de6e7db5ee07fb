package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// maxBody bounds what is read of an answer; Okta's are a few kilobytes.
	maxBody = 1 << 20

	// maxRateWait bounds the wait for a rate limit reset when the context
	// has no deadline.
	maxRateWait = 60 * time.Second

	// rateMargin is added to a rate limit reset, whose header is in seconds.
	rateMargin = 100 * time.Millisecond
)

// do sends one API call and decodes a 2xx JSON answer into out (nil: the
// body is ignored). Every call of the package goes through here.
//
// It retries server errors (5xx) and network failures with exponential
// backoff and jitter, and a 429 once the limit resets, up to maxAttempts in
// all; it never waits past ctx's deadline: when the next wait would not fit,
// it returns the last error at once. Other 4xx answers are never retried.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, out any) error {
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, method, path, query, out)
		if err == nil {
			return nil
		}

		wait, ok := c.retryWait(ctx, err, attempt)
		if !ok {
			return err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("okta: stopped before retrying: %w (last error: %w)", serr, err)
		}
	}
}

// attempt sends the request once.
func (c *Client) attempt(ctx context.Context, method, path string,
	query url.Values, out any) error {
	req, err := c.newRequest(ctx, method, path, query)
	if err != nil {
		return err
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return transportError(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return transportError(ctx, err)
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp, body)
	}
	return decodeBody(body, out)
}

// newRequest builds the request. path must be escaped already; the URL is
// parsed from the final string so that escapes such as %2B survive.
func (c *Client) newRequest(ctx context.Context, method, path string,
	query url.Values) (*http.Request, error) {
	target := c.base + path
	if len(query) > 0 {
		target += "?" + encodeQuery(query)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, fmt.Errorf("okta: cannot build the request: %w", err)
	}

	req.Header.Set("Authorization", "SSWS "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// transportError tells a cancelled context apart from a network failure.
func transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("okta: request stopped: %w", ctxErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the url.Error repeats method and URL
	}
	return &Error{Kind: KindNetwork, err: err}
}

// decodeBody decodes a 2xx answer. An empty body leaves out as it is.
func decodeBody(body []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	// json's messages name fields and types, never the values.
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("okta: unreadable answer from Okta: %w", err)
	}
	return nil
}

// encodeQuery encodes spaces as %20 rather than +, which every server reads
// the same way.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// retryWait returns how long to wait before the attempt after the given
// one, and false when err is final or the wait would not fit.
func (c *Client) retryWait(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	var e *Error
	if !errors.As(err, &e) || !e.Temporary() || attempt >= c.maxAttempts {
		return 0, false
	}

	wait, limit := c.backoff(attempt), time.Duration(1<<63-1)
	if e.Kind == KindRateLimited && !e.ResetAt.IsZero() {
		wait, limit = max(e.wait, 0)+rateMargin, maxRateWait
	}
	if deadline, ok := ctx.Deadline(); ok {
		limit = time.Until(deadline)
	}
	return wait, wait < limit
}

// backoff doubles MinBackoff per attempt up to MaxBackoff, then picks a
// random wait between half of that and all of it.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff
	for i := 1; i < attempt && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	if half := d / 2; half > 0 {
		return half + rand.N(half+1)
	}
	return d
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
