package stage

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// DefaultTimeout bounds one call to a CRM.
const DefaultTimeout = 10 * time.Second

// Options are the CRM stage's settings a deployment gives (CLI flags by
// their tags, internal/cliflag); the rest of Config is the process's.
type Options struct {
	// Disabled turns the stage off (dev only).
	Disabled bool `flag:"crm-disabled" env:"CLICKTRAIL_CRM_DISABLED" usage:"do not run the CRM sink (dev)"`
	// Timeout bounds each call to a CRM; default 10s.
	Timeout time.Duration `flag:"crm-timeout" env:"CLICKTRAIL_CRM_TIMEOUT" usage:"bound on each call to a CRM (default 10s)"`
	// AttemptBudget bounds how long a batch waits for its integrations'
	// writes (ADR 005); default 1s.
	AttemptBudget time.Duration `flag:"crm-attempt-budget" env:"CLICKTRAIL_CRM_ATTEMPT_BUDGET" usage:"how long a batch waits for CRM writes before parking them on the retry topics (default 1s)"`
	// AllowPrivate lets CRM URLs resolve to private and loopback
	// addresses: tests and local development only.
	AllowPrivate bool `flag:"crm-allow-private" env:"CLICKTRAIL_CRM_ALLOW_PRIVATE" usage:"let CRM URLs (instance, base and login URLs) resolve to private and loopback addresses (tests and local development only)"`
	// SecretKeys seal the integrations' credentials (ADR 007). It is the
	// process's one --secrets-key: in dev the same flag sets the webhook
	// stage's and the link API's keys. Empty: the webhook stage's keys,
	// else <data-dir>/secrets-key.
	SecretKeys []string `flag:"secrets-key" env:"CLICKTRAIL_SECRETS_KEYS" usage:"key sealing the secrets kept to be used (here CRM credentials), \"<id>:<base64 of 32 random bytes>\"; repeat to rotate: the first seals, the others still open (default: a key kept in <data-dir>/secrets-key)"`
}

// Validate reports every bad field at once, each naming its key.
func (o Options) Validate() error {
	var errs []error
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("crm-timeout: must be >= 0, got %s", o.Timeout))
	}
	if o.AttemptBudget < 0 {
		errs = append(errs, fmt.Errorf("crm-attempt-budget: must be >= 0, got %s", o.AttemptBudget))
	}
	return errors.Join(errs...)
}

// Client returns the HTTP client of CRM calls: bounded by Timeout, no
// redirects followed, dialing only addresses internal/netguard checked
// (unless AllowPrivate).
func (o Options) Client() *http.Client {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	g := &netguard.Guard{AllowPrivate: o.AllowPrivate}
	g.Dialer.Timeout = o.Timeout
	return &http.Client{
		Timeout:   o.Timeout,
		Transport: &http.Transport{DialContext: g.DialContext, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 4, TLSHandshakeTimeout: o.Timeout},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
