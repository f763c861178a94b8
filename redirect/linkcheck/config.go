package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/clicktrail/clicktrail/internal/netguard"
	"github.com/clicktrail/clicktrail/redirect"
)

// LinkLister pages through the links of one workspace; *redirect.Store
// implements it. The checker sets WorkspaceID, After, Limit and
// IncludeDeleted and follows the returned cursor until it is "".
type LinkLister interface {
	List(ctx context.Context, q redirect.ListQuery) ([]*redirect.Link, string, error)
}

var _ LinkLister = (*redirect.Store)(nil)

// EmitFunc hands an event to the caller. nil means the event is durable
// (queued for webhooks, written to a log): only then does the checker
// record the alert. An error leaves the state as it was, and the same event
// (same ID) is emitted again in the next round.
type EmitFunc func(ctx context.Context, ev Event) error

// ResolveFunc returns the addresses of a host name.
type ResolveFunc = netguard.ResolveFunc

// Defaults of Config.
const (
	DefaultInterval        = 6 * time.Hour
	DefaultRoundInterval   = 10 * time.Minute
	DefaultPageSize        = 500
	DefaultRatePerSecond   = 10
	DefaultWorkers         = 8
	DefaultTimeout         = 10 * time.Second
	DefaultMaxRedirects    = 5
	DefaultMaxBodyBytes    = 4 << 10
	DefaultConfirmFailures = 2
	DefaultBackoffBase     = 5 * time.Minute
	DefaultBackoffMax      = 24 * time.Hour
	DefaultUserAgent       = "clicktrail-linkcheck/1 (broken destination checker)"
)

// Config configures a Checker. Zero fields take the defaults above; Links,
// Emit and StateDir are required.
type Config struct {
	// Links is the link store to page through.
	Links LinkLister
	// Workspaces returns the workspaces whose links are checked; nil means
	// only redirect.DefaultWorkspaceID.
	Workspaces func(ctx context.Context) ([]string, error)
	// Emit receives broken and recovered events; see EmitFunc.
	Emit EmitFunc
	// StateDir is the checker's own pebble directory.
	StateDir string
	// FS is the filesystem of StateDir; nil means the operating system's.
	// Tests pass vfs.NewMem().
	FS vfs.FS

	// Interval is how long after a successful check a destination is
	// checked again.
	Interval time.Duration
	// RoundInterval is how often Run starts a round (a scan of every link);
	// a round that takes longer is followed by the next at once.
	RoundInterval time.Duration
	// PageSize is how many links one List call returns.
	PageSize int
	// RatePerSecond bounds the requests (HEAD, GET, redirect hops) of the
	// whole checker, evenly spaced.
	RatePerSecond float64
	// Workers bounds the checks in flight (at most one per host anyway).
	Workers int
	// Timeout bounds one request, redirects included.
	Timeout time.Duration
	// MaxRedirects is how many redirects a check follows; more is a failure.
	MaxRedirects int
	// MaxBodyBytes is the most of a GET body that is read.
	MaxBodyBytes int64
	// ConfirmFailures is how many consecutive failures make a destination
	// broken (1 alerts on the first failure).
	ConfirmFailures int
	// BackoffBase is the wait before the check after a first failure; it
	// doubles with each further failure, up to BackoffMax.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// UserAgent is sent with every request.
	UserAgent string

	// AllowPrivate lets checks connect to private, loopback and link-local
	// addresses: tests and local development only.
	AllowPrivate bool
	// Resolve resolves host names; nil means the system resolver.
	Resolve ResolveFunc
	// Now is the clock of schedules and events; nil means time.Now. The
	// rate limit always uses the real clock.
	Now func() time.Time
	// Logger receives failures of the checker itself (not of destinations);
	// nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	setDefault(&c.Interval, DefaultInterval)
	setDefault(&c.RoundInterval, DefaultRoundInterval)
	setDefault(&c.PageSize, DefaultPageSize)
	setDefault(&c.RatePerSecond, DefaultRatePerSecond)
	setDefault(&c.Workers, DefaultWorkers)
	setDefault(&c.Timeout, DefaultTimeout)
	setDefault(&c.MaxRedirects, DefaultMaxRedirects)
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&c.ConfirmFailures, DefaultConfirmFailures)
	setDefault(&c.BackoffBase, DefaultBackoffBase)
	setDefault(&c.BackoffMax, DefaultBackoffMax)
	setDefault(&c.UserAgent, DefaultUserAgent)
	if c.Workspaces == nil {
		c.Workspaces = func(context.Context) ([]string, error) { return []string{redirect.DefaultWorkspaceID}, nil }
	}
	if c.Resolve == nil {
		c.Resolve = netguard.SystemResolve
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// Validate reports every bad field at once, naming each.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if c.Links == nil {
		bad("Links", "required")
	}
	if c.Emit == nil {
		bad("Emit", "required")
	}
	if c.StateDir == "" {
		bad("StateDir", "required")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Interval", c.Interval}, {"RoundInterval", c.RoundInterval}, {"Timeout", c.Timeout},
		{"BackoffBase", c.BackoffBase}, {"BackoffMax", c.BackoffMax}} {
		if d.v < 0 {
			bad(d.name, "must not be negative, got %v", d.v)
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"PageSize", c.PageSize}, {"Workers", c.Workers}, {"MaxRedirects", c.MaxRedirects}, {"ConfirmFailures", c.ConfirmFailures}} {
		if n.v < 0 {
			bad(n.name, "must not be negative, got %d", n.v)
		}
	}
	if c.PageSize > redirect.MaxListLimit {
		bad("PageSize", "at most %d (the link store's page limit), got %d", redirect.MaxListLimit, c.PageSize)
	}
	if c.RatePerSecond < 0 {
		bad("RatePerSecond", "must not be negative, got %v", c.RatePerSecond)
	}
	if c.MaxBodyBytes < 0 {
		bad("MaxBodyBytes", "must not be negative, got %d", c.MaxBodyBytes)
	}
	if c.BackoffBase > 0 && c.BackoffMax > 0 && c.BackoffMax < c.BackoffBase {
		bad("BackoffMax", "must be at least BackoffBase (%v), got %v", c.BackoffBase, c.BackoffMax)
	}
	return errors.Join(errs...)
}
