package dashboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clicktrail/clicktrail/analytics"
)

// DefaultSessionTTL is how long a session lasts after sign-in.
const DefaultSessionTTL = 12 * time.Hour

// ErrBadKey says a key is unknown, revoked, or not allowed here.
var ErrBadKey = errors.New("unknown or revoked API key")

// Principal is who a session acts as: a key of a workspace.
type Principal struct {
	WorkspaceID string
	KeyID       string
	Scopes      []string
}

// Keys checks API keys the way the link API does.
type Keys interface {
	// Check returns the principal of key, ErrBadKey when the API refuses
	// it.
	Check(ctx context.Context, key string) (Principal, error)
	// Active reports whether the key p signed in with is still good
	// (ErrBadKey once it is revoked).
	Active(ctx context.Context, p Principal) error
}

// Link is what the dashboard shows of a link.
type Link struct {
	ID          string `json:"id"`
	Domain      string `json:"domain"`
	Path        string `json:"path"`
	Destination string `json:"destination_url"`
}

// Links finds links; analytics.ErrNotFound for an unknown id.
type Links interface {
	analytics.Links
	Link(ctx context.Context, id string) (Link, error)
}

// Config configures the dashboard.
type Config struct {
	Reader analytics.Reader
	Links  Links
	Keys   Keys
	// InsecureCookie drops the cookie's Secure attribute, for dev's plain
	// HTTP listener. Never set it behind TLS.
	InsecureCookie bool
	// SessionTTL is a session's lifetime; default DefaultSessionTTL.
	SessionTTL time.Duration
	// MaxSessions bounds the sessions kept; default 10,000. A sign-in
	// beyond it drops the oldest session.
	MaxSessions int
	Now         func() time.Time // nil means time.Now
	Logger      *slog.Logger     // nil discards
}

// Validate reports every bad field at once.
func (c Config) Validate() error {
	var errs []error
	if c.Reader == nil {
		errs = append(errs, errors.New("dashboard: Reader: required"))
	}
	if c.Links == nil {
		errs = append(errs, errors.New("dashboard: Links: required"))
	}
	if c.Keys == nil {
		errs = append(errs, errors.New("dashboard: Keys: required"))
	}
	if c.SessionTTL < 0 {
		errs = append(errs, fmt.Errorf("dashboard: SessionTTL: must be >= 0, got %s", c.SessionTTL))
	}
	if c.MaxSessions < 0 {
		errs = append(errs, fmt.Errorf("dashboard: MaxSessions: must be >= 0, got %d", c.MaxSessions))
	}
	return errors.Join(errs...)
}

func (c *Config) defaults() {
	if c.SessionTTL == 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = 10_000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}
