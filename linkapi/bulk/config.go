package bulk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/linkapi"
)

// Config configures bulk link jobs.
type Config struct {
	// Runner runs the jobs posted through Routes: create it with NewRunner
	// over the same store. Without one, POST /v1/links/bulk answers 503
	// jobs_disabled (GET /v1/jobs still works).
	Runner *Runner
	// AllowPrivateCallbacks accepts callback_url on loopback and private
	// addresses, for development.
	AllowPrivateCallbacks bool
	// Callback sends a job's completion callback: POST body to url with
	// headers, nil when the receiver answered 2xx. nil means a client
	// with CallbackTimeout that follows no redirects and, unless
	// AllowPrivateCallbacks, connects only to public addresses. An error
	// is retried.
	Callback func(ctx context.Context, url string, headers http.Header, body []byte) error
	// CallbackAttempts is how often a callback is tried; default 5.
	CallbackAttempts int
	// CallbackBackoff is the wait before the second attempt, doubled
	// before each further one; default 1s.
	CallbackBackoff time.Duration
	// CallbackTimeout bounds one attempt; default 10s.
	CallbackTimeout time.Duration
	// OnJobEvent, when set, is called on the runner's goroutine once a
	// job's end is durable, with EventJobSucceeded or EventJobFailed, so
	// that the events can be routed to the workspace's webhooks. It must
	// not keep job and should not block for long.
	OnJobEvent func(eventType string, job *Job)
}

// Defaults of Config.
const (
	DefaultCallbackAttempts = 5
	DefaultCallbackBackoff  = time.Second
	DefaultCallbackTimeout  = 10 * time.Second
)

// Validate reports every bad field at once, each named with prefix (for
// example "Jobs").
func (c *Config) Validate(prefix string) error {
	var errs []error
	if c.CallbackAttempts < 0 {
		errs = append(errs, fmt.Errorf("%s.CallbackAttempts: must be >= 0 (0 means %d), got %d", prefix, DefaultCallbackAttempts, c.CallbackAttempts))
	}
	if c.CallbackBackoff < 0 {
		errs = append(errs, fmt.Errorf("%s.CallbackBackoff: must be >= 0 (0 means %s), got %s", prefix, DefaultCallbackBackoff, c.CallbackBackoff))
	}
	if c.CallbackTimeout < 0 {
		errs = append(errs, fmt.Errorf("%s.CallbackTimeout: must be >= 0 (0 means %s), got %s", prefix, DefaultCallbackTimeout, c.CallbackTimeout))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.CallbackAttempts == 0 {
		c.CallbackAttempts = DefaultCallbackAttempts
	}
	if c.CallbackBackoff == 0 {
		c.CallbackBackoff = DefaultCallbackBackoff
	}
	if c.CallbackTimeout == 0 {
		c.CallbackTimeout = DefaultCallbackTimeout
	}
	if c.Callback == nil {
		c.Callback = defaultCallback(c.CallbackTimeout, c.AllowPrivateCallbacks)
	}
	return c
}

// jobs is what the routes and the runner share: the link API's
// configuration and create path, the job store and the sealing ring.
type jobs struct {
	api     linkapi.APIConfig // Now and Secrets set
	cfg     Config            // with its defaults
	create  *linkapi.Creator
	store   *jobStore
	secrets *seal.Ring
	log     *slog.Logger
}

// newJobs checks api (the link API's configuration: the same Store,
// DefaultDomain, Destinations, OnLinkEvent, ...) and cfg.
func newJobs(api linkapi.APIConfig, cfg Config) (*jobs, error) {
	if err := errors.Join(api.Validate(), cfg.Validate("Jobs")); err != nil {
		return nil, err
	}
	create, err := linkapi.NewCreator(api)
	if err != nil {
		return nil, err
	}
	if api.Now == nil {
		api.Now = time.Now
	}
	if api.Secrets == nil {
		api.Secrets = seal.ProcessRing() // as the link API: tests only
	}
	return &jobs{api: api, cfg: cfg.withDefaults(), create: create, store: newJobStore(api.Store), secrets: api.Secrets,
		log: logs.OrDiscard(api.Logger)}, nil
}
