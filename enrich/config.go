package enrich

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// MinSecretLen is the minimum length of Config.Secret in bytes.
const MinSecretLen = 32

// Config configures an Enricher.
type Config struct {
	// Secret keys the visitor hash (see the package doc). Required, at least
	// MinSecretLen bytes of random data. Every enrich instance of a
	// deployment must use the same secret; changing it changes every hash.
	Secret []byte
	// GeoIPPath is the path of a MaxMind City or Country .mmdb database.
	// Empty means no geolocation: Country, Region and City stay empty.
	GeoIPPath string
	// Now returns the current time; it decides which day salts are cached.
	// Nil means time.Now.
	Now func() time.Time
	// Logger receives debug logs (geo lookup failures). Nil discards them.
	Logger *slog.Logger
}

// withDefaults returns c with nil fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every invalid field of c, each error naming its key.
func (c Config) Validate() error {
	var errs []error
	if len(c.Secret) < MinSecretLen {
		errs = append(errs, fmt.Errorf("enrich config: Secret: need at least %d bytes, got %d", MinSecretLen, len(c.Secret)))
	}
	return errors.Join(errs...)
}
