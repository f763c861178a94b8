package enrich

import (
	"net"
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
