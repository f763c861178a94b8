package enrich

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/enrich/enrichtest"
	"github.com/clicktrail/clicktrail/schemas"
)

var clickTime = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testGeoDB writes a City database whose host entries differ from their
// networks, so a test can tell a lookup of the full address from a lookup
// of the truncated one.
func testGeoDB(t testing.TB) string {
	t.Helper()
	return enrichtest.TempCityDB(t, []enrichtest.GeoEntry{
		{Network: "203.0.113.0/24", Country: "US", Region: "NY", City: "New York"},
		{Network: "203.0.113.77/32", Country: "US", Region: "CA", City: "San Francisco"},
		{Network: "2001:db8::/32", Country: "DE", Region: "HH", City: "Hamburg"},
		{Network: "2001:db8:1:2::5/128", Country: "DE", Region: "BE", City: "Berlin"},
	})
}

func newTestEnricher(t testing.TB, geoPath string) *Enricher {
	t.Helper()
	e, err := New(Config{HashSecret: testSecret, GeoIPPath: geoPath, Now: func() time.Time { return clickTime }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

func rawClick(ip string) *schemas.RawClick {
	return &schemas.RawClick{
		V:              schemas.RawClickVersion,
		EventID:        "0193a5e2-7b1c-7c3d-9e4f-5a6b7c8d9e0f",
		Type:           schemas.ClickTypeQRScan,
		Time:           clickTime,
		WorkspaceID:    "ws1",
		LinkID:         "lnk_1",
		Domain:         "go.example.com",
		Path:           "spring",
		Destination:    "https://example.com/spring?x=1",
		IP:             ip,
		UserAgent:      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
		Referer:        "https://Mail.Google.com:443/mail/u/0/",
		AcceptLanguage: "en-GB,en;q=0.9",
		UTM:            schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring"},
		Tags:           []string{"q4", "promo"},
		Metadata:       map[string]string{"contact_id": "c_42", "plan": "pro"},
		RuleID:         "rule_7",
		Variant:        "b",
	}
}

func TestEnrichGeoAndPrefix(t *testing.T) {
	e := newTestEnricher(t, testGeoDB(t))
	tests := []struct {
		name, ip, prefix      string
		country, region, city string
	}{
		{"ipv4 host record beats its /24", "203.0.113.77", "203.0.113.0/24", "US", "CA", "San Francisco"},
		{"ipv4 elsewhere in the /24", "203.0.113.9", "203.0.113.0/24", "US", "NY", "New York"},
		{"ipv4-mapped ipv6 is unmapped", "::ffff:203.0.113.77", "203.0.113.0/24", "US", "CA", "San Francisco"},
		{"ipv6 host record beats its /48", "2001:db8:1:2::5", "2001:db8:1::/48", "DE", "BE", "Berlin"},
		{"ipv6 elsewhere", "2001:db8:1:2::6", "2001:db8:1::/48", "DE", "HH", "Hamburg"},
		{"ipv6 zone dropped", "fe80::1:2:3%eth0", "fe80::/48", "", "", ""},
		{"not in database", "198.51.100.1", "198.51.100.0/24", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Enrich(rawClick(tt.ip))
			if err != nil {
				t.Fatal(err)
			}
			if got.IPPrefix != tt.prefix || got.Country != tt.country || got.Region != tt.region || got.City != tt.city {
				t.Errorf("got (%q, %q, %q, %q), want (%q, %q, %q, %q)",
					got.IPPrefix, got.Country, got.Region, got.City, tt.prefix, tt.country, tt.region, tt.city)
			}
		})
	}
}

func TestEnrichCopiesAndDerivesFields(t *testing.T) {
	e := newTestEnricher(t, "")
	raw := rawClick("203.0.113.77")
	got, err := e.Enrich(raw)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"v", got.V, schemas.EnrichedClickVersion},
		{"event_id", got.EventID, raw.EventID},
		{"type", got.Type, raw.Type},
		{"ts", got.Time, raw.Time},
		{"workspace_id", got.WorkspaceID, raw.WorkspaceID},
		{"link_id", got.LinkID, raw.LinkID},
		{"domain", got.Domain, raw.Domain},
		{"path", got.Path, raw.Path},
		{"destination", got.Destination, raw.Destination},
		{"ip_prefix", got.IPPrefix, "203.0.113.0/24"},
		{"visitor_hash", got.VisitorHash, specHash(testSecret, raw.Time, mustAddr(t, raw.IP), raw.UserAgent, raw.Domain)},
		{"country without geo db", got.Country, ""},
		{"device_type", got.DeviceType, DeviceMobile},
		{"os", got.OS, "iOS"},
		{"browser", got.Browser, "Safari"},
		{"bot", got.Bot, false},
		{"referrer_host", got.ReferrerHost, "mail.google.com"},
		{"language", got.Language, "en"},
		{"utm", got.UTM, raw.UTM},
		{"tags", strings.Join(got.Tags, ","), "q4,promo"},
		{"metadata", got.Metadata["plan"], "pro"},
		{"contact_id", got.ContactID, "c_42"},
		{"rule_id", got.RuleID, raw.RuleID},
		{"variant", got.Variant, raw.Variant},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
	b, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schemas.DecodeEnrichedClick(b); err != nil {
		t.Errorf("output does not decode as an enriched click: %v", err)
	}
}

func TestEnrichBadIP(t *testing.T) {
	e := newTestEnricher(t, "")
	tests := []struct{ name, ip string }{
		{"empty", ""},
		{"word", "localhost"},
		{"with port", "203.0.113.77:443"},
		{"octet out of range", "203.0.113.256"},
		{"bracketed ipv6", "[2001:db8::1]"},
		{"cidr", "203.0.113.77/32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Enrich(rawClick(tt.ip))
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), "field ip") {
				t.Errorf("error %q does not name field ip", err)
			}
			if tt.ip != "" && strings.Contains(err.Error(), tt.ip) {
				t.Errorf("error %q echoes the address", err)
			}
		})
	}
	if _, err := e.Enrich(nil); err == nil {
		t.Error("Enrich(nil): want an error")
	}
}

func TestEnrichedJSONHasNoRawIP(t *testing.T) {
	e := newTestEnricher(t, testGeoDB(t))
	tests := []struct{ name, ip string }{
		{"ipv4", "203.0.113.77"},
		{"ipv4-mapped", "::ffff:203.0.113.77"},
		{"ipv6", "2001:db8:1:2::5"},
		{"ipv6 expanded", "2001:0db8:0001:0002:0000:0000:0000:0005"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Enrich(rawClick(tt.ip))
			if err != nil {
				t.Fatal(err)
			}
			b, err := got.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			a := mustAddr(t, tt.ip)
			for _, form := range []string{tt.ip, a.String(), a.StringExpanded()} {
				if strings.Contains(string(b), form) {
					t.Errorf("enriched JSON contains the address as %q: %s", form, b)
				}
			}
		})
	}
}

func TestNewGeoIPErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "missing.mmdb"), "no such file"},
		{"empty file", write("empty.mmdb", nil), "file is empty"},
		{"garbage", write("garbage.mmdb", []byte(strings.Repeat("not a maxmind database\n", 100))), "invalid MaxMind DB"},
		{"truncated database", write("truncated.mmdb", truncatedDB(t)), "invalid MaxMind DB"},
		{"asn database", writeTypedDB(t, dir, "GeoLite2-ASN"), "neither a City nor a Country"},
		{"unknown database type", writeTypedDB(t, dir, "Acme-Things"), "Acme-Things"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Config{HashSecret: testSecret, GeoIPPath: tt.path})
			if err == nil {
				e.Close()
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the path", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestNewCountryDatabase(t *testing.T) {
	path := writeTypedDB(t, t.TempDir(), "GeoLite2-Country")
	e := newTestEnricher(t, path)
	got, err := e.Enrich(rawClick("203.0.113.77"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Country != "NL" || got.City != "" {
		t.Errorf("country, city = %q, %q; want NL and no city", got.Country, got.City)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // "" means valid
	}{
		{"valid", func(*Config) {}, ""},
		{"no secret", func(c *Config) { c.HashSecret = nil }, "HashSecret"},
		{"short secret", func(c *Config) { c.HashSecret = c.HashSecret[:MinSecretLen-1] }, "HashSecret"},
		{"internal networks", func(c *Config) { c.InternalNetworks = []string{"10.0.0.0/8", "2001:db8::/32"} }, ""},
		{"internal network not a prefix", func(c *Config) { c.InternalNetworks = []string{"10.0.0.0/8", "10.1.2.3"} }, "InternalNetworks[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{HashSecret: testSecret}
			tt.mutate(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
			}
			if _, err := New(c); (err == nil) != (tt.want == "") {
				t.Errorf("New() error = %v, want error: %v", err, tt.want != "")
			}
		})
	}
}

func TestNewCopiesSecret(t *testing.T) {
	secret := append([]byte(nil), testSecret...)
	e, err := New(Config{HashSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	before, err := e.Enrich(rawClick("203.0.113.77"))
	if err != nil {
		t.Fatal(err)
	}
	clear(secret)
	after, err := e.Enrich(rawClick("203.0.113.77"))
	if err != nil {
		t.Fatal(err)
	}
	if before.VisitorHash != after.VisitorHash {
		t.Error("wiping the caller's secret changed the hash")
	}
}

func TestInternalNetworks(t *testing.T) {
	e, err := New(Config{HashSecret: testSecret, InternalNetworks: []string{"10.0.0.0/8", "::ffff:192.168.0.0/112", "2001:db8:1::/48"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tests := []struct {
		name, ip string
		want     bool
	}{
		{"in an IPv4 network", "10.20.30.40", true},
		{"outside every network", "203.0.113.77", false},
		{"IPv4-mapped client in an IPv4 network", "::ffff:10.1.1.1", true},
		{"IPv4 client in a network written IPv4-mapped", "192.168.7.7", true},
		{"in an IPv6 network", "2001:db8:1:ff::1", true},
		{"next to an IPv6 network", "2001:db8:2::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.Enrich(rawClick(tt.ip))
			if err != nil {
				t.Fatal(err)
			}
			if c.Internal != tt.want {
				t.Errorf("Internal = %v, want %v", c.Internal, tt.want)
			}
		})
	}
}
