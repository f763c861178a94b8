package enrich

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/oschwald/maxminddb-golang"
)

// CountryReader answers "which country is this address in?" from the same
// MaxMind City or Country .mmdb the Enricher reads. The redirector uses it
// for country routing rules, at request time, so it decodes only the
// country's ISO code. It is safe for concurrent use.
type CountryReader struct {
	db *maxminddb.Reader
}

// OpenCountryReader opens the .mmdb at path, which must be a MaxMind City or
// Country database. Close it when done.
func OpenCountryReader(path string) (*CountryReader, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		return nil, fmt.Errorf("open geoip database %q: file is empty", path)
	}
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open geoip database %q: %w", path, err)
	}
	typ := db.Metadata.DatabaseType
	if !strings.Contains(typ, "City") && !strings.Contains(typ, "Country") {
		db.Close()
		return nil, fmt.Errorf("open geoip database %q: database type %q is neither a City nor a Country database", path, typ)
	}
	return &CountryReader{db: db}, nil
}

type countryRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
}

// Country returns the ISO 3166-1 alpha-2 code of a's country ("US"), or ""
// when the database does not know a or a is invalid. Lookup errors (a
// corrupt record) also give "": a routing decision must not fail a redirect.
func (c *CountryReader) Country(a netip.Addr) string {
	if c == nil || !a.IsValid() {
		return ""
	}
	var ip net.IP
	if a = a.Unmap(); a.Is4() {
		b := a.As4()
		ip = b[:]
	} else {
		b := a.As16()
		ip = b[:]
	}
	var rec countryRecord
	if err := c.db.Lookup(ip, &rec); err != nil {
		return ""
	}
	return rec.Country.ISOCode
}

// Close releases the database.
func (c *CountryReader) Close() error {
	if c == nil {
		return nil
	}
	return c.db.Close()
}
