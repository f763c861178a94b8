package enrich

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/enrich/enrichtest"
)

func TestCountryReader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "city.mmdb")
	if err := enrichtest.WriteCityDB(path, []enrichtest.GeoEntry{
		{Network: "203.0.113.0/24", Country: "US", City: "San Francisco"},
		{Network: "2001:db8::/32", Country: "DE"},
		{Network: "198.51.100.0/24", City: "Nowhere"},
	}); err != nil {
		t.Fatal(err)
	}
	r, err := OpenCountryReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct{ name, addr, want string }{
		{"ipv4", "203.0.113.7", "US"},
		{"ipv4-mapped ipv6", "::ffff:203.0.113.7", "US"},
		{"ipv6", "2001:db8::1", "DE"},
		{"record without country", "198.51.100.1", ""},
		{"not in database", "192.0.2.1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Country(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("Country(%s) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
	if got := r.Country(netip.Addr{}); got != "" {
		t.Errorf("Country(invalid) = %q", got)
	}
	var nilReader *CountryReader
	if got := nilReader.Country(netip.MustParseAddr("203.0.113.7")); got != "" || nilReader.Close() != nil {
		t.Errorf("nil reader answered %q", got)
	}
}

func TestOpenCountryReaderErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.mmdb")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope.mmdb"), "no such file"},
		{"empty", empty, "file is empty"},
		{"not a geo database", writeTypedDB(t, dir, "GeoIP2-ASN"), "neither a City nor a Country"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := OpenCountryReader(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				r.Close()
				t.Fatalf("OpenCountryReader = %v, want an error naming the file and %q", err, tc.want)
			}
		})
	}
	if r, err := OpenCountryReader(writeTypedDB(t, dir, "GeoLite2-Country")); err != nil {
		t.Errorf("Country database refused: %v", err)
	} else {
		r.Close()
	}
}

func BenchmarkCountryReader(b *testing.B) {
	path := filepath.Join(b.TempDir(), "city.mmdb")
	if err := enrichtest.WriteCityDB(path, []enrichtest.GeoEntry{{Network: "203.0.113.0/24", Country: "US"}}); err != nil {
		b.Fatal(err)
	}
	r, err := OpenCountryReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	a := netip.MustParseAddr("203.0.113.7")
	b.ReportAllocs()
	for b.Loop() {
		r.Country(a)
	}
}
