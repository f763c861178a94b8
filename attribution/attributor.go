package attribution

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/internal/pebblelog"
	"github.com/clicktrail/clicktrail/schemas"
)

// Defaults of Config.
const (
	// DefaultWindow is how long after a click a conversion is credited to
	// it (the common 90-day click-through window of ad platforms).
	DefaultWindow = 90 * 24 * time.Hour
	// DefaultPendingFor is how long a conversion waits for its click. A
	// click can be late by as long as a redirect node's spool was cut
	// off from Kafka.
	DefaultPendingFor = 24 * time.Hour
)

// Config configures an Attributor. Zero fields take the defaults.
// Tagged fields are CLI flags (internal/cliflag); DefaultConfig gives
// the defaults they show.
type Config struct {
	// Dir is the pebble directory, owned by this Attributor alone.
	// Required.
	Dir string
	// Window: a click older than this (at the conversion's time) is not
	// credited, and the index forgets clicks this old (Sweep); default
	// DefaultWindow.
	Window time.Duration `flag:"attribution-window" env:"CLICKTRAIL_ATTRIBUTION_WINDOW" usage:"how long after a click a conversion is credited to it (conversion.attributed); older clicks are forgotten"`
	// PendingFor is how long a conversion waits for its click before it
	// is dropped as unattributed; default DefaultPendingFor.
	PendingFor time.Duration `flag:"attribution-wait" env:"CLICKTRAIL_ATTRIBUTION_WAIT" usage:"how long a conversion that arrived before its click waits for it before it is dropped as unattributed"`
	// Now is the clock of pending deadlines and sweeps; nil means
	// time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
}

// DefaultConfig returns a Config with the defaults of its tunables set
// (Dir, Now and Logger left to the caller).
func DefaultConfig() Config { return Config{Window: DefaultWindow, PendingFor: DefaultPendingFor} }

func (c Config) withDefaults() Config {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.PendingFor == 0 {
		c.PendingFor = DefaultPendingFor
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every bad field at once, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir: required"))
	}
	if c.Window < 0 {
		errs = append(errs, fmt.Errorf("window: must be >= 0, got %s", c.Window))
	}
	if c.PendingFor < 0 {
		errs = append(errs, fmt.Errorf("pending_for: must be >= 0, got %s", c.PendingFor))
	}
	return errors.Join(errs...)
}

// Attributor is the attribution index; see the package doc. Its methods
// are safe for concurrent use: the click and conversion consumers call it
// from their own goroutines.
type Attributor struct {
	cfg Config
	db  *pebble.DB
	log *slog.Logger
	// mu makes "index a click, then look for conversions waiting for
	// it" and "look for a conversion's click, else park it" atomic with
	// respect to each other, so a conversion never parks after its click
	// went by.
	mu sync.Mutex
}

// Open opens (or creates) the Attributor in cfg.Dir.
func Open(cfg Config) (*Attributor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("attributor config: %w", err)
	}
	cfg = cfg.withDefaults()
	opts := &pebble.Options{Logger: pebblelog.New(cfg.Logger), FormatMajorVersion: pebble.FormatNewest}
	opts.EnsureDefaults()
	// Most conversions look up one click among millions; most clicks look
	// for pending conversions that are not there.
	pebblekv.BloomAllLevels(opts)
	db, err := pebble.Open(cfg.Dir, opts)
	if err != nil {
		return nil, fmt.Errorf("open attributor %s: %w", cfg.Dir, err)
	}
	return &Attributor{cfg: cfg, db: db, log: cfg.Logger}, nil
}

// Close releases the store.
func (a *Attributor) Close() error { return a.db.Close() }

// Click is what the index keeps of a click: what an attributed
// conversion says about the click that led to it. No address, no link
// metadata.
type Click struct {
	EventID      string      `json:"event_id"`
	Type         string      `json:"type"` // click or qr_scan
	Time         time.Time   `json:"ts"`
	WorkspaceID  string      `json:"workspace_id"`
	LinkID       string      `json:"link_id"`
	Domain       string      `json:"domain"`
	Path         string      `json:"path"`
	Destination  string      `json:"destination"`
	UTM          schemas.UTM `json:"utm"`
	Tags         []string    `json:"tags,omitempty"`
	ContactID    string      `json:"contact_id,omitempty"`
	Country      string      `json:"country,omitempty"`
	DeviceType   string      `json:"device_type,omitempty"`
	ReferrerHost string      `json:"referrer_host,omitempty"`
	Bot          bool        `json:"bot,omitempty"`
	RuleID       string      `json:"rule_id,omitempty"`
	Variant      string      `json:"variant,omitempty"`
	VisitorHash  uint64      `json:"visitor_hash,string"`
}

// ClickOf returns the index entry of an enriched click.
func ClickOf(c *schemas.EnrichedClick) Click {
	return Click{
		EventID: c.EventID, Type: c.Type, Time: c.Time.UTC(), WorkspaceID: workspaceOf(c.WorkspaceID),
		LinkID: c.LinkID, Domain: c.Domain, Path: c.Path, Destination: c.Destination, UTM: c.UTM, Tags: c.Tags,
		ContactID: c.ContactID, Country: c.Country, DeviceType: c.DeviceType, ReferrerHost: c.ReferrerHost,
		Bot: c.Bot, RuleID: c.RuleID, Variant: c.Variant, VisitorHash: c.VisitorHash,
	}
}

// Enriched is the enriched click c was indexed from, as far as the index
// keeps it (ClickOf's inverse): what the webhook click data is made of.
func (c Click) Enriched() *schemas.EnrichedClick {
	return &schemas.EnrichedClick{
		EventID: c.EventID, Type: c.Type, Time: c.Time, WorkspaceID: c.WorkspaceID, LinkID: c.LinkID,
		Domain: c.Domain, Path: c.Path, Destination: c.Destination, UTM: c.UTM, Tags: c.Tags,
		ContactID: c.ContactID, Country: c.Country, DeviceType: c.DeviceType, ReferrerHost: c.ReferrerHost,
		Bot: c.Bot, RuleID: c.RuleID, Variant: c.Variant, VisitorHash: c.VisitorHash,
	}
}

// workspaceOf is a click's workspace: clicks recorded before workspaces
// existed carry none and belong to the default one.
func workspaceOf(ws string) string {
	if ws == "" {
		return "default"
	}
	return ws
}

// Attributed is a conversion and the click credited for it.
type Attributed struct {
	Conversion *schemas.Conversion
	Click      Click
	MatchedBy  string // schemas.MatchedByClickID or schemas.MatchedByContactID
	// pending is the key of the parked conversion this resolves, if it
	// was parked (see Resolved).
	pending []byte
}
