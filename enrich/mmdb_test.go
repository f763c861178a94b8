package enrich

import (
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeTypedDB writes a one-network database (203.0.113.0/24 in NL) of the
// given database type, for tests of type validation.
func writeTypedDB(t testing.TB, dir, dbType string) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, IncludeReservedNetworks: true, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, network, _ := net.ParseCIDR("203.0.113.0/24")
	rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("NL")}}
	if err := tree.Insert(network, rec); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, dbType+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// truncatedDB returns the first half of a valid City database.
func truncatedDB(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(testGeoDB(t))
	if err != nil {
		t.Fatal(err)
	}
	return b[:len(b)/2]
}

// FuzzOpenGeoDB feeds arbitrary bytes to the .mmdb loader, as a damaged or
// wrong file named by --geoip-db would: opening fails with an error or
// succeeds, and lookups in whatever opened answer or come back empty; neither
// panics.
func FuzzOpenGeoDB(f *testing.F) {
	dir := f.TempDir()
	for _, path := range []string{testGeoDB(f), writeTypedDB(f, dir, "GeoLite2-Country"), writeTypedDB(f, dir, "GeoLite2-ASN")} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[len(b)/3:])
		damaged := append([]byte(nil), b...)
		for i := 0; i < len(damaged); i += 97 {
			damaged[i] ^= 0x5a
		}
		f.Add(damaged)
	}
	f.Add([]byte{})
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	addrs := []netip.Addr{
		netip.MustParseAddr("203.0.113.77"), netip.MustParseAddr("198.51.100.1"),
		netip.MustParseAddr("2001:db8:1:2::5"), netip.MustParseAddr("::"),
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "geo.mmdb")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := openGeoDB(path, slog.New(slog.DiscardHandler))
		if err != nil {
			if db != nil {
				t.Fatalf("an error (%v) with a database", err)
			}
			return
		}
		defer db.close()
		for _, a := range addrs {
			db.lookup(a)
		}
	})
}
