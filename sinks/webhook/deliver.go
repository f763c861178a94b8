package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// Sender makes one delivery attempt. *Deliverer is the implementation;
// wrap it to add metrics.
type Sender interface {
	Deliver(ctx context.Context, ep Endpoint, msg Message) Result
}

var _ Sender = (*Deliverer)(nil)

// drainLimit is how much of a response beyond the snippet is read so the
// connection can be reused; a longer answer closes the connection.
const drainLimit = 64 << 10

// Deliverer POSTs messages to endpoints. It is safe for concurrent use and
// keeps keep-alive connections per endpoint host; Close releases them.
type Deliverer struct {
	cfg       Config
	log       *slog.Logger
	client    *http.Client
	transport *http.Transport
	guard     *netguard.Guard  // resolves and checks each attempt's host; its dialer connects
	now       func() time.Time // the clock of webhook-timestamp; tests replace it
}

// NewDeliverer returns a Deliverer for cfg (defaults applied). A nil log
// discards.
func NewDeliverer(cfg Config, log *slog.Logger) (*Deliverer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook deliverer config: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	guard := &netguard.Guard{Resolve: cfg.Resolve, AllowPrivate: cfg.AllowPrivate, Dialer: net.Dialer{KeepAlive: 30 * time.Second}}
	t := &http.Transport{
		// No Proxy: a proxy would connect on our behalf to an address we
		// did not check. Every dial goes through the SSRF guard.
		Proxy:               nil,
		DialContext:         dialChecked(guard),
		TLSClientConfig:     &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: cfg.MaxIdleConnsPerHost,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Deliverer{
		cfg: cfg,
		log: log,
		client: &http.Client{
			Transport: t,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		transport: t,
		guard:     guard,
		now:       time.Now,
	}, nil
}

// Close closes idle connections. Deliver may still be called afterwards.
func (d *Deliverer) Close() { d.transport.CloseIdleConnections() }

// Deliver makes one attempt to POST msg to ep, signed with every secret of
// ep, and classifies the answer (see Outcome). It never panics and never
// retries by itself: the caller decides with Schedule.NextAttempt. The
// attempt is bounded by Config.Timeout and by ctx; a canceled ctx gives an
// OutcomeRetry Result.
func (d *Deliverer) Deliver(ctx context.Context, ep Endpoint, msg Message) Result {
	began := time.Now()
	r := Result{EndpointID: ep.ID, MessageID: msg.ID, Attempted: d.now()}
	d.attempt(ctx, ep, msg, &r)
	r.Latency = time.Since(began)
	if r.Err != nil {
		d.log.Debug("webhook attempt failed", "endpoint", ep.ID, "message", msg.ID,
			"status", r.Status, "outcome", r.Outcome, "latency", r.Latency, "err", r.Err)
	}
	return r
}

func (d *Deliverer) attempt(ctx context.Context, ep Endpoint, msg Message, r *Result) {
	if err := ctx.Err(); err != nil {
		r.Outcome, r.Err = OutcomeRetry, fmt.Errorf("endpoint %s: not attempted: %w", ep.ID, err)
		return
	}
	if err := ep.Validate(); err != nil {
		r.Outcome, r.Err = OutcomeDisable, fmt.Errorf("endpoint %q: %w", ep.ID, err)
		return
	}
	u, _ := parseEndpointURL(ep.URL) // validated above
	sig, err := signAll(ep.Secrets, msg, r.Attempted)
	if err != nil {
		r.Outcome, r.Err = OutcomeFailed, fmt.Errorf("message %q: %w", msg.ID, err)
		return
	}

	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	host := u.Host // normalized: ASCII, an IPv6 address without brackets
	addrs, err := d.guard.Addrs(ctx, host)
	if err != nil {
		r.Outcome, r.Err = OutcomeRetry, fmt.Errorf("endpoint %s: %w", ep.ID, err)
		if _, literal := netip.ParseAddr(host); literal == nil && errors.Is(err, ErrBlockedAddress) {
			// An IP literal never resolves to anything else.
			r.Outcome = OutcomeDisable
		}
		return
	}
	ctx = context.WithValue(ctx, checkedKey{}, &checkedAddrs{host: host, addrs: addrs})

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String, bytes.NewReader(msg.Body))
	if err != nil {
		r.Outcome, r.Err = OutcomeDisable, fmt.Errorf("endpoint %s: build request: %w", ep.ID, err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", d.cfg.UserAgent)
	req.Header.Set(webhooksig.HeaderID, msg.ID)
	req.Header.Set(webhooksig.HeaderTimestamp, strconv.FormatInt(r.Attempted.Unix(), 10))
	req.Header.Set(webhooksig.HeaderSignature, sig)

	resp, err := d.client.Do(req)
	if err != nil {
		r.Outcome, r.Err = OutcomeRetry, fmt.Errorf("endpoint %s: %w", ep.ID, err)
		return
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSnippet))
	r.Response = sanitize(snippet, MaxResponseSnippet)
	_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	classify(r, resp, d.now())
}

// signAll returns the webhook-signature value: one v1 signature per secret.
func signAll(secrets []string, msg Message, ts time.Time) (string, error) {
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		sig, err := webhooksig.Sign(s, msg.ID, ts, msg.Body)
		if err != nil {
			return "", err
		}
		sigs[i] = sig
	}
	return strings.Join(sigs, " "), nil
}
