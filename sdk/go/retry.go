package patronus

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how the client retries requests answered with 429 or 503, and requests whose
// connection could not be opened. It waits what Retry-After says (seconds or an HTTP date), or
// else an exponential backoff with full jitter. MaxRetries 0 turns retries off.
type RetryPolicy struct {
	// MaxRetries is the number of attempts after the first one.
	MaxRetries int
	// BackoffBase: attempt n waits up to BackoffBase * 2^n when the server gives no Retry-After.
	BackoffBase time.Duration
	// BackoffMax caps every wait, whatever Retry-After says.
	BackoffMax time.Duration
}

// DefaultRetryPolicy is what New uses: 5 retries, 0.5 s doubling, at most 30 s per wait.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 5, BackoffBase: 500 * time.Millisecond, BackoffMax: 30 * time.Second}

func (p RetryPolicy) delay(attempt int, retryAfter time.Duration, haveRetryAfter bool) time.Duration {
	if haveRetryAfter {
		return min(max(retryAfter, 0), p.BackoffMax)
	}
	ceiling := min(p.BackoffBase<<min(attempt, 30), p.BackoffMax)
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// parseRetryAfter reads Retry-After: delta-seconds or an HTTP date (RFC 9110).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(max(secs, 0) * float64(time.Second)), true
	}
	if when, err := http.ParseTime(v); err == nil {
		return max(when.Sub(now), 0), true
	}
	return 0, false
}

// retryingDoer sends a request, and again while the answer is 429 or 503. The request's
// Idempotency-Key (set for every POST by the client) is the same on every attempt, so a POST
// whose first attempt reached the server is answered with the first response and creates nothing
// twice.
type retryingDoer struct {
	http   *http.Client
	policy RetryPolicy
}

func (d *retryingDoer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		resp, err := d.http.Do(r)
		var wait time.Duration
		switch {
		case err != nil:
			if attempt >= d.policy.MaxRetries || !isConnectError(err) || ctx.Err() != nil {
				return nil, err
			}
			wait = d.policy.delay(attempt, 0, false)
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) &&
			attempt < d.policy.MaxRetries:
			ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			wait = d.policy.delay(attempt, ra, ok)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		default:
			return resp, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isConnectError: the request never reached the server (connection refused, DNS), so sending it
// again cannot repeat it.
func isConnectError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
