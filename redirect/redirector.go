package redirect

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/schemas"
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
	// Topic is the topic clicks are appended to; empty means
	// schemas.TopicClicksRaw. Deployments that prefix their topic names set
	// the full name here, once, rather than per click.
	Topic string
	// DefaultDomain is the domain served when AnyHost is set.
	DefaultDomain string
	// AnyHost serves every Host header as DefaultDomain (development, tests
	// behind localhost).
	AnyHost bool
	// Geo answers country rules. Nil means country rules never match.
	Geo CountryLookup
	// VisitorSecret keys the A/B bucket of a visitor (see visitor.bucket):
	// at least MinVisitorSecretLen bytes, the same on every node so that a
	// visitor sees one variant whichever node answers. Empty means a random
	// key per process: buckets are then stable only until a restart and only
	// on this node. The enrich hash secret may be reused: the key is derived
	// from it with a distinct label.
	VisitorSecret []byte
	// ClickIDParam is the query parameter that carries the event id to the
	// destination of links with TrackConversions; empty means
	// DefaultClickIDParam. It is reserved (never forwarded from the
	// incoming query), like QRParam.
	ClickIDParam string
	Logger       *slog.Logger     // nil discards
	Now          func() time.Time // nil means time.Now
}

// MinVisitorSecretLen is the minimum length of RedirectConfig.VisitorSecret.
const MinVisitorSecretLen = 32

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
	if n := len(c.VisitorSecret); n > 0 && n < MinVisitorSecretLen {
		errs = append(errs, fmt.Errorf("VisitorSecret: need at least %d bytes, got %d", MinVisitorSecretLen, n))
	}
	if c.ClickIDParam != "" && (!validMetadataKey(c.ClickIDParam) || c.ClickIDParam == QRParam) {
		errs = append(errs, fmt.Errorf("ClickIDParam: want 1 to %d characters of A-Z a-z 0-9 _ . - other than %q, got %.80q", MaxMetadataKeyLen, QRParam, c.ClickIDParam))
	}
	return errors.Join(errs...)
}

// Redirector serves short links. See NewRedirector.
type Redirector struct {
	cfg        RedirectConfig
	log        *slog.Logger
	variantKey [32]byte
	notReady   atomic.Bool // set by SetReady(false): /readyz answers 503

	served, notFound, expired, captureErrors atomic.Uint64
	lastCaptureLog                           atomic.Int64 // unix nanos of the last capture-error log line
}

// Stats counts the redirector's answers since it started.
type Stats struct {
	Served        uint64 // redirects answered (each recorded a click or a capture error)
	NotFound      uint64 // unknown, disabled or malformed paths (404)
	Expired       uint64 // expired links (410, or 302 with expired_redirect)
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
//	GET|HEAD /healthz    200 "ok" while the process serves
//	GET|HEAD /readyz     200 "ready", or 503 after SetReady(false)
//	GET|HEAD /{path...}  the link's redirect (301/302/307), 404 or 410
//
// The redirect's destination is chosen by the link's rules and variants, and
// gets the incoming query merged in (package doc, "Routing" and "Query
// parameters"). Expired and disabled links follow "Link states".
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
	if cfg.ClickIDParam == "" {
		cfg.ClickIDParam = DefaultClickIDParam
	}
	if cfg.Topic == "" {
		cfg.Topic = schemas.TopicClicksRaw
	}
	rd := &Redirector{cfg: cfg, log: orDiscard(cfg.Logger)}
	secret := cfg.VisitorSecret
	if len(secret) == 0 {
		secret = make([]byte, MinVisitorSecretLen)
		rand.Read(secret)
	}
	rd.variantKey = sha256.Sum256(append([]byte("clicktrail/variant-key\x00"), secret...))
	return rd, nil
}

// SetReady sets what /readyz answers: true (the default, as the store is
// open once NewRedirector returns) gives 200, false gives 503. Call
// SetReady(false) when shutdown starts, so load balancers stop sending
// traffic while in-flight requests drain. Redirects are served either way.
func (rd *Redirector) SetReady(ready bool) { rd.notReady.Store(!ready) }

// readyzPath is the readiness check's path, reserved like "healthz".
const readyzPath = "readyz"

var (
	hdrCacheControl = []string{"private, max-age=0"}
	hdrTextPlain    = []string{"text/plain; charset=utf-8"}
	hdrTextHTML     = []string{"text/html; charset=utf-8"}
	hdrAllow        = []string{"GET, HEAD"}
)

// ServeHTTP is the redirect hot path.
//
// Steps: parse host and path without allocating (ParsePath only allocates for
// %-escapes); Store.lookup returns the cached entry, whose Location header,
// record key and compiled route (rules, variants, split destinations) were
// computed once when the link entered the cache; pick the target (rules
// compute visitor attributes lazily); merge the incoming query only when
// there is one or the link tracks conversions; build and append the click;
// write the headers from the precomputed slices. A link without routing
// hit without a query allocates only the click itself (event id, JSON
// encoding) and net/http's own; a merged query adds its string.
//
// Rejected: routing through http.ServeMux with a "/{path...}" pattern. It
// answers unclean paths ("/a//b", "/a/../b") with its own 301 instead of
// letting our matching rules decide, and costs a pattern match per request.
// Rejected too: evaluating rules on the stored Link (re-parsing destination
// URLs and mapping names per request).
func (rd *Redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = hdrAllow
		rd.plain(w, r, http.StatusMethodNotAllowed, "method not allowed\n")
		return
	}
	escaped := r.URL.EscapedPath()
	switch escaped {
	case "/healthz":
		rd.plain(w, r, http.StatusOK, "ok\n")
		return
	case "/" + readyzPath:
		if rd.notReady.Load() {
			rd.plain(w, r, http.StatusServiceUnavailable, "shutting down\n")
		} else {
			rd.plain(w, r, http.StatusOK, "ready\n")
		}
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
		rd.serveExpired(w, r, e)
		return
	}

	c, err := rd.decide(r, e)
	if err != nil {
		rd.captureFailed(e, now, err)
	} else {
		rd.capture(r, e, &c, now)
	}
	rd.served.Add(1)
	h := w.Header()
	h["Location"] = c.location
	h["Cache-Control"] = hdrCacheControl
	w.WriteHeader(l.Code())
}

// decide picks the visitor's target and builds the Location header and the
// click. An error means the click has no event id (the system's random
// source failed) and cannot be recorded; c is still a usable redirect.
func (rd *Redirector) decide(r *http.Request, e *entry) (c click, err error) {
	q := scanQuery(r.URL.RawQuery, rd.cfg.ClickIDParam)
	v := newVisitor(r, rd.cfg.Geo)
	t, ruleID, variant := e.route.pick(&v, e.link.ID, &rd.variantKey)
	c = click{typ: schemas.ClickTypeClick, ruleID: ruleID, variant: variant, location: t.location}
	if q.qr {
		c.typ = schemas.ClickTypeQRScan
	}
	if id, idErr := uuid.NewV7(); idErr != nil {
		err = fmt.Errorf("new event id: %w", idErr)
	} else {
		c.eventID = id.String()
	}
	clickID := ""
	if e.link.TrackConversions {
		clickID = c.eventID
	}
	if q.forward || clickID != "" {
		c.location = []string{t.merge(q, rd.cfg.ClickIDParam, clickID)}
	}
	return c, err
}

// serveExpired answers a request for an expired link (package doc, "Link
// states"). No click is recorded.
func (rd *Redirector) serveExpired(w http.ResponseWriter, r *http.Request, e *entry) {
	h := w.Header()
	h["Cache-Control"] = hdrCacheControl
	switch {
	case e.expiredLoc == nil:
		rd.plain(w, r, http.StatusGone, "link expired\n")
	case e.link.ExpiredRedirect:
		h["Location"] = e.expiredLoc
		w.WriteHeader(http.StatusFound)
	default:
		h["Location"] = e.expiredLoc
		h["Content-Type"] = hdrTextHTML
		w.WriteHeader(http.StatusGone)
		if r.Method != http.MethodHead {
			w.Write(e.route.expiredBody)
		}
	}
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
