package redirect

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// ClickLog records clicks durably. The local spool (ingest/) implements it.
//
// Contract: Append returns quickly and never waits on Kafka; nil means the
// record is durable in the log (the spool drains it to Kafka later). It may
// keep key and value: the caller never modifies them after the call. It is
// called concurrently from every request goroutine.
type ClickLog interface {
	Append(topic string, key, value []byte) error
}

// RedirectConfig configures the redirector.
type RedirectConfig struct {
	Store  *Store
	Clicks ClickLog
	// DefaultDomain is the domain served when AnyHost is set.
	DefaultDomain string
	// AnyHost serves every Host header as DefaultDomain (development, tests
	// behind localhost).
	AnyHost bool
	Logger  *slog.Logger     // nil discards
	Now     func() time.Time // nil means time.Now
}

// Validate reports every bad field at once, naming each.
func (c *RedirectConfig) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("Store: required"))
	}
	if c.Clicks == nil {
		errs = append(errs, errors.New("Clicks: required"))
	}
	if c.AnyHost || c.DefaultDomain != "" {
		if msg := domainProblem(c.DefaultDomain); msg != "" {
			errs = append(errs, fmt.Errorf("DefaultDomain: %s", msg))
		}
	}
	return errors.Join(errs...)
}

// Redirector serves short links. See NewRedirector.
type Redirector struct {
	cfg RedirectConfig
	log *slog.Logger

	served, notFound, expired, captureErrors atomic.Uint64
	lastCaptureLog                           atomic.Int64 // unix nanos of the last capture-error log line
}

// Stats counts the redirector's answers since it started.
type Stats struct {
	Served        uint64 // redirects answered (each recorded a click or a capture error)
	NotFound      uint64 // unknown, disabled or malformed paths (404)
	Expired       uint64 // expired links (410)
	CaptureErrors uint64 // clicks whose ClickLog.Append failed; the redirect was still served
}

// Stats returns the current counters.
func (rd *Redirector) Stats() Stats {
	return Stats{
		Served:        rd.served.Load(),
		NotFound:      rd.notFound.Load(),
		Expired:       rd.expired.Load(),
		CaptureErrors: rd.captureErrors.Load(),
	}
}

// NewRedirector returns the redirect handler:
//
//	GET|HEAD /healthz    200 "ok"
//	GET|HEAD /{path...}  the link's redirect (301/302/307), 404 or 410
//
// Other methods get 405. Host and path matching follow the package doc. Each
// served redirect records one schemas.RawClick on schemas.TopicClicksRaw,
// keyed by link id; a failed Append is logged and counted, never shown to the
// visitor. Answers carry "Cache-Control: private, max-age=0" so that browsers
// and proxies come back and every click is counted.
func NewRedirector(cfg RedirectConfig) (*Redirector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("redirector config: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Redirector{cfg: cfg, log: orDiscard(cfg.Logger)}, nil
}

var (
	hdrCacheControl = []string{"private, max-age=0"}
	hdrTextPlain    = []string{"text/plain; charset=utf-8"}
	hdrAllow        = []string{"GET, HEAD"}
)

// ServeHTTP is the redirect hot path.
//
// Steps: parse host and path without allocating (ParsePath only allocates for
// %-escapes); Store.lookup returns the cached entry, whose Location header
// and record key were computed once when the link entered the cache; build
// and append the click; write the headers from those precomputed slices. The
// remaining per-request allocations are the click itself (event id, JSON
// encoding) and net/http's own.
//
// Rejected: routing through http.ServeMux with a "/{path...}" pattern. It
// answers unclean paths ("/a//b", "/a/../b") with its own 301 instead of
// letting our matching rules decide, and costs a pattern match per request.
func (rd *Redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = hdrAllow
		rd.plain(w, r, http.StatusMethodNotAllowed, "method not allowed\n")
		return
	}
	escaped := r.URL.EscapedPath()
	if escaped == "/healthz" {
		rd.plain(w, r, http.StatusOK, "ok\n")
		return
	}
	path, ok := ParsePath(escaped)
	if !ok {
		rd.notFound.Add(1)
		rd.plain(w, r, http.StatusNotFound, "not found\n")
		return
	}
	domain := rd.cfg.DefaultDomain
	if !rd.cfg.AnyHost {
		domain = hostOnly(r.Host)
	}
	e := rd.cfg.Store.lookup(domain, path)
	l := e.link
	if l == nil || l.Disabled {
		rd.notFound.Add(1)
		rd.plain(w, r, http.StatusNotFound, "not found\n")
		return
	}
	now := rd.cfg.Now()
	if l.Expired(now) {
		rd.expired.Add(1)
		if e.expiredLoc != nil {
			w.Header()["Location"] = e.expiredLoc
		}
		w.Header()["Cache-Control"] = hdrCacheControl
		rd.plain(w, r, http.StatusGone, "link expired\n")
		return
	}
	rd.capture(r, e, now)
	rd.served.Add(1)
	h := w.Header()
	h["Location"] = e.location
	h["Cache-Control"] = hdrCacheControl
	w.WriteHeader(l.Code())
}

func (rd *Redirector) plain(w http.ResponseWriter, r *http.Request, status int, body string) {
	w.Header()["Content-Type"] = hdrTextPlain
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(body))
	}
}

// hostOnly lower-cases host and strips its port and the trailing dot of a
// fully qualified name ("Go.Brand.com.:443" -> "go.brand.com",
// "[::1]:8080" -> "[::1]"). It does not allocate for a lower-case host.
func hostOnly(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			host = host[:i+1]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
