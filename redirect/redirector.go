package redirect

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// ClickLog records clicks durably. The local spool (ingest/) implements it.
//
// Contract: Append returns quickly and never waits on Kafka; nil means the
// log has the record and makes it durable by its own rules (the spool:
// within its flush interval, or before returning in sync mode) and drains
// it to Kafka later. It must not keep value after it returns: the
// redirector encodes every click into a reused buffer. key is immutable and
// may be kept. It is called concurrently from every request goroutine.
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
		errs = append(errs, errors.New("store: required"))
	}
	if c.Clicks == nil {
		errs = append(errs, errors.New("clicks: required"))
	}
	if c.AnyHost || c.DefaultDomain != "" {
		if msg := domainProblem(c.DefaultDomain); msg != "" {
			errs = append(errs, fmt.Errorf("default_domain: %s", msg))
		}
	}
	if n := len(c.VisitorSecret); n > 0 && n < MinVisitorSecretLen {
		errs = append(errs, fmt.Errorf("visitor_secret: need at least %d bytes, got %d", MinVisitorSecretLen, n))
	}
	if c.ClickIDParam != "" && (!validMetadataKey(c.ClickIDParam) || c.ClickIDParam == QRParam) {
		errs = append(errs, fmt.Errorf("click_id_param: want 1 to %d characters of A-Z a-z 0-9 _ . - other than %q, got %.80q", MaxMetadataKeyLen, QRParam, c.ClickIDParam))
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

// NewRedirector returns the redirector. It serves through two front-ends
// that give the same answers from one transport-independent core
// (redirector_core.go): ServeHTTP for net/http and ServeFastHTTP for
// fasthttp (the redirect listener's default, for throughput):
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
	rd := &Redirector{cfg: cfg, log: cfg.Logger}
	if rd.log == nil {
		rd.log = slog.New(slog.DiscardHandler)
	}
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
