package enrichtest_test

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/oschwald/geoip2-golang"

	"github.com/clicktrail/clicktrail/enrich/enrichtest"
)

func TestWriteCityDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	err := enrichtest.WriteCityDB(path, []enrichtest.GeoEntry{
		{Network: "203.0.113.0/24", Country: "US", Region: "CA", City: "San Francisco"},
		{Network: "2001:db8::/32", Country: "DE", Region: "BE", City: "Berlin"},
		{Network: "198.51.100.0/24", Country: "FR"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := geoip2.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Metadata().DatabaseType; got != "GeoIP2-City" {
		t.Errorf("database type = %q, want GeoIP2-City", got)
	}

	tests := []struct {
		name                  string
		ip                    string
		country, region, city string
	}{
		{"ipv4 full record", "203.0.113.77", "US", "CA", "San Francisco"},
		{"ipv6 full record", "2001:db8:1234::1", "DE", "BE", "Berlin"},
		{"country only", "198.51.100.1", "FR", "", ""},
		{"not in database", "192.0.2.1", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := r.City(net.ParseIP(tt.ip))
			if err != nil {
				t.Fatal(err)
			}
			region := ""
			if len(rec.Subdivisions) > 0 {
				region = rec.Subdivisions[0].IsoCode
			}
			if rec.Country.IsoCode != tt.country || region != tt.region || rec.City.Names["en"] != tt.city {
				t.Errorf("got (%q, %q, %q), want (%q, %q, %q)",
					rec.Country.IsoCode, region, rec.City.Names["en"], tt.country, tt.region, tt.city)
			}
		})
	}
}

func TestWriteCityDBBadNetwork(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	err := enrichtest.WriteCityDB(path, []enrichtest.GeoEntry{{Network: "not-a-cidr"}})
	if err == nil {
		t.Fatal("want error for a bad CIDR")
	}
}

func TestTempCityDB(t *testing.T) {
	path := enrichtest.TempCityDB(t, []enrichtest.GeoEntry{{Network: "192.0.2.0/24", Country: "JP"}})
	r, err := geoip2.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, err := r.Country(net.ParseIP("192.0.2.200"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Country.IsoCode != "JP" {
		t.Errorf("country = %q, want JP", rec.Country.IsoCode)
	}
}
