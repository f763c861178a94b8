package enrich

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/clicktrail/clicktrail/schemas"
)

// Enricher turns raw clicks into enriched clicks. It is safe for concurrent
// use; Close it to release the geo database.
type Enricher struct {
	salts *saltDays
	geo   *geoDB // nil without a database
	// internal are Config.InternalNetworks, unmapped.
	internal []netip.Prefix
}

// New validates cfg and returns an Enricher. With cfg.GeoIPPath set it opens
// the database and fails, naming the path, when the file is not a MaxMind
// City or Country database.
func New(cfg Config) (*Enricher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	e := &Enricher{
		// Copy the secret: the caller may reuse or wipe its slice.
		salts: newSaltDays(append([]byte(nil), cfg.HashSecret...), cfg.Now),
	}
	for _, n := range cfg.InternalNetworks {
		p := netip.MustParsePrefix(n).Masked()   // validated above
		if p.Addr().Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8: parseIP unmaps
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		e.internal = append(e.internal, p)
	}
	if cfg.GeoIPPath != "" {
		g, err := openGeoDB(cfg.GeoIPPath, cfg.Logger)
		if err != nil {
			return nil, fmt.Errorf("new enricher: %w", err)
		}
		e.geo = g
	}
	return e, nil
}

// Enrich derives the enriched click of raw. It is deterministic for a given
// secret and database, so redelivered raw clicks enrich to the same output.
//
// The only error is a raw click that can never be enriched (today: a missing
// or unparseable ip); the message names the field and never contains the
// address. Retrying it is pointless: dead-letter the record. Geo lookup
// failures are not errors; they leave the geo fields empty.
//
// The result shares raw's Tags slice and Metadata map: do not modify them
// through one while the other is in use.
func (e *Enricher) Enrich(raw *schemas.RawClick) (*schemas.EnrichedClick, error) {
	if raw == nil {
		return nil, errors.New("enrich click: nil raw click")
	}
	ip, err := parseIP(raw.IP)
	if err != nil {
		return nil, fmt.Errorf("enrich click %s: %w", raw.EventID, err)
	}
	// Geolocate and hash with the full address, then keep only the prefix.
	loc := e.geo.lookup(ip)
	ua := ClassifyUserAgent(raw.UserAgent)
	out := &schemas.EnrichedClick{
		V:           schemas.EnrichedClickVersion,
		EventID:     raw.EventID,
		Type:        raw.Type,
		Time:        raw.Time,
		WorkspaceID: raw.WorkspaceID,
		LinkID:      raw.LinkID,
		Domain:      raw.Domain,
		Path:        raw.Path,
		Destination: raw.Destination,

		IPPrefix:    truncate(ip),
		VisitorHash: e.salts.visitorHash(raw.Time, ip, raw.UserAgent, raw.Domain),

		Country: loc.Country,
		Region:  loc.Region,
		City:    loc.City,

		DeviceType: ua.DeviceType,
		OS:         ua.OS,
		Browser:    ua.Browser,
		Bot:        ua.Bot,
		BotName:    ua.BotName,

		ReferrerHost: ReferrerHost(raw.Referer),
		Language:     PrimaryLanguage(raw.AcceptLanguage),

		UTM:       raw.UTM,
		Tags:      raw.Tags,
		Metadata:  raw.Metadata,
		ContactID: raw.Metadata["contact_id"],
		RuleID:    raw.RuleID,
		Variant:   raw.Variant,
		Internal:  e.isInternal(ip),
	}
	return out, nil
}

// isInternal reports whether ip is in one of Config.InternalNetworks.
func (e *Enricher) isInternal(ip netip.Addr) bool {
	for _, p := range e.internal {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Close releases the geo database. The Enricher must not be used after.
func (e *Enricher) Close() error {
	if err := e.geo.close(); err != nil {
		return fmt.Errorf("close geoip database: %w", err)
	}
	return nil
}
