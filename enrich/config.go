package enrich

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// MinSecretLen is the minimum length of Config.HashSecret in bytes.
const MinSecretLen = 32

// Config configures an Enricher. The tags of its fields are the CLI's
// flags (internal/cliflag): a field added here with a tag is a flag of
// `clicktrail enrich` and `clicktrail dev` with nothing else to change.
type Config struct {
	// HashSecret keys the visitor hash (see the package doc). Required, at
	// least MinSecretLen bytes of random data. Every enrich instance of a
	// deployment must use the same secret; changing it changes every hash.
	HashSecret []byte `flag:"hash-secret" env:"CLICKTRAIL_HASH_SECRET" usage:"secret (>= 32 bytes) keying the visitor hash; dev generates one in the data dir"`
	// GeoIPPath is the path of a MaxMind City or Country .mmdb database.
	// Empty means no geolocation: Country, Region and City stay empty.
	GeoIPPath string `flag:"geoip-db" env:"CLICKTRAIL_GEOIP_DB" usage:"MaxMind-format .mmdb (City or Country) for geo enrichment; empty: no geo"`
	// InternalNetworks are CIDR prefixes ("10.0.0.0/8", "2001:db8::/32")
	// of the deployment's own traffic: offices, monitoring, QA. A click
	// from one of them is marked EnrichedClick.Internal, so webhook
	// endpoints and alerts can exclude it; nothing else changes. The
	// address itself still never leaves enrich.
	InternalNetworks []string `flag:"internal-network" env:"CLICKTRAIL_INTERNAL_NETWORKS" usage:"CIDR of your own or test traffic (repeatable): its clicks are marked internal, which webhook endpoints and alerts can exclude"`
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
	if len(c.HashSecret) < MinSecretLen {
		errs = append(errs, fmt.Errorf("enrich config: HashSecret: need at least %d bytes, got %d", MinSecretLen, len(c.HashSecret)))
	}
	for i, n := range c.InternalNetworks {
		if _, err := netip.ParsePrefix(n); err != nil {
			errs = append(errs, fmt.Errorf("enrich config: InternalNetworks[%d]: want a CIDR prefix such as 10.0.0.0/8, got %q", i, n))
		}
	}
	return errors.Join(errs...)
}
