package linkcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// Kinds of failed checks, the prefix of Event.Error.
const (
	kindDNS       = "dns"
	kindConnect   = "connect"
	kindTLS       = "tls"
	kindTimeout   = "timeout"
	kindRedirects = "redirects"
	kindStatus    = "status"
	kindHTTP      = "http"
	kindBlocked   = "blocked"
)

// outcome is the result of checking one destination.
type outcome struct {
	status int    // final HTTP status, 0 when none
	kind   string // "" when the destination works, else a kind* constant
	detail string // what failed, for Event.Error
}

func (o outcome) failed() bool  { return o.kind != "" && o.kind != kindBlocked }
func (o outcome) blocked() bool { return o.kind == kindBlocked }

// errorText is Event.Error: "kind: detail".
func (o outcome) errorText() string {
	if o.kind == "" {
		return ""
	}
	return o.kind + ": " + o.detail
}

var errTooManyRedirects = errors.New("too many redirects")

// aliveStatus reports whether a final status means the destination works.
// 401, 403, 405 and 429 are alive but guarded: a login or bot wall, a
// method refused, a rate limit, in front of a page that exists.
func aliveStatus(code int) bool {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusTooManyRequests:
		return true
	}
	return code < 400
}

// newHTTPClient returns the client of every check: the guard as dialer, no
// proxy, no connection reuse (checks go to many hosts, rarely the same one
// twice in a row), every request paced, and at most maxRedirects hops.
// Redirects to something that is not http(s) (an app deep link) end the
// check with the redirect itself, which counts as working.
func newHTTPClient(cfg Config, p *pacer) (*http.Client, *http.Transport) {
	g := &netguard.Guard{Resolve: cfg.Resolve, AllowPrivate: cfg.AllowPrivate, Dialer: net.Dialer{Timeout: cfg.Timeout}}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            g.DialContext,
		ForceAttemptHTTP2:      true,
		DisableKeepAlives:      true,
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	client := &http.Client{
		Transport: &pacedTransport{pacer: p, next: tr},
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return http.ErrUseLastResponse
			}
			if len(via) > cfg.MaxRedirects {
				return errTooManyRedirects
			}
			return nil
		},
	}
	return client, tr
}

// probe checks one destination: HEAD, then GET when HEAD was answered 400
// or above or failed at the protocol level.
func (c *Checker) probe(ctx context.Context, dest string) outcome {
	o := c.request(ctx, http.MethodHead, dest)
	if o.kind == kindStatus || o.kind == kindHTTP || (o.kind == "" && o.status >= 400) {
		o = c.request(ctx, http.MethodGet, dest)
	}
	return o
}

func (c *Checker) request(ctx context.Context, method, dest string) outcome {
	req, err := http.NewRequestWithContext(ctx, method, dest, nil)
	if err != nil {
		return outcome{kind: kindHTTP, detail: "bad URL: " + err.Error()}
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := c.client.Do(req)
	if err != nil {
		return classify(err)
	}
	defer resp.Body.Close()
	if method == http.MethodGet {
		// The status is the answer; the body is read (bounded) only so that
		// a server that fails mid-answer is seen by the server's own logs
		// as a normal visit, not a reset.
		_, _ = io.CopyN(io.Discard, resp.Body, c.cfg.MaxBodyBytes)
	}
	if !aliveStatus(resp.StatusCode) {
		return outcome{status: resp.StatusCode, kind: kindStatus, detail: fmt.Sprint(resp.StatusCode)}
	}
	return outcome{status: resp.StatusCode}
}

// classify maps a client error to the kind of failure.
func classify(err error) outcome {
	var (
		resolveErr *ResolveError
		dnsErr     *net.DNSError
		certErr    *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		hostErr    x509.HostnameError
		authErr    x509.UnknownAuthorityError
		opErr      *net.OpError
		netErr     net.Error
	)
	detail := err.Error()
	if ue, ok := err.(*url.Error); ok {
		detail = ue.Err.Error()
	}
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return outcome{kind: kindBlocked, detail: detail}
	case errors.Is(err, errTooManyRedirects):
		return outcome{kind: kindRedirects, detail: "more than the allowed redirects"}
	case errors.As(err, &resolveErr), errors.As(err, &dnsErr):
		return outcome{kind: kindDNS, detail: detail}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return outcome{kind: kindTimeout, detail: detail}
	case errors.As(err, &certErr), errors.As(err, &recordErr), errors.As(err, &alertErr),
		errors.As(err, &hostErr), errors.As(err, &authErr), strings.Contains(detail, "tls: "):
		return outcome{kind: kindTLS, detail: detail}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return outcome{kind: kindConnect, detail: detail}
	}
	return outcome{kind: kindHTTP, detail: detail}
}
