package webhook

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// Defaults of Config.
const (
	DefaultTimeout             = 10 * time.Second
	DefaultMaxIdleConnsPerHost = 4
	DefaultUserAgent           = "clicktrail-webhooks/1"
)

// Bounds applied to a Retry-After the receiver sends with 429 or 5xx.
const (
	MinRetryAfter = time.Second
	MaxRetryAfter = time.Hour
)

// ResolveFunc returns the addresses of host. The Deliverer calls it once per
// attempt and connects only to the addresses it returned.
type ResolveFunc = netguard.ResolveFunc

// Config configures a Deliverer. The zero value is usable: WithDefaults
// fills it in. Tagged fields are CLI flags (internal/cliflag).
type Config struct {
	// Timeout bounds one attempt: resolving, connecting, TLS, sending and
	// reading the status and the first KiB of the answer. Default 10s.
	Timeout time.Duration `flag:"webhook-timeout" env:"CLICKTRAIL_WEBHOOK_TIMEOUT" usage:"bound on each delivery attempt (default 10s)"`
	// AllowPrivate lets endpoints resolve to private, loopback, link-local
	// and other internal addresses. For tests and local development only:
	// with it, a customer's URL can reach the network clicktrail runs in.
	AllowPrivate bool `flag:"webhook-allow-private" env:"CLICKTRAIL_WEBHOOK_ALLOW_PRIVATE" usage:"let webhook endpoints resolve to private and loopback addresses (tests and local development only)"`
	// Resolve resolves endpoint hosts; default net.DefaultResolver.
	Resolve ResolveFunc
	// UserAgent is sent with every request; default "clicktrail-webhooks/1".
	UserAgent string
	// RootCAs verifies endpoints' TLS certificates; nil means the system
	// roots. The certificate is always checked against the URL's host
	// name, whatever address the connection went to.
	RootCAs *x509.CertPool
	// MaxIdleConnsPerHost is how many keep-alive connections are kept per
	// endpoint host; default 4.
	MaxIdleConnsPerHost int
}

// WithDefaults returns c with its unset fields set to the defaults.
func (c Config) WithDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Resolve == nil {
		c.Resolve = netguard.SystemResolve
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.MaxIdleConnsPerHost == 0 {
		c.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	return c
}

// Validate reports every bad field at once, each error naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must be >= 0, got %s", c.Timeout))
	}
	if c.MaxIdleConnsPerHost < 0 {
		errs = append(errs, fmt.Errorf("max_idle_conns_per_host: must be >= 0, got %d", c.MaxIdleConnsPerHost))
	}
	return errors.Join(errs...)
}
