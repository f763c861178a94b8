// Package enrichtest writes small MaxMind databases for tests of the enrich
// stage and of everything downstream of it (sinks, end-to-end tests).
package enrichtest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// GeoEntry is one network of a test database. Empty fields are left out of
// the record, as in real databases.
type GeoEntry struct {
	Network string // CIDR, IPv4 or IPv6: "203.0.113.0/24", "2001:db8::/32"
	Country string // ISO 3166-1 alpha-2, stored as country.iso_code
	Region  string // subdivision ISO code, stored as subdivisions[0].iso_code
	City    string // English name, stored as city.names.en
}

// WriteCityDB writes a GeoIP2-City-compatible database (database type
// "GeoIP2-City", IPv6 tree with IPv4 aliased) holding entries to path,
// replacing any file there. Reserved networks (documentation, private
// ranges) are allowed, so tests can use 192.0.2.0/24 and 2001:db8::/32.
func WriteCityDB(path string, entries []GeoEntry) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoIP2-City",
		Description:             map[string]string{"en": "clicktrail test database"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true,
		RecordSize:              24,
	})
	if err != nil {
		return fmt.Errorf("write city db %q: new tree: %w", path, err)
	}
	for i, e := range entries {
		_, network, err := net.ParseCIDR(e.Network)
		if err != nil {
			return fmt.Errorf("write city db %q: entries[%d].Network: %w", path, i, err)
		}
		if err := tree.Insert(network, record(e)); err != nil {
			return fmt.Errorf("write city db %q: insert entries[%d] (%s): %w", path, i, e.Network, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write city db: %w", err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write city db %q: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write city db %q: %w", path, err)
	}
	return nil
}

// record builds the GeoIP2 City record layout of e.
func record(e GeoEntry) mmdbtype.Map {
	m := mmdbtype.Map{}
	if e.Country != "" {
		m["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(e.Country)}
	}
	if e.Region != "" {
		m["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(e.Region)}}
	}
	if e.City != "" {
		m["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(e.City)}}
	}
	return m
}

// TempCityDB writes entries to a database in a fresh temporary directory of
// t (removed when the test ends) and returns its path; it fails the test on
// error.
func TempCityDB(t testing.TB, entries []GeoEntry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := WriteCityDB(path, entries); err != nil {
		t.Fatal(err)
	}
	return path
}
